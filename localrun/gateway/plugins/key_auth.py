"""Kong's key-auth plugin (priority 1250), as in Kong 3.9's kong/plugins/key-auth/handler.lua.

Read upstream (github kong/kong, kong/plugins/key-auth/handler.lua and schema.lua): the key is
looked up per name of `key_names` (default `apikey`) in the request headers (`key_in_header`),
then the query string (`key_in_query`), then the body (`key_in_body`); a name given twice is
401 "Duplicate API key found"; no key (or an empty one) is 401 "No API key found in request"
with `WWW-Authenticate: Key` (`Key realm="<realm>"` when configured); a key no credential has is
401 "Unauthorized" (3.x: "Invalid authentication credentials" before). Errors are
`kong.response.error`, so they use the error template (message and request_id). On success the
consumer is authenticated and `X-Consumer-ID`, `-Custom-ID`, `-Username`, `X-Credential-Identifier`
are set upstream (or cleared when the consumer has none: a client cannot smuggle its own),
`X-Anonymous-Consumer` cleared; `hide_credentials` removes the key from the upstream request.
`anonymous` makes failures pass as that consumer (logical OR with other auth plugins).

Not reproduced: `key_in_body` (load error: no route of ours reads keys from bodies), credential
`ttl` (DB-less Kong has no TTLs either).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from localrun.gateway.plugins.base import Exit, Plugin, RequestContext, exit_error
from localrun.gateway.plugins.consumers import KeyAuthCredential, KongConsumer, authenticate
from localrun.gateway.plugins.schema import Field

NO_KEY = "No API key found in request"
DUPLICATE = "Duplicate API key found"
INVALID = "Unauthorized"


class KeyAuth(Plugin):
    """Authenticates a consumer by an API key; 401 with Kong's messages otherwise."""

    name = "key-auth"
    priority = 1250
    fields = {
        "key_names": Field("array", default=["apikey"]),
        "hide_credentials": Field("boolean", default=False),
        "anonymous": Field("string"),
        "key_in_header": Field("boolean", default=True),
        "key_in_query": Field("boolean", default=True),
        "key_in_body": Field("boolean", default=False),
        "run_on_preflight": Field("boolean", default=True),
        "realm": Field("string"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        if not c["key_names"]:
            raise ValueError(f"{self.where}: config.key_names: length must be at least 1")
        if c["key_in_body"]:
            raise ValueError(f"{self.where}: config.key_in_body is not supported by the local gateway")
        self.key_names = tuple(c["key_names"])
        self.in_header, self.in_query = c["key_in_header"], c["key_in_query"]
        self.hide: bool = c["hide_credentials"]
        self.run_on_preflight: bool = c["run_on_preflight"]
        consumers = self.runtime.consumers
        self.keys: dict[str, KeyAuthCredential] = consumers.keyauth_by_key
        self.anonymous: KongConsumer | None = None
        if c["anonymous"]:
            self.anonymous = consumers.find(c["anonymous"])
            if self.anonymous is None:
                raise ValueError(f"{self.where}: config.anonymous: no consumer with id or username "
                                 f"{c['anonymous']!r}")
        realm = f' realm="{c["realm"]}"' if c["realm"] else ""
        self.www = [("WWW-Authenticate", "Key" + realm)]

    def access(self, ctx: RequestContext) -> Exit | None:
        if not self.run_on_preflight and ctx.method == "OPTIONS":
            return None
        if self.anonymous is not None and ctx.credential is not None:
            return None  # already authenticated by another plugin: logical OR
        credential, error = self._authenticate(ctx)
        if credential is not None:
            set_consumer(ctx, credential.consumer, credential)
            return None
        if self.anonymous is not None:
            set_consumer(ctx, self.anonymous, None)
            return None
        return exit_error(401, error, ctx.request_id, self.www)

    def _authenticate(self, ctx: RequestContext) -> tuple[KeyAuthCredential | None, str]:
        key: str | None = None
        for name in self.key_names:
            values: list[str] = []
            if self.in_header:
                values = ctx.headers.get_all(name) or []
            if not values and self.in_query:
                values = [unquote_plus(v) for k, _, v in (p.partition("=") for p in ctx.query.split("&") if p)
                          if unquote_plus(k) == name]
            if len(values) > 1:
                return None, DUPLICATE  # kong.request.get_headers/get_query give a table
            if values:
                key = values[0]
                if self.hide:
                    ctx.clear_upstream_header(name)
                    ctx.query = "&".join(p for p in ctx.query.split("&")
                                         if p and unquote_plus(p.partition("=")[0]) != name)
                break
        if not key:
            return None, NO_KEY
        credential = self.keys.get(key)
        if credential is None:
            return None, INVALID
        return credential, ""


def set_consumer(ctx: RequestContext, consumer: KongConsumer, credential: KeyAuthCredential | None) -> None:
    """key-auth's set_consumer: kong.client.authenticate and the X-Consumer-* upstream headers."""
    authenticate(ctx, consumer, credential, credential.id if credential else None)
