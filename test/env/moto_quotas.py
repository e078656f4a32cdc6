"""AWS's default quotas for Application Load Balancers and security groups, which moto 5.2
mostly does not enforce (it has a hard-coded 60 ingress rules per VPC security group and
25 certificates per listener counting the default one; nothing else).

Each quota below follows "Quotas for your Application Load Balancers"
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html)
or the Amazon VPC quotas page (security groups), with the error code the ELBv2 / EC2 API
reference gives for the call that passes it. They are ON at AWS's defaults; a test lowers
(or raises) any of them with POST /moto-api/albatross/quotas (a JSON object sent as
application/json, or query parameters; names as in `_DEFAULTS`; GET reads them); a moto
reset restores the defaults.

Counting, where the docs leave room:
- rules per load balancer: every listener's non-default rules, summed;
- condition values per rule: every value of every condition (Values or RegexValues,
  query-string pairs, source-ip CIDRs, methods), as the cfn error "A rule can only have
  '5' condition values" reports;
- target groups per load balancer: distinct target groups its listeners' default actions
  and its rules forward to (AWS: "counted as only one use" however many actions name it);
- certificates per load balancer: distinct certificates on its listeners besides each
  listener's default certificate;
- a write that leaves a count where it was is never refused (a lowered quota does not
  break what already exists, as AWS keeps resources above a quota lowered later).
"""

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.ec2.models import security_groups as ec2_security_groups
from moto.elbv2 import models
from moto.elbv2.exceptions import ELBClientError
from moto.moto_api._internal import models as moto_api_models
from moto.moto_api._internal import urls as moto_api_urls

Backend = models.ELBv2Backend

_DEFAULTS: dict[str, int] = {
    "rules_per_load_balancer": 100,
    "condition_values_per_rule": 5,
    "target_groups_per_load_balancer": 100,
    "listeners_per_load_balancer": 50,
    "certificates_per_load_balancer": 25,
    "inbound_rules_per_security_group": 60,
    "security_groups_per_load_balancer": 5,
    "targets_per_target_group": 1000,
}
_quotas: dict[str, int] = dict(_DEFAULTS)


def _refuse(code: str, message: str) -> None:
    raise ELBClientError(code, message)


# --- counting -------------------------------------------------------------------------


def _forwards(actions: list[Any]) -> set[str]:
    out: set[str] = set()
    for action in actions or []:
        data = action.data if hasattr(action, "data") else action
        if (data.get("Type") or getattr(action, "type", None)) != "forward":
            continue
        if data.get("TargetGroupArn"):
            out.add(data["TargetGroupArn"])
        for tuple_ in (data.get("ForwardConfig") or {}).get("TargetGroups") or []:
            if tuple_.get("TargetGroupArn"):
                out.add(tuple_["TargetGroupArn"])
    return out


def _listeners(backend: Any, balancer_arn: str) -> list[Any]:
    balancer = backend.load_balancers.get(balancer_arn)
    return list(balancer.listeners.values()) if balancer is not None else []


def _rule_count(backend: Any, balancer_arn: str) -> int:
    return sum(len(listener._non_default_rules) for listener in _listeners(backend, balancer_arn))


def _target_groups(backend: Any, balancer_arn: str, replacing: Any = None) -> set[str]:
    """Target groups the load balancer forwards to, leaving out `replacing` (a rule or listener)."""
    out: set[str] = set()
    for listener in _listeners(backend, balancer_arn):
        if listener is not replacing:
            out |= _forwards(listener.default_actions)
        for rule in listener._non_default_rules.values():
            if rule is not replacing:
                out |= _forwards(rule.actions)
    return out


def _check_target_groups(
    backend: Any, balancer_arn: str, actions: list[Any], replacing: Any = None
) -> None:
    before = _target_groups(backend, balancer_arn)
    after = _target_groups(backend, balancer_arn, replacing) | _forwards(actions)
    quota = _quotas["target_groups_per_load_balancer"]
    if len(after) > quota and len(after) > len(before):
        _refuse(
            "TooManyUniqueTargetGroupsPerLoadBalancer",
            f"You've reached the limit on the number of unique target groups per load "
            f"balancer across all listeners ('{quota}')",
        )


def _condition_values(conditions: list[dict[str, Any]]) -> int:
    n = 0
    for condition in conditions or []:
        for key in ("HostHeaderConfig", "PathPatternConfig", "HttpHeaderConfig"):
            config = condition.get(key) or {}
            n += len(config.get("Values") or []) + len(config.get("RegexValues") or [])
        for key in ("HttpRequestMethodConfig", "QueryStringConfig", "SourceIpConfig"):
            n += len((condition.get(key) or {}).get("Values") or [])
        if not any(k.endswith("Config") for k in condition):
            n += len(condition.get("Values") or [])
    return n


def _check_condition_values(conditions: list[dict[str, Any]]) -> None:
    quota = _quotas["condition_values_per_rule"]
    if _condition_values(conditions) > quota:
        _refuse("ValidationError", f"A rule can only have '{quota}' condition values")


def _sni_certificates(backend: Any, balancer_arn: str) -> set[str]:
    out: set[str] = set()
    for listener in _listeners(backend, balancer_arn):
        out |= {c for c in listener.certificates if c != listener.certificate}
    return out


def _check_certificates(before: set[str], after: set[str]) -> None:
    quota = _quotas["certificates_per_load_balancer"]
    if len(after) > quota and len(after) > len(before):
        _refuse(
            "TooManyCertificates",
            f"You've reached the limit on the number of certificates per load balancer ('{quota}')",
        )


def _check_security_groups(groups: list[str]) -> None:
    quota = _quotas["security_groups_per_load_balancer"]
    if len(groups or []) > quota:
        _refuse(
            "InvalidConfigurationRequest",
            f"The maximum number of security groups per load balancer ('{quota}') has been reached",
        )


# --- the calls that can pass a quota ---------------------------------------------------


def _patch_elbv2() -> None:
    create_rule = Backend.create_rule
    modify_rule = Backend.modify_rule
    create_listener = Backend.create_listener
    modify_listener = Backend.modify_listener
    add_certificates = Backend.add_listener_certificates
    create_lb = Backend.create_load_balancer
    set_security_groups = Backend.set_security_groups
    register_targets = Backend.register_targets

    def _create_rule(self: Any, **kwargs: Any) -> Any:
        listeners = self.describe_listeners(None, [kwargs["listener_arn"]])
        if listeners:
            balancer_arn = listeners[0].load_balancer_arn
            quota = _quotas["rules_per_load_balancer"]
            if _rule_count(self, balancer_arn) >= quota:
                _refuse(
                    "TooManyRules",
                    "You've reached the limit on the number of rules per load balancer "
                    f"('{quota}')",
                )
            _check_condition_values(kwargs.get("conditions") or [])
            _check_target_groups(self, balancer_arn, kwargs.get("actions") or [])
        return create_rule(self, **kwargs)

    def _modify_rule(self: Any, **kwargs: Any) -> Any:
        rules = self.describe_rules(listener_arn=None, rule_arns=[kwargs["rule_arn"]])
        if rules and not rules[0].is_default:
            if kwargs.get("conditions"):
                _check_condition_values(kwargs["conditions"])
            if kwargs.get("actions"):
                listener = self.describe_listeners(None, [rules[0].listener_arn])[0]
                _check_target_groups(
                    self, listener.load_balancer_arn, kwargs["actions"], rules[0]
                )
        return modify_rule(self, **kwargs)

    def _create_listener(self: Any, **kwargs: Any) -> Any:
        balancer = self.load_balancers.get(kwargs["load_balancer_arn"])
        ports = {str(p.port) for p in balancer.listeners.values()} if balancer else set()
        if balancer is not None and str(kwargs.get("port")) not in ports:
            quota = _quotas["listeners_per_load_balancer"]
            if len(balancer.listeners) >= quota:
                _refuse(
                    "TooManyListeners",
                    "You've reached the limit on the number of listeners per load balancer "
                    f"('{quota}')",
                )
            _check_target_groups(self, balancer.arn, kwargs.get("actions") or [])
        return create_listener(self, **kwargs)

    def _modify_listener(
        self: Any,
        arn: str,
        port: Any,
        protocol: Any,
        ssl_policy: Any,
        certificates: Any,
        actions: Any,
    ) -> Any:
        found = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])
        if found and actions:
            _check_target_groups(self, found[0].load_balancer_arn, actions, found[0])
        return modify_listener(self, arn, port, protocol, ssl_policy, certificates, actions)

    def _add_certificates(self: Any, arn: str, certificates: Any) -> Any:
        found = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])
        if not found:
            return add_certificates(self, arn, certificates)
        listener = found[0]
        given = [c["CertificateArn"] for c in certificates or []]
        before = _sni_certificates(self, listener.load_balancer_arn)
        _check_certificates(before, before | {c for c in given if c != listener.certificate})
        # Instead of moto's own check (25 per listener, the default certificate counted).
        fresh = [c for c in dict.fromkeys(given) if c not in listener.certificates]
        listener.certificates.extend(fresh)
        return listener.certificates

    def _create_lb(self: Any, **kwargs: Any) -> Any:
        _check_security_groups(kwargs.get("security_groups") or [])
        return create_lb(self, **kwargs)

    def _set_security_groups(self: Any, arn: str, sec_groups: list[str]) -> Any:
        _check_security_groups(sec_groups)
        return set_security_groups(self, arn, sec_groups)

    def _register_targets(self: Any, target_group_arn: str, instances: list[Any]) -> Any:
        group = self.target_groups.get(target_group_arn)
        if group is not None:
            # moto keys a target group's targets by id, as the calls name them.
            have = set(group.targets)
            after = have | {t["Id"] for t in instances}
            quota = _quotas["targets_per_target_group"]
            if len(after) > quota and len(after) > len(have):
                _refuse(
                    "TooManyTargets",
                    "You've reached the limit on the number of targets per target group "
                    f"('{quota}')",
                )
        return register_targets(self, target_group_arn, instances)

    Backend.create_rule = _create_rule
    Backend.modify_rule = _modify_rule
    Backend.create_listener = _create_listener
    Backend.modify_listener = _modify_listener
    Backend.add_listener_certificates = _add_certificates
    Backend.create_load_balancer = _create_lb
    Backend.set_security_groups = _set_security_groups
    Backend.register_targets = _register_targets


def _patch_ec2() -> None:
    backend = ec2_security_groups.SecurityGroupBackend
    original = backend._verify_group_will_respect_rule_count_limit

    def verify(
        self: Any,
        group: Any,
        current: int,
        ip_ranges: Any,
        source_groups: Any = None,
        egress: bool = False,
    ) -> None:
        if egress or not group.vpc_id:
            return original(self, group, current, ip_ranges, source_groups, egress)
        quota = _quotas["inbound_rules_per_security_group"]
        after = current + len(ip_ranges or []) + len(source_groups or [])
        if after > quota:
            from moto.ec2.exceptions import RulesPerSecurityGroupLimitExceededError

            raise RulesPerSecurityGroupLimitExceededError()

    backend._verify_group_will_respect_rule_count_limit = verify


# --- the control endpoint ---------------------------------------------------------------


def _set_quotas(request: Any, full_url: str, headers: Any) -> Any:
    if request.method == "GET":
        return 200, {}, json.dumps(_quotas)
    if request.method != "POST":
        return 400, {}, '{"Error": "POST a JSON object or ?name=N"}'
    given: dict[str, Any] = {k: v[0] for k, v in parse_qs(urlparse(full_url).query).items()}
    # A Werkzeug request under moto_server: the body is read from the WSGI stream.
    size = int(headers.get("Content-Length") or 0)
    body = request.environ["wsgi.input"].read(size).decode() if size > 0 else ""
    if body.strip():
        given.update(json.loads(body))
    unknown = sorted(set(given) - set(_DEFAULTS))
    if unknown:
        known = sorted(_DEFAULTS)
        return 400, {}, json.dumps({"Error": f"unknown quotas {unknown}; known: {known}"})
    for name, value in given.items():
        _quotas[name] = int(value)
    return 200, {}, json.dumps(_quotas)


def _with_reset() -> None:
    reset = moto_api_models.MotoAPIBackend.reset

    def reset_with_quotas(self: Any) -> None:
        reset(self)
        _quotas.clear()
        _quotas.update(_DEFAULTS)

    moto_api_models.MotoAPIBackend.reset = reset_with_quotas


_patch_elbv2()
_patch_ec2()
moto_api_urls.url_paths["{0}/moto-api/albatross/quotas$"] = _set_quotas
_with_reset()
