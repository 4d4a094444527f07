"""Kong's `env` vault, offline: resolve `{vault://env/<name>}` references in a declarative config.

Kong resolves a reference `{vault://env/my-secret}` from the environment variable `MY_SECRET`
(the resource name with `-` turned into `_`, upper-cased, after an optional `?prefix=`), and
`{vault://env/my-secret/key}` from the JSON object in `MY_SECRET`, field `key`. The local gateway
does the same before it reads plugins and consumers, and the cluster's deploy script can use
`resolve_references` to render the file it hands to Kong (Kong resolves references only in
fields its schemas mark referenceable; rendering first makes any field work).

Values are looked up in the mapping the caller passes (the local runtime's secrets) first, then
in `environ` (the process environment by default). A reference that resolves to nothing is an
error naming the reference and where it is, never an empty string.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

__all__ = ["VaultError", "env_var_name", "is_reference", "resolve_references", "secrets_env"]

_PREFIX = "{vault://"


class VaultError(ValueError):
    """A vault reference that cannot be resolved (unknown vault, unset variable, bad JSON)."""


def is_reference(value: object) -> bool:
    """Whether value is a whole-string vault reference, as Kong recognises one."""
    return isinstance(value, str) and value.startswith(_PREFIX) and value.endswith("}")


def env_var_name(resource: str, prefix: str = "") -> str:
    """Return the variable Kong's env vault reads for resource: `-` -> `_`, upper-cased."""
    return (prefix + resource).replace("-", "_").upper()


def secrets_env(secrets: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """Return the runtime's Secret values as env-vault variables: (secret, key) -> SECRET_KEY.

    `-` and `.` become `_`, upper-cased: Secret `ecom-jwt` key `public.pem` is `ECOM_JWT_PUBLIC_PEM`,
    which `{vault://env/ecom-jwt-public-pem}` reads (in the cluster, give Kong that variable from
    the same Secret with a secretKeyRef).
    """
    return {f"{name}_{key}".replace("-", "_").replace(".", "_").upper(): value
            for (name, key), value in secrets.items()}


def resolve_references(config: Any, env: Mapping[str, str] | None = None, *,
                       environ: Mapping[str, str] | None = None, where: str = "kong config") -> Any:
    """Return a copy of config with every `{vault://env/...}` string replaced by its value.

    env is consulted first, then environ (os.environ when None). Raise VaultError naming the
    reference and its location when it cannot be resolved.
    """
    sources = (env or {}, os.environ if environ is None else environ)
    return _walk(config, sources, where)


def _walk(node: Any, sources: tuple[Mapping[str, str], ...], path: str) -> Any:
    if isinstance(node, dict):
        return {k: _walk(v, sources, f"{path}.{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, sources, f"{path}[{i}]") for i, v in enumerate(node)]
    if isinstance(node, str) and node.startswith(_PREFIX):
        return _resolve(node, sources, path)
    return node


def _resolve(reference: str, sources: tuple[Mapping[str, str], ...], path: str) -> str:
    if not reference.endswith("}"):
        raise VaultError(f"{path}: malformed vault reference {reference!r} (no closing '}}')")
    body = reference[len(_PREFIX):-1]
    body, _, fragment = body.partition("#")
    body, _, query = body.partition("?")
    vault, _, resource = body.partition("/")
    if vault != "env":
        raise VaultError(f"{path}: {reference}: the local gateway resolves only the 'env' vault, "
                         f"not {vault!r}")
    if fragment:
        raise VaultError(f"{path}: {reference}: the env vault has no versions (drop '#{fragment}')")
    name, _, key = resource.partition("/")
    if not name:
        raise VaultError(f"{path}: {reference}: no variable name")
    prefix = ""
    if query:
        options = parse_qs(query, keep_blank_values=True)
        unknown = set(options) - {"prefix"}
        if unknown:
            raise VaultError(f"{path}: {reference}: unknown env vault option(s) {sorted(unknown)}")
        prefix = options.get("prefix", [""])[-1]
    variable = env_var_name(name, prefix)
    value = next((source[variable] for source in sources if variable in source), None)
    if value is None:
        raise VaultError(f"{path}: cannot resolve {reference}: {variable} is set neither in the "
                         f"gateway's secrets nor in the environment")
    if not key:
        return value
    try:
        document = json.loads(value)
    except ValueError:
        raise VaultError(f"{path}: {reference}: {variable} is not JSON, so it has no key {key!r}") from None
    if not isinstance(document, dict) or key not in document:
        raise VaultError(f"{path}: {reference}: {variable} has no key {key!r}")
    return str(document[key])
