"""Request throttling as AWS applies it: token buckets per API family, per account and
Region, answering the throttling error each service returns. Off by default (the tests
are faster without); switched on per test through POST /moto-api/albatross/throttle.

AWS's numbers (capacity = burst, refill = tokens per second):
- "Request throttling for the ELB API" (Elastic Load Balancing user guide): ELBv2
  non-mutating Describe* 40/10; mutating (Create*/Modify*/Delete*/Set*/AddTags/...) 20/3;
  registration (RegisterTargets, DeregisterTargets) 20/4; resource-intensive
  (CreateLoadBalancer, SetSubnets) 10/0.2; and an account-level bucket shared by every
  ELBv2 action, 40/10. Over the limit: error code `Throttling` (the guide names it
  ThrottlingException; the wire code of the query API is `Throttling`), HTTP 400,
  message "Rate exceeded".
- "Request throttling for the Amazon EC2 API" (EC2 developer guide): non-mutating
  Describe*/Get*/List* 100/20; mutating 50/5; resource-intensive
  (Authorize/RevokeSecurityGroupIngress) 50/5 in a bucket of their own; CreateTags and
  DeleteTags 100/10 (uncategorised). Over the limit: `RequestLimitExceeded`, a server
  error (HTTP 503).
- Resource Groups Tagging API: `ThrottledException`, HTTP 400; AWS publishes no rate
  for GetResources, so the preset assumes the ELBv2 describe figures (40/10).

A call takes one token from every bucket of its families (ELBv2: its category and the
account bucket); when any of them is empty the call is answered with the throttling
error and does nothing. The layer counts calls and throttled answers per family
(GET /moto-api/albatross/throttle). A moto reset turns throttling off again.

POST body (JSON): {"preset": "aws"} for AWS's figures, {"preset": "aws", "scale": 0.25}
for the same buckets refilled and sized at a quarter, {"families": {"elbv2-describe":
{"rate": 5, "burst": 10}}} to set families (the others off; merged over a preset when
both are given), {"preset": "off"} to turn everything off.
"""

import json
import threading
import time
import uuid
from typing import Any

from moto.core.responses import BaseResponse
from moto.moto_api._internal import models as moto_api_models
from moto.moto_api._internal import urls as moto_api_urls

_ELBV2_REGISTRATION = {"RegisterTargets", "DeregisterTargets"}
_ELBV2_HEAVY = {"CreateLoadBalancer", "SetSubnets"}
_EC2_SG_RULES = {"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"}
_EC2_TAGS = {"CreateTags", "DeleteTags"}

# family -> (burst, refill per second), from the AWS guides named above.
AWS_PRESET: dict[str, tuple[float, float]] = {
    "elbv2-account": (40, 10),
    "elbv2-describe": (40, 10),
    "elbv2-write": (20, 3),
    "elbv2-register": (20, 4),
    "elbv2-heavy": (10, 0.2),
    "ec2-describe": (100, 20),
    "ec2-write": (50, 5),
    "ec2-sg-rules": (50, 5),
    "ec2-tags": (100, 10),
    "tagging": (40, 10),
}


def _is_read(action: str) -> bool:
    return action.startswith(("Describe", "Get", "List"))


def families_of(service: str, action: str) -> list[str]:
    """The buckets a call draws from."""
    if service == "elbv2":
        if _is_read(action):
            category = "elbv2-describe"
        elif action in _ELBV2_REGISTRATION:
            category = "elbv2-register"
        elif action in _ELBV2_HEAVY:
            category = "elbv2-heavy"
        else:
            category = "elbv2-write"
        return [category, "elbv2-account"]
    if service == "ec2":
        if _is_read(action):
            return ["ec2-describe"]
        if action in _EC2_SG_RULES:
            return ["ec2-sg-rules"]
        if action in _EC2_TAGS:
            return ["ec2-tags"]
        return ["ec2-write"]
    if service == "resourcegroupstaggingapi":
        return ["tagging"]
    return []


class _Bucket:
    def __init__(self, burst: float, rate: float) -> None:
        self.burst = burst
        self.rate = rate
        self.tokens = burst
        self.at = time.monotonic()

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now


_lock = threading.Lock()
_buckets: dict[str, _Bucket] = {}
_calls: dict[str, int] = {}
_throttled: dict[str, int] = {}


def _configure(body: dict[str, Any]) -> None:
    preset = body.get("preset")
    scale = float(body.get("scale", 1))
    if scale <= 0:
        raise ValueError("scale must be above 0")
    figures: dict[str, tuple[float, float]] = {}
    if preset == "aws":
        figures = {name: (b * scale, r * scale) for name, (b, r) in AWS_PRESET.items()}
    elif preset not in (None, "off"):
        raise ValueError(f"unknown preset {preset!r}: aws or off")
    for name, spec in (body.get("families") or {}).items():
        if name not in AWS_PRESET:
            raise ValueError(f"unknown family {name!r}: one of {', '.join(AWS_PRESET)}")
        rate, burst = float(spec["rate"]), float(spec["burst"])
        if rate <= 0 or burst < 1:
            raise ValueError(f"{name}: rate must be above 0 and burst at least 1")
        figures[name] = (burst, rate)
    with _lock:
        _buckets.clear()
        _calls.clear()
        _throttled.clear()
        for name, (burst, rate) in figures.items():
            # A bucket under one token could never admit a call: AWS's 10/0.2 scaled down
            # keeps at least one.
            _buckets[name] = _Bucket(max(1.0, burst), rate)


def _take(service: str, action: str) -> str | None:
    """Takes the call's tokens; returns the family that throttles it, if one does."""
    names = families_of(service, action)
    with _lock:
        if not _buckets:
            return None
        now = time.monotonic()
        held = [(n, _buckets[n]) for n in names if n in _buckets]
        for name, bucket in held:
            _calls[name] = _calls.get(name, 0) + 1
            bucket.refill(now)
        empty = next((name for name, bucket in held if bucket.tokens < 1), None)
        if empty is not None:
            _throttled[empty] = _throttled.get(empty, 0) + 1
            return empty
        for _, bucket in held:
            bucket.tokens -= 1
        return None


def _throttle_answer(service: str) -> tuple[int, dict[str, str], str]:
    request_id = str(uuid.uuid4())
    if service == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return 503, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body
    if service == "resourcegroupstaggingapi":
        body = json.dumps({"__type": "ThrottledException", "Message": "Rate exceeded"})
        return (
            400,
            {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id},
            body,
        )
    body = (
        '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'
        "<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return 400, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body


def _state() -> dict[str, Any]:
    with _lock:
        now = time.monotonic()
        for bucket in _buckets.values():
            bucket.refill(now)
        return {
            "enabled": bool(_buckets),
            "families": {
                n: {"rate": b.rate, "burst": b.burst, "tokens": round(b.tokens, 3)}
                for n, b in _buckets.items()
            },
            "calls": dict(_calls),
            "throttled": dict(_throttled),
        }


def _install() -> None:
    original = BaseResponse.call_action

    def call_action(self: Any) -> Any:
        service = getattr(self, "service_name", None) or ""
        if _buckets and service in ("elbv2", "ec2", "resourcegroupstaggingapi"):
            if _take(service, self._get_action()) is not None:
                return _throttle_answer(service)
        return original(self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]

    def endpoint(request: Any, full_url: str, headers: Any) -> Any:
        if request.method == "GET":
            return 200, {}, json.dumps(_state())
        if request.method != "POST":
            return 405, {}, '{"Error": "GET, or POST a JSON body"}'
        raw = request.get_data(as_text=True) if hasattr(request, "get_data") else ""
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            _configure(body)
        except (ValueError, KeyError, TypeError) as err:
            return 400, {}, json.dumps({"Error": str(err)})
        return 200, {}, json.dumps(_state())

    moto_api_urls.url_paths["{0}/moto-api/albatross/throttle$"] = endpoint

    reset = moto_api_models.MotoAPIBackend.reset

    def reset_without_throttling(self: Any) -> None:
        reset(self)
        _configure({})

    moto_api_models.MotoAPIBackend.reset = reset_without_throttling


_install()
