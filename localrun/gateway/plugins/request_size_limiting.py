"""Kong's request-size-limiting plugin (priority 951): refuse bodies over a size."""

from __future__ import annotations

import math

from localrun.gateway.plugins.base import Exit, Plugin, RequestContext, exit_error
from localrun.gateway.plugins.schema import Field

UNITS = {"megabytes": 1048576, "kilobytes": 1024, "bytes": 1}


def lua_tonumber(text: str) -> float | None:
    """Lua's tonumber for a header value: decimal (or 0x hex) with surrounding space, else None."""
    text = text.strip()
    try:
        value = float(int(text, 16)) if text[:2].lower() == "0x" else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # LuaJIT does not read "inf" or "nan"


class RequestSizeLimiting(Plugin):
    """413 (417 after `Expect: 100-continue`) over the limit; 411 without a length when required."""

    name = "request-size-limiting"
    priority = 951
    fields = {
        "allowed_payload_size": Field("integer", default=128),
        "size_unit": Field("string", default="megabytes", one_of=tuple(UNITS)),
        "require_content_length": Field("boolean", default=False),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.allowed_bytes = self.config["allowed_payload_size"] * UNITS[self.config["size_unit"]]
        self.require_length: bool = self.config["require_content_length"]

    def access(self, ctx: RequestContext) -> Exit | None:
        length = ctx.header("Content-Length")
        size = lua_tonumber(length) if length is not None else None
        if size is None:
            # Kong compares the header with "chunked" exactly.
            if self.require_length and ctx.header("Transfer-Encoding") != "chunked":
                return exit_error(411, "A valid Content-Length header is required", ctx.request_id)
            size = len(ctx.body())  # Kong reads the body to measure it
        if size > self.allowed_bytes:
            expect = (ctx.header("Expect") or "").lower().strip()
            status = 417 if expect == "100-continue" else 413
            return exit_error(status, "Request size limit exceeded", ctx.request_id)
        return None
