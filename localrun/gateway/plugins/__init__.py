"""The Kong plugins we use, enforced by the local gateway with Kong 3.9's behaviour.

Read from the same declarative file as Kong (`plugins[]`, `services[].plugins[]`,
`services[].routes[].plugins[]`, `consumers[]` with `jwt_secrets[]`); `{vault://env/...}`
references are resolved first (`localrun.gateway.vault`). One chain per route is computed at load:
route beats service beats global for each plugin name, disabled declarations are absent, and
the chain runs in Kong's priority order: pre-function 1000000, correlation-id 100001, cors 2000,
jwt 1450, key-auth 1250, request-size-limiting 951, rate-limiting 910, prometheus 13 (in the log
phase, after the answer: prometheus.py), post-function -1000. key-auth: key_auth.py; the serverless plugins run
the Python twins of the Lua chunks kong.yaml uses: serverless.py.
`access` runs before proxying (an answer short-circuits, later plugins do not run); every
chained plugin's `header_filter` runs on the response, whether it came from the upstream or
from the gateway (so CORS and correlation headers are on 401s, 429s and 502s too).

Reproduced from Kong 3.9 (handler.lua / schema.lua of each plugin):
- config defaults and validation (unknown plugin or config field -> error at load);
- correlation-id: header set upstream only when absent (an empty one counts as present),
  generators uuid / uuid#counter (per-process uuid + counter) / tracker, echo_downstream;
- request-size-limiting: Content-Length checked without reading the body, otherwise the body
  is read and measured; 413 (417 with `Expect: 100-continue`) "Request size limit exceeded";
  411 "A valid Content-Length header is required" when required and not chunked;
- cors: preflight = OPTIONS with Origin and Access-Control-Request-Method on a route that
  matches OPTIONS (otherwise Kong's 404: the route must allow OPTIONS), answered 200 with no body
  by the gateway unless preflight_continue; origins `*` / literal / regex (anchored, by host when
  the entry has no `:`); `Vary: Origin` where the answer depends on the origin; credentials
  with `*` echo the request's origin; exposed headers; private_network;
- jwt: tokens from uri_param_names, cookie_names, header_names (`Bearer`), several distinct
  tokens refused; key claim (claims, then token header); alg must equal the credential's;
  HS*/RS*/PS*/ES*/EdDSA; claims_to_verify exp/nbf; maximum_expiration; run_on_preflight;
  anonymous (logical OR, X-Anonymous-Consumer); every 401 body and WWW-Authenticate header
  of 3.9 (`Bearer` [realm], `error="invalid_token"` unless the token is missing); upstream
  X-Consumer-ID / -Custom-ID / -Username and X-Credential-Identifier set or cleared;
- rate-limiting: second..year, limit_by consumer|credential|ip|service|header|path with the
  fallback to the client ip (the TCP peer: no trusted proxies), counters per declaration
  (a global or service-level limit is shared by its routes), fixed UTC windows, RateLimit-*
  and X-RateLimit-*-<Period> headers, 429 (error_code) with Retry-After, hide_client_headers
  (which in Kong also drops Retry-After), error_message;
- kong.response.exit bodies as lua-cjson writes them (`{"message":"Unauthorized"}`, `/`
  escaped) and kong.response.error bodies with Kong 3.9's template including `request_id`
  (the same id as the X-Kong-Request-Id header);
- gateway-made answers: `Content-Type: application/json; charset=utf-8` (when there is a body),
  `Server: kong/<version>`, X-Kong-Response-Latency, X-Kong-Request-Id, no `Via`; proxied ones
  keep the upstream's headers and get `Via`, latency headers and X-Kong-Request-Id (also sent
  upstream, Kong's default `headers_upstream`); no route matched -> no plugin runs (Kong's 404).

Not reproduced:
- on upstream answers, cors adds `Vary: Origin` next to the upstream's Vary (once) rather than
  relying on nginx's header merge;
- policies `cluster` and `redis` (load error), consumer-scoped plugins and consumer groups
  (load error), dynamic plugin ordering; prometheus' upstream health, AI, memory and timer metrics;
- Accept-based error formats (HTML/XML/plain): gateway answers are always JSON;
- Kong's 500s on malformed inputs it does not guard against (a JWT header or claims that are
  JSON but not objects, an empty Origin with several origins): we answer the closest 401 or
  treat the origin as unmatched; an ES signature of the wrong size is "Invalid signature";
- rate-limit check-then-increment races (ours is atomic), sync_rate, fault_tolerant (the
  in-memory store cannot fail); counters are per gateway process, like `local` per Kong node;
- entity ids: consumers and credentials without `id` get stable UUIDv5s, not Kong's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from localrun.gateway.kong import Router, load_kong
from localrun.gateway.plugins.base import Chain, Exit, Plugin, RequestContext
from localrun.gateway.plugins.config import PLUGINS, GatewayPlugins, build_plugins
from localrun.gateway.plugins.consumers import Consumers, JwtCredential, KongConsumer
from localrun.gateway.vault import resolve_references

__all__ = ["PLUGINS", "Chain", "KongConsumer", "Consumers", "Exit", "GatewayPlugins", "JwtCredential",
           "Plugin", "RequestContext", "build_plugins", "load_gateway"]


def load_gateway(path: Path, env: Mapping[str, str] | None = None, *,
                 clock: Callable[[], float] | None = None) -> tuple[Router, GatewayPlugins]:
    """Return the Router and plugins of the declarative file at path, references resolved.

    env is looked up before os.environ for `{vault://env/...}`; raise ValueError (naming the
    file) when the file, a reference or a plugin is unusable.
    """
    config = resolve_references(load_kong(path), env, where=str(path))
    return Router(config), build_plugins(config, clock=clock, where=str(path))
