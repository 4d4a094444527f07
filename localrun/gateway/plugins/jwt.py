"""Kong's jwt plugin (priority 1450), as in Kong 3.9's handler.lua and jwt_parser.lua.

Tokens come from the configured query parameters, then cookies, then `Bearer` headers; several
different tokens are refused. The credential is found by the `key_claim_name` claim (or header
field), and the token's header `alg` must equal the credential's algorithm before the signature
is checked with the credential's secret (HS*) or public key (others), by PyJWT's algorithms;
`none` is not an algorithm.
Claims are checked only when listed in `claims_to_verify`. Keys are parsed once, at load.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import unquote_plus

from localrun.gateway.plugins.base import Exit, Plugin, RequestContext, exit_json
from localrun.gateway.plugins.consumers import (
    ALGORITHMS,
    HMAC_ALGORITHMS,
    JwtCredential,
    KongConsumer,
    authenticate,
    jws_algorithm,
)
from localrun.gateway.plugins.schema import Field

_BEARER = re.compile(r"\s*[Bb]earer\s+(.+)")  # ngx.re.gmatch: the first match anywhere

_HMAC = {name: jws_algorithm(name) for name in HMAC_ALGORITHMS}  # PyJWT's HS256/384/512


def b64url_decode(text: str) -> bytes | None:
    """jwt_parser's base64_decode: pad, url-safe to standard alphabet, None when invalid."""
    if len(text) % 4:
        text += "=" * (4 - len(text) % 4)
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


class Token:
    """A decoded JWT: the raw segments, header, claims and signature bytes."""

    __slots__ = ("signing_input", "header", "claims", "signature")

    def __init__(self, signing_input: bytes, header: dict[str, Any], claims: Any, signature: bytes) -> None:
        self.signing_input, self.header = signing_input, header
        self.claims, self.signature = claims, signature


def decode_token(token: str) -> tuple[Token | None, str | None]:
    """Return (token, None) or (None, error) with jwt_parser's error strings."""
    parts = token.split(".", 2)  # Kong's tokenize(token, ".", 3): the third part keeps any dots
    try:
        if len(parts) < 2:
            raise ValueError("no claims")
        header = json.loads(b64url_decode(parts[0]))  # type: ignore[arg-type]
        claims = json.loads(b64url_decode(parts[1]))  # type: ignore[arg-type]
        signature = b64url_decode(parts[2]) if len(parts) == 3 else None
    except (TypeError, ValueError):
        return None, "invalid JSON"
    alg = header.get("alg") if isinstance(header, dict) else None
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        return None, "invalid alg"
    if claims is None or claims is False:
        return None, "invalid claims"
    if signature is None:
        return None, "invalid signature"
    return Token(f"{parts[0]}.{parts[1]}".encode(), header, claims if isinstance(claims, dict) else {},
                 signature), None


def parse_query(query: str) -> dict[str, list[str | bool]]:
    """ngx.req.get_uri_args: a bare name is `true`, repeated names collect every value."""
    args: dict[str, list[str | bool]] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        args.setdefault(unquote_plus(name), []).append(unquote_plus(value) if eq else True)
    return args


def cookie(header: str | None, name: str) -> str | None:
    """nginx's $cookie_<name>: the first cookie of that name."""
    if not header:
        return None
    for part in header.split(";"):
        key, eq, value = part.strip().partition("=")
        if eq and key.lower() == name.lower():
            return value
    return None


class Jwt(Plugin):
    """Authenticates a consumer by a signed JWT; 401 with Kong's messages otherwise."""

    name = "jwt"
    priority = 1450
    fields = {
        "uri_param_names": Field("set", default=["jwt"]),
        "cookie_names": Field("set", default=[]),
        "header_names": Field("set", default=["authorization"]),
        "key_claim_name": Field("string", default="iss"),
        "secret_is_base64": Field("boolean", default=False),
        "claims_to_verify": Field("set", elements_one_of=("exp", "nbf")),
        "anonymous": Field("string"),
        "run_on_preflight": Field("boolean", default=True),
        "maximum_expiration": Field("number", default=0, between=(0, 31536000)),
        "realm": Field("string"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        self.claims = tuple(c["claims_to_verify"] or ())
        self.max_exp = c["maximum_expiration"]
        if self.max_exp > 0 and "exp" not in self.claims:
            raise ValueError(f"{self.where}: config.claims_to_verify must contain 'exp' "
                             f"when config.maximum_expiration is set")
        self.uri_params = tuple(c["uri_param_names"])
        self.cookies = tuple(c["cookie_names"])
        self.header_names = tuple(c["header_names"])
        self.key_claim: str = c["key_claim_name"]
        self.run_on_preflight: bool = c["run_on_preflight"]
        consumers = self.runtime.consumers
        self.credentials: dict[str, JwtCredential] = consumers.jwt_by_key
        self.anonymous: KongConsumer | None = None
        if c["anonymous"]:
            self.anonymous = consumers.find(c["anonymous"])
            if self.anonymous is None:
                raise ValueError(f"{self.where}: config.anonymous: no consumer with id or username "
                                 f"{c['anonymous']!r}")
        base = f'Bearer realm="{c["realm"]}"' if c["realm"] else "Bearer"
        self.www_missing = [("WWW-Authenticate", base)]
        self.www_invalid = [("WWW-Authenticate", base + ' error="invalid_token"')]
        # HS secrets as bytes; Kong 3.9 base64-decodes only these, never rsa_public_key.
        self.secrets: dict[str, bytes | None] = {}
        for cred in self.credentials.values():
            if cred.algorithm in HMAC_ALGORITHMS and cred.secret is not None:
                self.secrets[cred.key] = (b64url_decode(cred.secret) if c["secret_is_base64"]
                                          else cred.secret.encode())

    def access(self, ctx: RequestContext) -> Exit | None:
        if not self.run_on_preflight and ctx.method == "OPTIONS":
            return None
        if self.anonymous is not None:  # logical OR with other auth: never refuses
            if ctx.credential is None and self.authenticate(ctx) is not None:
                self.set_consumer(ctx, self.anonymous, None)
            return None
        return self.authenticate(ctx)

    def _unauthorized(self, message: str) -> Exit:
        return exit_json(401, {"message": message}, self.www_invalid)

    def tokens(self, ctx: RequestContext) -> list[str | bool]:
        """Return the distinct tokens in the request, where Kong looks for them."""
        found: dict[str | bool, None] = {}
        if self.uri_params and ctx.query:
            args = parse_query(ctx.query)
            for name in self.uri_params:
                for value in args.get(name, ()):
                    if value != "":
                        found[value] = None
        for name in self.cookies:
            value = cookie(ctx.header("Cookie"), name)
            if value:
                found[value] = None
        for name in self.header_names:
            value = ctx.header(name)
            if value is not None and (m := _BEARER.search(value)):
                found[m.group(1)] = None
        return list(found)

    def authenticate(self, ctx: RequestContext) -> Exit | None:
        """Return None with the consumer set on ctx, or the Exit Kong answers with."""
        tokens = self.tokens(ctx)
        if not tokens:
            return exit_json(401, {"message": "Unauthorized"}, self.www_missing)
        if len(tokens) > 1:
            return self._unauthorized("Multiple tokens provided")
        token_text = tokens[0]
        if not isinstance(token_text, str):
            return self._unauthorized("Unrecognizable token")
        token, error = decode_token(token_text)
        if token is None:
            return self._unauthorized(f"Bad token; {error}")
        key = token.claims.get(self.key_claim)
        if key is None or key is False:
            key = token.header.get(self.key_claim)
        if key is None or key is False:
            return self._unauthorized(f"No mandatory '{self.key_claim}' in claims")
        if key == "":
            return self._unauthorized(f"Invalid '{self.key_claim}' in claims")
        credential = self.credentials.get(key) if isinstance(key, str) else None
        if credential is None:
            return self._unauthorized(f"No credentials found for given '{self.key_claim}'")
        algorithm = credential.algorithm
        if token.header["alg"] != algorithm:
            return self._unauthorized("Invalid algorithm")
        if algorithm in HMAC_ALGORITHMS:
            secret = self.secrets.get(credential.key)
            if secret is None:
                return self._unauthorized("Invalid key/secret")
            # PyJWT's HMAC over the raw secret: its prepare_key would refuse a PEM-looking
            # secret, which Kong accepts.
            valid = _HMAC[algorithm].verify(token.signing_input, secret, token.signature)
        else:
            valid = credential.verify(token.signing_input, token.signature)  # type: ignore[misc]
        if not valid:
            return self._unauthorized("Invalid signature")
        if self.claims and (errors := self.claim_errors(token.claims)):
            return exit_json(401, errors, self.www_invalid)
        if self.max_exp > 0:
            exp = token.claims.get("exp")
            if not _is_number(exp) or exp - int(self.runtime.clock()) > self.max_exp:
                return exit_json(401, {"exp": "exceeds maximum allowed expiration"}, self.www_invalid)
        self.set_consumer(ctx, credential.consumer, credential)
        return None

    def claim_errors(self, claims: dict[str, Any]) -> dict[str, str]:
        """jwt_parser's verify_registered_claims: {claim: problem} for the configured claims."""
        now = int(self.runtime.clock())  # ngx.time(): whole seconds
        errors: dict[str, str] = {}
        for name in self.claims:
            value = claims.get(name)
            if not _is_number(value):
                errors[name] = "must be a number"
            elif name == "exp" and value <= now:
                errors[name] = "token expired"
            elif name == "nbf" and value > now:
                errors[name] = "token not valid yet"
        return errors

    @staticmethod
    def set_consumer(ctx: RequestContext, consumer: KongConsumer, credential: JwtCredential | None) -> None:
        """kong.client.authenticate plus the X-Consumer-* upstream headers (set or cleared)."""
        authenticate(ctx, consumer, credential, credential.key if credential else None)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
