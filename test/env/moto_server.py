"""Starts moto's server with two ALB features of late 2025 that moto 5.2 lacks.

ALB listener rules accept `RegexValues` in host-header, path-pattern and http-header
conditions, and `Transforms` (url-rewrite, host-header-rewrite). moto's bundled botocore
model already describes both, so they serialise once stored; moto's own validation
rejects `RegexValues` (it reads `Values` unconditionally) and its CreateRule/ModifyRule
drop `Transforms`. These patches add exactly that and nothing else, so the controller's
wildcard hosts and rewrites can be tested live. Each patch says which AWS behaviour it
mirrors; see the ELBv2 API reference for RuleCondition, RuleTransform and ModifyRule.
"""

import sys
from typing import Any

from moto.elbv2 import models, responses
from moto.elbv2.exceptions import InvalidConditionValueError

Backend = models.ELBv2Backend


def _regex_only(condition: dict[str, Any], config_key: str) -> bool:
    config = condition.get(config_key) or {}
    return "RegexValues" in config and "Values" not in config


def _check_regex_values(condition: dict[str, Any], config_key: str) -> None:
    values = condition[config_key]["RegexValues"]
    if not values:
        raise InvalidConditionValueError("A condition value must be specified")
    for value in values:
        if len(value) > 128:
            raise InvalidConditionValueError(
                f"The '{condition.get('Field')}' regex value is too long; the limit is '128'"
            )


def _accept_regex(method_name: str, config_key: str) -> None:
    original = getattr(Backend, method_name)

    def validate(self: Any, condition: dict[str, Any]) -> None:
        if _regex_only(condition, config_key):
            # AWS: a condition carries Values or RegexValues, never both.
            _check_regex_values(condition, config_key)
            return
        original(self, condition)

    setattr(Backend, method_name, validate)


_accept_regex("_validate_host_header_condition", "HostHeaderConfig")
_accept_regex("_validate_path_pattern_condition", "PathPatternConfig")
_accept_regex("_validate_http_header_condition", "HttpHeaderConfig")


def _with_transforms(action_name: str) -> None:
    original = getattr(responses.ELBV2Response, action_name)

    def handler(self: Any) -> Any:
        result = original(self)
        params = self._get_params()
        rule_list = getattr(result, "result", None) or {}
        for rule in rule_list.get("Rules", []):
            if "Transforms" in params:
                rule.transforms = params["Transforms"]
            elif params.get("ResetTransforms") in (True, "true"):
                # AWS: ModifyRule with ResetTransforms removes every transform.
                rule.transforms = []
        return result

    setattr(responses.ELBV2Response, action_name, handler)


_with_transforms("create_rule")
_with_transforms("modify_rule")

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
