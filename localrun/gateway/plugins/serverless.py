"""Kong's serverless plugins `pre-function` (priority 1000000) and `post-function` (-1000).

Kong 3.9 (kong/plugins/pre-function, post-function, both built on
kong/plugins/pre-function/_handler.lua) compiles each config phase's array of Lua chunks
(`access`, `header_filter`, ...) in the sandbox (kong/tools/sandbox/environment/handler.lua:
the kong.* PDK, ngx.re.*, ngx.decode_base64, string.*, no `require`) and runs them in order.
pre-function's priority puts it before every other plugin, post-function's after them all.

The local gateway runs no Lua. It knows the chunks this repository's kong.yaml uses, each
paired here with a Python twin that does the same thing with the same PDK semantics (see
RequestContext: set_upstream_header / clear_upstream_header are kong.service.request.*, and
what they change is what later plugins read with kong.request.get_header). A chunk it does not
know is a load error naming it, never silently skipped. Chunks are compared line by line with
surrounding spaces stripped and blank lines dropped.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from localrun.gateway.plugins.base import BodyError, Exit, Headers, Plugin, RequestContext, remove_header
from localrun.gateway.plugins.schema import Field

PHASES = ("certificate", "rewrite", "access", "header_filter", "body_filter", "log")
SUPPORTED_PHASES = ("access", "header_filter")

RATE_SUBJECT = "X-Rate-Subject"

# A request id we pass on: a token of at most 200 visible characters, none that could split a
# log line or a header (no spaces, controls, quotes, commas or semicolons).
REQUEST_ID_LUA = r'''
local id = kong.request.get_header("X-Request-ID")
if id and not ngx.re.find(id, [[^[A-Za-z0-9._~:/+=@-]{1,200}$]], "jo") then
  kong.service.request.clear_header("X-Request-ID")
end
'''

# The verified token's subject for rate-limiting (`limit_by: header`): jwt (1450) checks the
# token after this chunk and before rate-limiting (910), so a forged one never reaches it.
RATE_SUBJECT_LUA = r'''
kong.service.request.clear_header("X-Rate-Subject")
local auth = kong.request.get_header("Authorization")
local m = auth and ngx.re.match(auth, [[^\s*[Bb]earer\s+[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.]], "jo")
if m then
  local b64 = m[1]:gsub("%-", "+"):gsub("_", "/")
  local claims = ngx.decode_base64(b64 .. string.rep("=", (4 - #b64 % 4) % 4))
  local sub = claims and claims:match('"sub"%s*:%s*"([^"\\]+)"')
  if sub then
    kong.service.request.set_header("X-Rate-Subject", sub)
  end
end
'''

# Gunicorn's (or any upstream's) Server header never reaches a client; Kong's own is off
# (KONG_HEADERS without server_tokens, knative/kong/gateway.yaml).
CLEAR_SERVER_LUA = r'''
kong.response.clear_header("Server")
'''

# On POST /events, after key-auth (1250) has named the producer: the event's type (binary mode's
# ce-type, or a structured event's `type`) must be one the producer's consumer is tagged with
# (`event~<type>`, kept equal to events/catalog.yaml's outside_producers by a test). The answer
# is the ingress's own problem, so the cluster, where eventing-rabbitmq's ingress checks no
# types, refuses exactly what the local ingress does.
EVENT_TYPE_LUA = r'''
local t = kong.request.get_header("ce-type")
if not t then
  local content_type = string.lower(kong.request.get_header("Content-Type") or "")
  if string.find(content_type, "application/cloudevents+json", 1, true) == 1 then
    local body = kong.request.get_body("application/json")
    if type(body) == "table" and type(body.type) == "string" then
      t = body.type
    end
  end
end
if t then
  local consumer = kong.client.get_consumer()
  local allowed = false
  for _, tag in ipairs(consumer and consumer.tags or {}) do
    if tag == "event~" .. t then
      allowed = true
    end
  end
  if not allowed then
    local who = consumer and ("producer '" .. (consumer.username or consumer.custom_id) .. "'")
                or "a caller without a producer credential"
    local named = ngx.re.find(t, [[^[A-Za-z0-9._-]{1,200}$]], "jo") and t or "this type"
    return kong.response.exit(403, '{"type": "https://ecom.example/problems/event-type-not-allowed", ' ..
      '"title": "Event type not allowed", "status": 403, "detail": "' .. named .. ' may not be sent by ' ..
      who .. ' (events/catalog.yaml, outside_producers)", "errors": [{"field": "type", ' ..
      '"message": "not allowed for this producer"}]}', { ["Content-Type"] = "application/problem+json" })
  end
end
'''
EVENT_TAG = "event~"

_REQUEST_ID = re.compile(r"[A-Za-z0-9._~:/+=@-]{1,200}")
_EVENT_TYPE_NAME = re.compile(r"[A-Za-z0-9._-]{1,200}")
_BEARER = re.compile(r"\s*[Bb]earer\s+[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.")
_SUB = re.compile(r'"sub"\s*:\s*"([^"\\]+)"')


def _request_id(ctx: RequestContext) -> None:
    value = ctx.header("X-Request-ID")
    if value is not None and not _REQUEST_ID.fullmatch(value):
        ctx.clear_upstream_header("X-Request-ID")


def _rate_subject(ctx: RequestContext) -> None:
    ctx.clear_upstream_header(RATE_SUBJECT)
    auth = ctx.header("Authorization")
    m = _BEARER.match(auth) if auth else None
    if m is None:
        return
    b64 = m[1].replace("-", "+").replace("_", "/")
    try:  # ngx.decode_base64 answers nil for invalid input
        claims = base64.b64decode(b64 + "=" * ((4 - len(b64) % 4) % 4), validate=True).decode("latin-1")
    except (binascii.Error, ValueError):
        return
    sub = _SUB.search(claims)  # Lua's string.match: the first match
    if sub:
        ctx.set_upstream_header(RATE_SUBJECT, sub[1])


def _event_type_allowed(ctx: RequestContext) -> Exit | None:
    event_type = ctx.header("ce-type")
    if event_type is None and (ctx.header("Content-Type") or "").lower().startswith(
            "application/cloudevents+json"):
        try:  # kong.request.get_body answers nil for a body that is not JSON
            body = json.loads(ctx.body())
        except (ValueError, RecursionError, BodyError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("type"), str):
            event_type = body["type"]
    if event_type is None:
        return None
    consumer = ctx.consumer
    if consumer is not None and EVENT_TAG + event_type in consumer.tags:
        return None
    who = (f"producer '{consumer.username or consumer.custom_id}'" if consumer is not None
           else "a caller without a producer credential")
    named = event_type if _EVENT_TYPE_NAME.fullmatch(event_type) else "this type"
    body = ('{"type": "https://ecom.example/problems/event-type-not-allowed", '
            '"title": "Event type not allowed", "status": 403, "detail": "' + named + ' may not be sent by '
            + who + ' (events/catalog.yaml, outside_producers)", "errors": [{"field": "type", '
            '"message": "not allowed for this producer"}]}')
    return Exit(403, body.encode(), content_type="application/problem+json")


def _clear_server(ctx: RequestContext, status: int, headers: Headers) -> None:
    remove_header(headers, "Server")


def _normalize(chunk: str) -> str:
    return "\n".join(line.strip() for line in chunk.splitlines() if line.strip())


ACCESS: dict[str, Callable[[RequestContext], Exit | None]] = {
    _normalize(REQUEST_ID_LUA): _request_id,
    _normalize(RATE_SUBJECT_LUA): _rate_subject,
    _normalize(EVENT_TYPE_LUA): _event_type_allowed,
}
HEADER_FILTER: dict[str, Callable[[RequestContext, int, Headers], None]] = {
    _normalize(CLEAR_SERVER_LUA): _clear_server,
}


class _Serverless(Plugin):
    fields = {phase: Field("array", default=[]) for phase in PHASES}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for phase in PHASES:
            if self.config[phase] and phase not in SUPPORTED_PHASES:
                raise ValueError(f"{self.where}: config.{phase}: the local gateway runs only "
                                 f"{' and '.join(SUPPORTED_PHASES)} chunks")
        self._access = tuple(self._known(ACCESS, "access", c) for c in self.config["access"])
        self._filters = tuple(self._known(HEADER_FILTER, "header_filter", c)
                              for c in self.config["header_filter"])

    def _known(self, table: dict[str, Any], phase: str, chunk: str) -> Any:
        twin = table.get(_normalize(chunk))
        if twin is None:
            first = _normalize(chunk).split("\n", 1)[0]
            raise ValueError(f"{self.where}: config.{phase}: the local gateway has no Python twin for "
                             f"the Lua chunk starting {first!r} (see localrun/gateway/plugins/serverless.py)")
        return twin

    def access(self, ctx: RequestContext) -> Exit | None:
        for chunk in self._access:
            if (answer := chunk(ctx)) is not None:  # a chunk's kong.response.exit ends the phase
                return answer
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        for chunk in self._filters:
            chunk(ctx, status, headers)


class PreFunction(_Serverless):
    name = "pre-function"
    priority = 1000000


class PostFunction(_Serverless):
    name = "post-function"
    priority = -1000
