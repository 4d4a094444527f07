"""Consumers and their JWT credentials from the declarative file, keys parsed once at load.

Kong's jwt_secrets schema: `key` (unique; random when not given), `algorithm` (default HS256),
`secret` (random when not given), `rsa_public_key` (required for the RS/PS/ES/EdDSA families).
A consumer needs a `username` or a `custom_id`. Entities without an `id` get a stable UUIDv5
(Kong DB-less generates ids too; ours are stable across restarts but not byte-equal to Kong's).
"""

from __future__ import annotations

import secrets as _random
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localrun.gateway.plugins.base import RequestContext

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                         "PS256", "PS384", "PS512", "EdDSA")
ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS
_NAMESPACE = uuid.UUID("6f1f4a2e-64c1-5b3d-9d8e-1c7c2f0b7a11")
_CONSUMER_FIELDS = {"id", "username", "custom_id", "tags", "jwt_secrets", "keyauth_credentials", "plugins",
                    "created_at", "updated_at"}
# Kong 3.9 kong/plugins/key-auth/daos.lua: keyauth_credentials(id, consumer, key unique, ttl, tags).
_KEYAUTH_FIELDS = {"id", "key", "tags", "ttl", "created_at"}
_SECRET_FIELDS = {"id", "key", "algorithm", "secret", "rsa_public_key", "tags", "created_at"}


@dataclass(frozen=True, slots=True)
class KongConsumer:
    """A Kong consumer."""

    id: str
    username: str | None
    custom_id: str | None
    tags: tuple[str, ...] = ()  # what kong.client.get_consumer().tags gives a serverless chunk


@dataclass(frozen=True, slots=True)
class JwtCredential:
    """A consumer's jwt_secret; for asymmetric algorithms, `verify(signing_input, signature)`
    checks a signature with the key parsed once at load."""

    id: str
    key: str
    algorithm: str
    consumer: KongConsumer
    secret: str | None
    rsa_public_key: str | None
    public_key: Any = field(default=None, repr=False, compare=False)
    verify: Callable[[bytes, bytes], bool] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class KeyAuthCredential:
    """A consumer's keyauth_credential (the key-auth plugin's API key)."""

    id: str
    key: str = field(repr=False)
    consumer: KongConsumer


class Consumers:
    """Every consumer and credential, indexed for the lookups the plugins make."""

    def __init__(self, consumers: Iterable[KongConsumer] = (), credentials: Iterable[JwtCredential] = (),
                 keys: Iterable[KeyAuthCredential] = ()) -> None:
        self.consumers = tuple(consumers)
        self.jwt_by_key: dict[str, JwtCredential] = {c.key: c for c in credentials}
        self.keyauth_by_key: dict[str, KeyAuthCredential] = {c.key: c for c in keys}
        self._by_id = {c.id: c for c in self.consumers}
        self._by_username = {c.username: c for c in self.consumers if c.username is not None}

    def find(self, id_or_username: str) -> KongConsumer | None:
        """Look a consumer up as kong.client.load_consumer(x, by_username=true) does."""
        return self._by_id.get(id_or_username) or self._by_username.get(id_or_username)


def load_consumers(config: Mapping[str, Any], where: str = "kong config") -> Consumers:
    """Return the consumers[] of a declarative config; raise ValueError on the first bad one."""
    consumers: list[KongConsumer] = []
    credentials: list[JwtCredential] = []
    api_keys: list[KeyAuthCredential] = []
    usernames: set[str] = set()
    custom_ids: set[str] = set()
    for i, entity in enumerate(config.get("consumers") or []):
        here = f"{where}: consumers[{i}]"
        if not isinstance(entity, Mapping):
            raise ValueError(f"{here}: not a mapping")
        unknown = sorted(set(entity) - _CONSUMER_FIELDS)
        if unknown:
            raise ValueError(f"{here}: unknown field(s) {', '.join(unknown)}")
        if entity.get("plugins"):
            raise ValueError(f"{here}: consumer-scoped plugins are not supported by the local gateway")
        username, custom_id = entity.get("username"), entity.get("custom_id")
        if username is None and custom_id is None:
            raise ValueError(f"{here}: at least one of these fields must be non-empty: "
                             f"'custom_id', 'username'")
        for name, value, seen in (("username", username, usernames), ("custom_id", custom_id, custom_ids)):
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                raise ValueError(f"{here}: {name} must be a non-empty string")
            if value in seen:
                raise ValueError(f"{here}: duplicate {name} {value!r}")
            seen.add(value)
        here = f"{where}: consumer {username or custom_id!r}"
        default_id = uuid.uuid5(_NAMESPACE, f"consumers:{username}:{custom_id}")
        consumer = KongConsumer(str(entity.get("id") or default_id), username, custom_id,
                                tuple(entity.get("tags") or ()))
        consumers.append(consumer)
        for j, secret in enumerate(entity.get("jwt_secrets") or []):
            credentials.append(_credential(secret, consumer, f"{here} jwt_secrets[{j}]"))
        for j, entity_key in enumerate(entity.get("keyauth_credentials") or []):
            api_keys.append(_keyauth(entity_key, consumer, f"{here} keyauth_credentials[{j}]"))
    keys: set[str] = set()
    for credential in credentials:
        if credential.key in keys:
            raise ValueError(f"{where}: jwt_secrets key {credential.key!r} is used twice (keys are unique)")
        keys.add(credential.key)
    seen_api_keys: set[str] = set()
    for api_key in api_keys:  # the key is unique across consumers (daos.lua: unique = true)
        if api_key.key in seen_api_keys:
            raise ValueError(f"{where}: a keyauth_credentials key is used twice (keys are unique)")
        seen_api_keys.add(api_key.key)
    return Consumers(consumers, credentials, api_keys)


def _keyauth(entity: Any, consumer: KongConsumer, here: str) -> KeyAuthCredential:
    if not isinstance(entity, Mapping):
        raise ValueError(f"{here}: not a mapping")
    unknown = sorted(set(entity) - _KEYAUTH_FIELDS)
    if unknown:
        raise ValueError(f"{here}: unknown field(s) {', '.join(unknown)}")
    if entity.get("ttl") is not None:
        raise ValueError(f"{here}: ttl is not supported by the local gateway (DB-less Kong ignores it too)")
    key = entity.get("key")
    if key is None:
        key = _random.token_hex(16)  # Kong generates a random key when none is given
    if not isinstance(key, str) or not key:
        raise ValueError(f"{here}: key must be a non-empty string")
    return KeyAuthCredential(str(entity.get("id") or uuid.uuid5(_NAMESPACE, f"keyauth_credentials:{key}")),
                             key, consumer)


def _credential(entity: Any, consumer: KongConsumer, here: str) -> JwtCredential:
    if not isinstance(entity, Mapping):
        raise ValueError(f"{here}: not a mapping")
    unknown = sorted(set(entity) - _SECRET_FIELDS)
    if unknown:
        raise ValueError(f"{here}: unknown field(s) {', '.join(unknown)}")
    algorithm = entity.get("algorithm") or "HS256"
    if algorithm not in ALGORITHMS:
        raise ValueError(f"{here}: algorithm: expected one of: {', '.join(ALGORITHMS)}")
    for name in ("key", "secret", "rsa_public_key"):
        if entity.get(name) is not None and not isinstance(entity[name], str):
            raise ValueError(f"{here}: {name} must be a string")
    key = entity.get("key") or _random.token_hex(16)
    secret = entity.get("secret") or _random.token_hex(16)
    pem = entity.get("rsa_public_key")
    public_key = verify = None
    if algorithm in ASYMMETRIC_ALGORITHMS:
        if not pem:
            raise ValueError(f"{here}: rsa_public_key is required when algorithm is {algorithm}")
        public_key = parse_public_key(pem, algorithm, here)
        verify = make_verifier(algorithm, public_key)
    return JwtCredential(str(entity.get("id") or uuid.uuid5(_NAMESPACE, f"jwt_secrets:{key}")),
                         key, algorithm, consumer, secret, pem, public_key, verify)


def parse_public_key(pem: str, algorithm: str, here: str) -> Any:
    """Return the key object for pem; raise ValueError unless it suits algorithm."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{here}: rsa_public_key: invalid key ({exc})") from None
    wanted: tuple[type, ...] = {
        "R": (rsa.RSAPublicKey,), "P": (rsa.RSAPublicKey,), "E": (ec.EllipticCurvePublicKey,),
    }[algorithm[0]]
    if algorithm == "EdDSA":
        wanted = (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)
    if not isinstance(key, wanted):
        raise ValueError(f"{here}: rsa_public_key is not a key for {algorithm}")
    return key


def make_verifier(algorithm: str, key: Any) -> Callable[[bytes, bytes], bool]:
    """Return verify(data, signature) -> bool for an RS/PS/ES/EdDSA key, by PyJWT's algorithm."""
    jws = jws_algorithm(algorithm)

    def verify(data: bytes, signature: bytes) -> bool:
        try:
            return bool(jws.verify(data, key, signature))
        except (ValueError, TypeError):  # a signature of the wrong shape for the key
            return False
    return verify


def jws_algorithm(algorithm: str) -> Any:
    """Return PyJWT's implementation of a JWS algorithm (HS*, RS*, PS*, ES*, EdDSA)."""
    from jwt.algorithms import get_default_algorithms

    return get_default_algorithms()[algorithm]


CONSUMER_ID = "X-Consumer-ID"
CONSUMER_CUSTOM_ID = "X-Consumer-Custom-ID"
CONSUMER_USERNAME = "X-Consumer-Username"
CREDENTIAL_IDENTIFIER = "X-Credential-Identifier"
ANONYMOUS = "X-Anonymous-Consumer"


def authenticate(ctx: RequestContext, consumer: KongConsumer, credential: object | None,
                 identifier: str | None) -> None:
    """The auth plugins' set_consumer: kong.client.authenticate plus the X-Consumer-* upstream
    headers, set or cleared (`identifier` is the credential's: jwt's key, key-auth's id)."""
    ctx.consumer, ctx.credential = consumer, credential
    for header, value in ((CONSUMER_ID, consumer.id), (CONSUMER_CUSTOM_ID, consumer.custom_id),
                          (CONSUMER_USERNAME, consumer.username), (CREDENTIAL_IDENTIFIER, identifier)):
        if value:
            ctx.set_upstream_header(header, value)
        else:
            ctx.clear_upstream_header(header)
    if credential is not None:
        ctx.clear_upstream_header(ANONYMOUS)
    else:
        ctx.set_upstream_header(ANONYMOUS, "true")
