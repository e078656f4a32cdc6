"""Starts moto's server with the ALB features of late 2025 that moto 5.2 lacks (and
WAFv2's one-web-ACL-per-resource rule, see _associate_replaces).

ALB listener rules accept `RegexValues` in host-header, path-pattern and http-header
conditions, and `Transforms` (url-rewrite, host-header-rewrite). moto's bundled botocore
model already describes both, so they serialise once stored; moto's own validation
rejects `RegexValues` (it reads `Values` unconditionally) and its CreateRule/ModifyRule
drop `Transforms`. These patches add exactly that and nothing else, so the controller's
wildcard hosts and rewrites can be tested live.

Listener authentication needs three more: the `jwt-validation` action type (moto rejects
unknown action types), `UseExistingClientSecret` on ModifyRule/ModifyListener (AWS keeps
the OIDC client secret it has; moto would store the action without one), and a
listener's `MutualAuthentication` (moto drops it). moto still echoes an OIDC
ClientSecret in DescribeRules, which AWS never does; the tests read it to check which
secret AWS holds, and the controller ignores it. Each patch says which AWS behaviour it
mirrors; see the ELBv2 API reference for RuleCondition, RuleTransform and ModifyRule.
A target group's `TargetControlPort` (CreateTargetGroup, TargetGroup) is kept likewise.
DeleteLoadBalancer honours `deletion_protection.enabled` (OperationNotPermitted), as AWS does.
"""

import sys
from typing import Any

from moto.core.responses import ActionResult
from moto.elbv2 import models, responses
from moto.elbv2.exceptions import ELBClientError as RESTError
from moto.elbv2.exceptions import InvalidConditionValueError, LoadBalancerNotFoundError

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


# Load balancer addressing and capacity (ELBv2 API reference: CreateLoadBalancer,
# SetIpAddressType, ModifyIpPools, ModifyCapacityReservation, DescribeCapacityReservation).
# moto 5.2 knows only ipv4/dualstack, drops CustomerOwnedIpv4Pool and IpamPools, lacks
# ModifyIpPools and ModifyCapacityReservation, and DescribeCapacityReservation returns a
# constant. Stored on the fake load balancer, these serialise through moto's botocore model.

_IP_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")


def _check_ip_type(ip_type: str, scheme: str) -> None:
    if ip_type not in _IP_TYPES:
        raise RESTError(
            "ValidationError",
            f"1 validation error detected: Value '{ip_type}' at 'ipAddressType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(_IP_TYPES)}]",
        )
    # AWS: an internal load balancer has no public IPv4 address to go without.
    if ip_type == "dualstack-without-public-ipv4" and scheme == "internal":
        raise RESTError(
            "ValidationError",
            "You must specify an internet-facing load balancer for IP address type "
            "'dualstack-without-public-ipv4'",
        )


_original_create_lb = Backend.create_load_balancer


def _create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
    ip_type = kwargs.get("ip_address_type", "ipv4")
    _check_ip_type(ip_type, kwargs.get("scheme") or "internet-facing")
    kwargs["ip_address_type"] = "ipv4"
    lb = _original_create_lb(self, *args, **kwargs)
    lb.ip_address_type = ip_type
    lb.customer_owned_ipv4_pool = None
    lb.ipam_pools = None
    lb.capacity_units = None
    return lb


Backend.create_load_balancer = _create_load_balancer


def _set_ip_address_type(self: Any, arn: str, ip_type: str) -> None:
    balancer = self.load_balancers.get(arn)
    if balancer is None:
        raise LoadBalancerNotFoundError()
    _check_ip_type(ip_type, balancer.scheme)
    balancer.ip_address_type = ip_type


Backend.set_ip_address_type = _set_ip_address_type

_original_create_lb_response = responses.ELBV2Response.create_load_balancer


def _create_load_balancer_response(self: Any) -> Any:
    result = _original_create_lb_response(self)
    params = self._get_params()
    for lb in result.result.get("LoadBalancers", []):
        if params.get("CustomerOwnedIpv4Pool"):
            lb.customer_owned_ipv4_pool = params["CustomerOwnedIpv4Pool"]
        pools = params.get("IpamPools") or {}
        if pools.get("Ipv4IpamPoolId"):
            lb.ipam_pools = {"Ipv4IpamPoolId": pools["Ipv4IpamPoolId"]}
    return result


responses.ELBV2Response.create_load_balancer = _create_load_balancer_response


def _balancer(self: Any) -> Any:
    balancer = self.elbv2_backend.load_balancers.get(self._get_param("LoadBalancerArn"))
    if balancer is None:
        raise LoadBalancerNotFoundError()
    return balancer


def _modify_ip_pools(self: Any) -> Any:
    balancer = _balancer(self)
    params = self._get_params()
    pools = params.get("IpamPools") or {}
    if pools.get("Ipv4IpamPoolId"):
        balancer.ipam_pools = {"Ipv4IpamPoolId": pools["Ipv4IpamPoolId"]}
    if "ipv4" in (params.get("RemoveIpamPools") or []):
        balancer.ipam_pools = None
    return ActionResult({"IpamPools": balancer.ipam_pools} if balancer.ipam_pools else {})


def _capacity(balancer: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"CapacityReservationState": []}
    if getattr(balancer, "capacity_units", None) is not None:
        out["MinimumLoadBalancerCapacity"] = {"CapacityUnits": balancer.capacity_units}
        out["CapacityReservationState"] = [{"State": {"Code": "provisioned"}}]
    return out


def _modify_capacity_reservation(self: Any) -> Any:
    balancer = _balancer(self)
    params = self._get_params()
    if params.get("ResetCapacityReservation") in (True, "true"):
        balancer.capacity_units = None
    else:
        units = (params.get("MinimumLoadBalancerCapacity") or {}).get("CapacityUnits")
        balancer.capacity_units = int(units) if units is not None else None
    return ActionResult(_capacity(balancer))


def _describe_capacity_reservation(self: Any) -> Any:
    return ActionResult(_capacity(_balancer(self)))


responses.ELBV2Response.modify_ip_pools = _modify_ip_pools
responses.ELBV2Response.modify_capacity_reservation = _modify_capacity_reservation
responses.ELBV2Response.describe_capacity_reservation = _describe_capacity_reservation
models.ALLOWED_ACTIONS.append("jwt-validation")
_original_validate_actions = Backend._validate_actions


def _validate_actions(self: Any, actions: list[Any]) -> None:
    # AWS: jwt-validation (HTTPS listeners) takes Issuer, JwksEndpoint, AdditionalClaims.
    for action in actions:
        if action.type == "jwt-validation":
            config = action.data.get("JwtValidationConfig") or {}
            if not config.get("Issuer") or not config.get("JwksEndpoint"):
                raise InvalidConditionValueError(
                    "JwtValidationConfig needs Issuer and JwksEndpoint"
                )
    _original_validate_actions(self, [a for a in actions if a.type != "jwt-validation"])


Backend._validate_actions = _validate_actions


def _is_true(value: Any) -> bool:
    return value in (True, "true", "True")


def _old_secrets(actions: list[Any]) -> list[Any]:
    return [
        (a.data.get("AuthenticateOidcConfig") or {}).get("ClientSecret")
        for a in actions
        if a.type == "authenticate-oidc"
    ]


def _keep_secrets(new_actions: list[Any], old: list[Any]) -> None:
    # AWS: UseExistingClientSecret=true keeps the client secret the action already has.
    for action in new_actions:
        config = action.data.get("AuthenticateOidcConfig") or {}
        if _is_true(config.pop("UseExistingClientSecret", None)):
            if old and old[0] is not None:
                config["ClientSecret"] = old[0]
            action.__dict__.update(action.data)


_original_modify_rule = Backend.modify_rule


def _modify_rule(self: Any, rule_arn: str, conditions: Any, actions: Any) -> Any:
    rules = self.describe_rules(listener_arn=None, rule_arns=[rule_arn])
    old = _old_secrets(rules[0].actions) if rules else []
    rule = _original_modify_rule(self, rule_arn, conditions, actions)
    if actions:
        _keep_secrets(rule.actions, old)
    return rule


Backend.modify_rule = _modify_rule


def _mutual_authentication(params: dict[str, Any]) -> Any:
    given = params.get("MutualAuthentication")
    if not given:
        return None
    out = {k: v for k, v in given.items() if v not in (None, "")}
    if "IgnoreClientCertificateExpiry" in out:
        out["IgnoreClientCertificateExpiry"] = _is_true(out["IgnoreClientCertificateExpiry"])
    return out


def _with_listener_extras(action_name: str) -> None:
    original = getattr(responses.ELBV2Response, action_name)

    def handler(self: Any) -> Any:
        params = self._get_params()
        old: list[Any] = []
        if action_name == "modify_listener":
            found = self.elbv2_backend.describe_listeners(
                load_balancer_arn=None, listener_arns=[params.get("ListenerArn")]
            )
            old = _old_secrets(found[0].default_actions) if found else []
        result = original(self)
        for listener in (getattr(result, "result", None) or {}).get("Listeners", []):
            if params.get("DefaultActions"):
                _keep_secrets(listener.default_actions, old)
            mtls = _mutual_authentication(params)
            if mtls is not None:
                listener.mutual_authentication = mtls
        return result

    setattr(responses.ELBV2Response, action_name, handler)


_with_listener_extras("create_listener")
_with_listener_extras("modify_listener")


def _with_target_control_port() -> None:
    # AWS: CreateTargetGroup takes TargetControlPort (the target optimizer's agent port,
    # set only at creation) and DescribeTargetGroups returns it. moto 5.2 drops it; its
    # bundled botocore model already describes the field, so storing it is enough.
    original = responses.ELBV2Response.create_target_group

    def handler(self: Any) -> Any:
        result = original(self)
        port = self._get_params().get("TargetControlPort")
        if port is not None:
            for group in (getattr(result, "result", None) or {}).get("TargetGroups", []):
                group.target_control_port = int(port)
        return result

    responses.ELBV2Response.create_target_group = handler  # type: ignore[method-assign]


_with_target_control_port()


def _associate_replaces() -> None:
    from moto.wafv2 import models as wafv2_models

    backend = wafv2_models.WAFV2Backend
    original = backend.associate_web_acl

    def associate(self: Any, web_acl_arn: str, resource_arn: str) -> None:
        # AWS: a resource has at most one web ACL; associating another replaces it.
        # moto 5.2 appends the resource to the new ACL and leaves it on the old one.
        if web_acl_arn in self.wacls:
            for acl in self.wacls.values():
                if resource_arn in acl.associated_resources:
                    acl.associated_resources.remove(resource_arn)
        original(self, web_acl_arn, resource_arn)

    backend.associate_web_acl = associate


_associate_replaces()


# Tagging-index lag (Resource Groups Tagging API, GetResources). On AWS the index lags
# behind ELBv2: a load balancer or target group created a moment ago is not returned yet,
# and one deleted a moment ago is still returned (with the tags it had). moto's index is
# exact. With a lag of N seconds (env MOTO_TAGGING_LAG_SECONDS, or POST
# /moto-api/albatross/tagging-lag?seconds=N; default 0 = exact), GetResources leaves out
# what was created less than N s ago and keeps returning what was deleted less than N s
# ago. A moto reset restores the default and forgets both lists.

import os
import time

from moto.core.resource_tagging import make_tag_matcher, match_resource_type
from moto.moto_api._internal import models as moto_api_models
from moto.moto_api._internal import urls as moto_api_urls
from moto.resourcegroupstaggingapi import models as tagging_models

_DEFAULT_LAG = float(os.environ.get("MOTO_TAGGING_LAG_SECONDS", "0"))
_lag = {"seconds": _DEFAULT_LAG}
_created_at: dict[str, float] = {}
# ARN -> (deleted at, the TaggedResource as it was indexed)
_deleted: dict[str, tuple[float, Any]] = {}


def _indexed(backend: Any, arn: str) -> list[Any]:
    return [r for r in backend.iter_tagged_resources() if r.arn == arn]


def _note_deleted(arn: str, indexed: list[Any]) -> None:
    for resource in indexed:
        _deleted[arn] = (time.monotonic(), resource)
    _created_at.pop(arn, None)


def _with_lag_bookkeeping() -> None:
    create_lb = Backend.create_load_balancer
    create_tg = Backend.create_target_group
    delete_lb = Backend.delete_load_balancer
    delete_tg = Backend.delete_target_group

    def create_load_balancer(self: Any, *args: Any, **kwargs: Any) -> Any:
        lb = create_lb(self, *args, **kwargs)
        _created_at[lb.arn] = time.monotonic()
        return lb

    def create_target_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        tg = create_tg(self, *args, **kwargs)
        _created_at[tg.arn] = time.monotonic()
        return tg

    def delete_load_balancer(self: Any, arn: str) -> None:
        indexed = _indexed(self, arn)
        delete_lb(self, arn)
        _note_deleted(arn, indexed)

    def delete_target_group(self: Any, arn: str) -> Any:
        indexed = _indexed(self, arn)
        deleted = delete_tg(self, arn)
        _note_deleted(arn, indexed)
        return deleted

    Backend.create_load_balancer = create_load_balancer
    Backend.create_target_group = create_target_group
    Backend.delete_load_balancer = delete_load_balancer
    Backend.delete_target_group = delete_target_group

    original = tagging_models.ResourceGroupsTaggingAPIBackend._get_resources_generator

    def lagging(
        self: Any,
        tag_filters: Any = None,
        resource_type_filters: Any = None,
        resource_arn_list: Any = None,
    ) -> Any:
        lag = _lag["seconds"]
        now = time.monotonic()
        for resource in original(self, tag_filters, resource_type_filters, resource_arn_list):
            if lag > 0 and now - _created_at.get(resource.arn, -1e18) < lag:
                continue  # not indexed yet
            yield resource
        if lag <= 0:
            return
        matcher = make_tag_matcher(tag_filters)
        for arn, (deleted_at, resource) in list(_deleted.items()):
            if now - deleted_at >= lag or arn.split(":")[3] != self.region_name:
                continue
            if not match_resource_type(resource.resource_type, resource_type_filters):
                continue
            if not matcher(resource.tags):
                continue
            if resource_arn_list and arn not in resource_arn_list:
                continue
            yield resource  # still indexed though gone

    tagging_models.ResourceGroupsTaggingAPIBackend._get_resources_generator = lagging

    def set_lag(request: Any, full_url: str, headers: Any) -> Any:
        from urllib.parse import parse_qs, urlparse

        if request.method != "POST":
            return 400, {}, '{"Error": "POST ?seconds=N"}'
        seconds = parse_qs(urlparse(full_url).query).get("seconds", ["0"])[0]
        _lag["seconds"] = float(seconds)
        _created_at.clear()
        _deleted.clear()
        return 200, {}, '{"status": "ok"}'

    moto_api_urls.url_paths["{0}/moto-api/albatross/tagging-lag$"] = set_lag

    reset = moto_api_models.MotoAPIBackend.reset

    def reset_with_lag(self: Any) -> None:
        reset(self)
        _lag["seconds"] = _DEFAULT_LAG
        _created_at.clear()
        _deleted.clear()

    moto_api_models.MotoAPIBackend.reset = reset_with_lag


_with_lag_bookkeeping()


def _deletion_protection_refuses() -> None:
    # AWS: DeleteLoadBalancer of a load balancer with deletion_protection.enabled=true
    # fails with OperationNotPermitted and deletes nothing. moto 5.2 deletes it anyway.
    original = Backend.delete_load_balancer

    def delete(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        if balancer is not None and _is_true(balancer.attrs.get("deletion_protection.enabled")):
            raise RESTError(
                "OperationNotPermitted",
                f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
            )
        original(self, arn)

    Backend.delete_load_balancer = delete


_deletion_protection_refuses()

import moto_idempotency  # noqa: E402,F401  (idempotent creates; see its docstring)

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
