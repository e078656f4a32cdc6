"""Idempotent creates and duplicate checks as AWS has them, which moto 5.2 lacks.

Imported by moto_server.py. Each patch follows the ELBv2 API reference:

- CreateLoadBalancer, CreateTargetGroup and CreateListener are idempotent: "If you attempt
  to create multiple ... with the same settings, each call succeeds" and returns the one
  that exists; with other settings the call fails (DuplicateLoadBalancerName,
  DuplicateTargetGroupName, DuplicateListener). moto 5.2 creates a second load balancer
  of the same name and a second listener on a port in use, and refuses any repeated
  target group name.
- DeregisterTargets: "If the specified target does not exist, the action returns
  successfully." moto 5.2 fails with InvalidTarget.
- AddListenerCertificates of a certificate already in the list succeeds without adding
  it again; moto 5.2 lists it twice.

What moto already does as AWS does (CreateRule at a priority in use: PriorityInUse;
CreateSecurityGroup with a name in use in the VPC: InvalidGroup.Duplicate; an existing
permission authorized again: InvalidPermission.Duplicate; RegisterTargets of registered
targets succeeds) is left alone and proven by test/integration/emulator/idempotency.test.ts.

The settings compared are listed in test/env/moto-differences.md. Tags are never
compared, and a repeated create leaves the existing resource's tags as they are (AWS
does not document either; a controller that needs its tags on the resource must not
rely on a repeated create to put them there).

On by default (env MOTO_IDEMPOTENCY=0 turns the default off); POST
/moto-api/albatross/idempotency?enabled=0|1 switches it per test (setIdempotency in
test/env/moto.ts), and a moto reset restores the default.
"""

import json
import os
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.elbv2 import models
from moto.elbv2.exceptions import ELBClientError
from moto.moto_api._internal import models as moto_api_models
from moto.moto_api._internal import urls as moto_api_urls

Backend = models.ELBv2Backend

_DEFAULT_ON = os.environ.get("MOTO_IDEMPOTENCY", "1") != "0"
_on = {"enabled": _DEFAULT_ON}


def _text(value: Any) -> str:
    return "" if value is None else str(value).lower()


def _differs(pairs: list[tuple[Any, Any]]) -> bool:
    return any(_text(have) != _text(given) for have, given in pairs)


def _same_load_balancer(lb: Any, kwargs: dict[str, Any]) -> bool:
    subnets = list(kwargs.get("subnet_ids") or []) + [
        m["SubnetId"] for m in kwargs.get("subnet_mappings") or []
    ]
    return (
        not _differs(
            [
                (lb.scheme, kwargs.get("scheme") or "internet-facing"),
                (lb.type, kwargs.get("loadbalancer_type") or "application"),
                (lb.ip_address_type, kwargs.get("ip_address_type") or "ipv4"),
            ]
        )
        and sorted(s.id for s in lb.subnets) == sorted(subnets)
        and sorted(lb.security_groups or []) == sorted(kwargs.get("security_groups") or [])
    )


def _idempotent_load_balancer() -> None:
    original = Backend.create_load_balancer

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("name", args[0] if args else None)
        existing = next((lb for lb in self.load_balancers.values() if lb.name == name), None)
        if not _on["enabled"] or existing is None:
            return original(self, *args, **kwargs)
        if _same_load_balancer(existing, kwargs):
            return existing
        raise ELBClientError(
            "DuplicateLoadBalancerName",
            f"A load balancer with the same name '{name}' exists, but with different settings",
        )

    Backend.create_load_balancer = create


# CreateTargetGroup argument -> (FakeTargetGroup attribute, what AWS assumes when unset).
_TARGET_GROUP_FIELDS = {
    "vpc_id": ("vpc_id", None),
    "protocol": ("protocol", None),
    "protocol_version": ("protocol_version", None),
    "port": ("port", None),
    "target_type": ("target_type", "instance"),
    "ip_address_type": ("ip_address_type", "ipv4"),
    "healthcheck_protocol": ("health_check_protocol", None),
    "healthcheck_port": ("health_check_port", None),
    "healthcheck_path": ("health_check_path", None),
    "healthcheck_interval_seconds": ("health_check_interval_seconds", None),
    "healthcheck_timeout_seconds": ("health_check_timeout_seconds", None),
    "healthcheck_enabled": ("health_check_enabled", None),
    "healthy_threshold_count": ("healthy_threshold_count", None),
    "unhealthy_threshold_count": ("unhealthy_threshold_count", None),
}


def _same_target_group(tg: Any, kwargs: dict[str, Any]) -> bool:
    pairs = []
    for arg, (attribute, default) in _TARGET_GROUP_FIELDS.items():
        given = kwargs.get(arg)
        if given is None:
            given = default
        if given is not None:
            pairs.append((getattr(tg, attribute, None), given))
    matcher = kwargs.get("matcher")
    if matcher:
        have = getattr(tg, "matcher", None) or {}
        pairs.extend((have.get(key), value) for key, value in matcher.items())
    return not _differs(pairs)


def _idempotent_target_group() -> None:
    original = Backend.create_target_group

    def create(self: Any, name: str, **kwargs: Any) -> Any:
        existing = next((tg for tg in self.target_groups.values() if tg.name == name), None)
        if not _on["enabled"] or existing is None:
            return original(self, name, **kwargs)
        if _same_target_group(existing, kwargs):
            return existing
        raise ELBClientError(
            "DuplicateTargetGroupName",
            f"A target group with the same name '{name}' exists, but with different settings",
        )

    Backend.create_target_group = create


def _actions(actions: list[Any]) -> str:
    # Through FakeAction, as the stored ones went, so defaults it fills in compare equal.
    data = [a.data if isinstance(a, models.FakeAction) else models.FakeAction(a).data for a in actions]
    return json.dumps(data, sort_keys=True, default=str)


def _same_listener(listener: Any, kwargs: dict[str, Any]) -> bool:
    protocol = _text(kwargs.get("protocol"))
    pairs = [(listener.protocol, protocol), (listener.certificate, kwargs.get("certificate"))]
    if protocol == "https":
        pairs.append((listener.ssl_policy, kwargs.get("ssl_policy")))
    return not _differs(pairs) and _actions(listener.default_actions) == _actions(
        kwargs.get("actions") or []
    )


def _idempotent_listener() -> None:
    original = Backend.create_listener

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        balancer = self.load_balancers.get(kwargs.get("load_balancer_arn"))
        port = _text(kwargs.get("port"))
        existing = (
            None
            if balancer is None
            else next((li for li in balancer.listeners.values() if _text(li.port) == port), None)
        )
        if not _on["enabled"] or existing is None:
            return original(self, *args, **kwargs)
        if _same_listener(existing, kwargs):
            return existing
        raise ELBClientError("DuplicateListener", "A listener with the specified port already exists.")

    Backend.create_listener = create


def _deregister_unknown_succeeds() -> None:
    original = models.FakeTargetGroup.deregister

    def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
        if _on["enabled"]:
            targets = [t for t in targets if t["Id"] in self.targets]
        original(self, targets)

    models.FakeTargetGroup.deregister = deregister


def _certificate_added_once() -> None:
    # AWS: "If the certificate in already in the certificate list, the call is successful
    # but the certificate is not added again." moto 5.2 appends it a second time.
    original = Backend.add_listener_certificates

    def add(self: Any, arn: str, certificates: list[dict[str, Any]]) -> list[str]:
        if _on["enabled"]:
            found = self.describe_listeners(load_balancer_arn=None, listener_arns=[arn])
            have = set(found[0].certificates) if found else set()
            certificates = [c for c in certificates if c["CertificateArn"] not in have]
        return original(self, arn, certificates)

    Backend.add_listener_certificates = add


def _control() -> None:
    def set_enabled(request: Any, full_url: str, headers: Any) -> Any:
        if request.method != "POST":
            return 400, {}, '{"Error": "POST ?enabled=0|1"}'
        value = parse_qs(urlparse(full_url).query).get("enabled", ["1"])[0]
        _on["enabled"] = value not in ("0", "false")
        return 200, {}, '{"status": "ok"}'

    moto_api_urls.url_paths["{0}/moto-api/albatross/idempotency$"] = set_enabled

    reset = moto_api_models.MotoAPIBackend.reset

    def reset_idempotency(self: Any) -> None:
        reset(self)
        _on["enabled"] = _DEFAULT_ON

    moto_api_models.MotoAPIBackend.reset = reset_idempotency


_idempotent_load_balancer()
_idempotent_target_group()
_idempotent_listener()
_deregister_unknown_succeeds()
_certificate_added_once()
_control()
