"""Eventual consistency as AWS has it and moto 5.2 does not (imported by moto_server.py).

- DeleteSecurityGroup fails `DependencyViolation` while a load balancer uses the group,
  for a while after the last load balancer that used it was deleted (its network
  interfaces linger; on AWS for minutes), and while another group's rule references it.
  EC2 API reference, DeleteSecurityGroup: "If you attempt to delete a security group that
  is associated with an instance or network interface, is referenced by another security
  group in the same VPC, or has a VPC association, the operation fails with
  DependencyViolation." moto deletes it at once in every case.
- DeleteTargetGroup of a target group a listener or rule forwards to fails `ResourceInUse`
  (ELBv2 API reference, DeleteTargetGroup). moto 5.2 already does (`_any_listener_using`,
  default actions included); nothing to patch, the smoke test proves it.
- Optionally (default off), read-after-write lag: a load balancer, target group, listener,
  rule or security group created less than N s ago is missing from its Describe* call, and
  one asked for by id or ARN is NotFound ("Eventual consistency in the Amazon EC2 API": the
  ID of a resource just created "might not have propagated throughout the system").
  GetResources has its own lag (tagging-lag in moto_server.py).

Settings: env MOTO_SG_LINGER_SECONDS (default 1) and MOTO_READ_AFTER_WRITE_SECONDS
(default 0), or per test `POST /moto-api/albatross/consistency?security-group-linger=N
&read-after-write=M` (either or both). A moto reset restores the defaults and forgets
every timestamp. `GET` on the same path answers what the linger cost since moto started
(kept across resets, to measure a whole suite): refusals, groups deleted after one, and
the seconds between their load balancer's deletion and theirs.
"""

import json
import os
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.ec2.exceptions import DependencyViolationError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import security_groups as ec2_security_groups
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import (
    ListenerNotFoundError,
    LoadBalancerNotFoundError,
    RuleNotFoundError,
    TargetGroupNotFoundError,
)
from moto.moto_api._internal import models as moto_api_models
from moto.moto_api._internal import urls as moto_api_urls

_DEFAULTS = {
    "security-group-linger": float(os.environ.get("MOTO_SG_LINGER_SECONDS", "1")),
    "read-after-write": float(os.environ.get("MOTO_READ_AFTER_WRITE_SECONDS", "0")),
}
_settings = dict(_DEFAULTS)
# sg-… -> when the last load balancer using it was deleted
_released_at: dict[str, float] = {}
# ARN or sg-… -> when it was created (only while read-after-write > 0)
_created_at: dict[str, float] = {}
# What the linger cost since start (not reset): see the docstring.
_stats = {"lingerRefusals": 0, "lingeredDeletes": 0, "lingeredSeconds": 0.0}
_refused: set[str] = set()

Elbv2 = elbv2_models.ELBv2Backend
SecurityGroups = ec2_security_groups.SecurityGroupBackend


def _in_use(message: str) -> DependencyViolationError:
    return DependencyViolationError(message)


def _using_load_balancers(ec2: Any, group_id: str) -> list[str]:
    backend = elbv2_models.elbv2_backends[ec2.account_id][ec2.region_name]
    return [
        lb.name
        for lb in backend.load_balancers.values()
        if group_id in (getattr(lb, "security_groups", None) or [])
    ]


def _referencing_groups(ec2: Any, group_id: str) -> list[str]:
    out = []
    for groups in ec2.groups.values():
        for group in groups.values():
            if group.id == group_id:
                continue
            for rule in [*group.ingress_rules, *group.egress_rules]:
                if (rule.source_group or {}).get("GroupId") == group_id:
                    out.append(group.id)
                    break
    return out


def _refuse_delete_in_use() -> None:
    original = SecurityGroups.delete_security_group

    def delete(self: Any, name: str | None = None, group_id: str | None = None) -> None:
        group = self.get_security_group_by_name_or_id(group_id or name or "")
        if group is None:
            raise InvalidSecurityGroupNotFoundError(group_id or name)
        dependent = f"resource {group.id} has a dependent object"
        if _using_load_balancers(self, group.id):
            raise _in_use(dependent)
        released = _released_at.get(group.id)
        if released is not None and time.monotonic() - released < _settings["security-group-linger"]:
            _stats["lingerRefusals"] += 1
            _refused.add(group.id)
            raise _in_use(dependent)  # the deleted load balancer's interfaces linger
        if _referencing_groups(self, group.id):
            raise _in_use(dependent)
        original(self, name, group_id)
        _released_at.pop(group.id, None)
        if group.id in _refused and released is not None:
            _refused.discard(group.id)
            _stats["lingeredDeletes"] += 1
            _stats["lingeredSeconds"] += time.monotonic() - released

    SecurityGroups.delete_security_group = delete


def _note_released_groups() -> None:
    original = Elbv2.delete_load_balancer

    def delete(self: Any, arn: str) -> None:
        balancer = self.load_balancers.get(arn)
        groups = list(getattr(balancer, "security_groups", None) or []) if balancer else []
        original(self, arn)
        if arn not in self.load_balancers:
            now = time.monotonic()
            for group_id in groups:
                _released_at[group_id] = now

    Elbv2.delete_load_balancer = delete


def _lagging(created: Any) -> bool:
    lag = _settings["read-after-write"]
    at = _created_at.get(created)
    return lag > 0 and at is not None and time.monotonic() - at < lag


def _note_created(owner: Any, method: str, key: Any) -> None:
    original = getattr(owner, method)

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = original(self, *args, **kwargs)
        if _settings["read-after-write"] > 0:
            _created_at[key(made)] = time.monotonic()
        return made

    setattr(owner, method, create)


def _hide_recent(owner: Any, method: str, asked: Any, not_found: Any, key: Any) -> None:
    original = getattr(owner, method)

    def describe(self: Any, *args: Any, **kwargs: Any) -> Any:
        found = list(original(self, *args, **kwargs))
        if _settings["read-after-write"] <= 0:
            return found
        hidden = [item for item in found if _lagging(key(item))]
        if hidden and asked(*args, **kwargs):
            raise not_found(key(hidden[0]))  # asked for by id: not known yet
        return [item for item in found if not _lagging(key(item))]

    setattr(owner, method, describe)


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return kwargs[name] if name in kwargs else (args[index] if len(args) > index else None)


def _read_after_write_lag() -> None:
    arn = lambda item: item.arn  # noqa: E731
    for method in ("create_load_balancer", "create_target_group", "create_listener", "create_rule"):
        _note_created(Elbv2, method, arn)
    _note_created(SecurityGroups, "create_security_group", lambda group: group.id)
    _hide_recent(
        Elbv2,
        "describe_load_balancers",
        lambda *a, **k: bool(_arg(a, k, 0, "arns") or _arg(a, k, 1, "names")),
        lambda _: LoadBalancerNotFoundError(),
        arn,
    )
    _hide_recent(
        Elbv2,
        "describe_target_groups",
        lambda *a, **k: bool(_arg(a, k, 1, "target_group_arns") or _arg(a, k, 2, "names")),
        lambda _: TargetGroupNotFoundError(),
        arn,
    )
    _hide_recent(
        Elbv2,
        "describe_listeners",
        lambda *a, **k: bool(_arg(a, k, 1, "listener_arns")),
        lambda _: ListenerNotFoundError(),
        arn,
    )
    _hide_recent(
        Elbv2,
        "describe_rules",
        lambda *a, **k: bool(_arg(a, k, 1, "rule_arns")),
        lambda _: RuleNotFoundError(),
        arn,
    )
    _hide_recent(
        SecurityGroups,
        "describe_security_groups",
        lambda *a, **k: bool(_arg(a, k, 0, "group_ids")),
        InvalidSecurityGroupNotFoundError,
        lambda group: group.id,
    )


def _control_endpoint() -> None:
    def configure(request: Any, full_url: str, headers: Any) -> Any:
        if request.method == "GET":
            return 200, {}, json.dumps({**_settings, **_stats})
        if request.method != "POST":
            return 400, {}, '{"Error": "POST ?security-group-linger=N&read-after-write=M"}'
        query = parse_qs(urlparse(full_url).query)
        for name in _settings:
            if name in query:
                _settings[name] = float(query[name][0])
        return 200, {}, '{"status": "ok"}'

    moto_api_urls.url_paths["{0}/moto-api/albatross/consistency$"] = configure

    reset = moto_api_models.MotoAPIBackend.reset

    def reset_consistency(self: Any) -> None:
        reset(self)
        _settings.update(_DEFAULTS)
        _released_at.clear()
        _created_at.clear()
        _refused.clear()

    moto_api_models.MotoAPIBackend.reset = reset_consistency


_refuse_delete_in_use()
_note_released_groups()
_read_after_write_lag()
_control_endpoint()
