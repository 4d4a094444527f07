"""Kong's correlation-id plugin (priority 100001): an id per request, upstream and optionally back."""

from __future__ import annotations

import itertools
import os
import time
import uuid

from localrun.gateway.plugins.base import Exit, Headers, Plugin, RequestContext, set_header
from localrun.gateway.plugins.schema import Field

_WORKER_UUID = str(uuid.uuid4())  # Kong: one per nginx worker, made in init_worker
_COUNTER = itertools.count(1)  # next() on itertools.count is atomic under the GIL


def _uuid(ctx: RequestContext) -> str:
    return str(uuid.uuid4())


def _uuid_counter(ctx: RequestContext) -> str:
    return f"{_WORKER_UUID}#{next(_COUNTER)}"


def _tracker(ctx: RequestContext) -> str:
    # server_addr-server_port-worker pid-connection serial-requests on it-now (ngx.now, ms precision)
    return (f"{ctx.server_addr}-{ctx.server_port}-{os.getpid()}-{ctx.connection_id}-"
            f"{ctx.connection_requests}-{time.time():.3f}")


GENERATORS = {"uuid": _uuid, "uuid#counter": _uuid_counter, "tracker": _tracker}


class CorrelationId(Plugin):
    """Sets `header_name` upstream when the client did not send it; echoes it when configured."""

    name = "correlation-id"
    priority = 100001
    fields = {
        "header_name": Field("string", default="Kong-Request-ID"),
        "generator": Field("string", default="uuid#counter", one_of=tuple(GENERATORS)),
        "echo_downstream": Field("boolean", default=False),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.header_name: str = self.config["header_name"]
        self.generate = GENERATORS[self.config["generator"]]
        self.echo: bool = self.config["echo_downstream"]

    def access(self, ctx: RequestContext) -> Exit | None:
        value = ctx.header(self.header_name)
        if value is None:  # an empty header is kept, as `kong.request.get_header` returns ""
            value = self.generate(ctx)
            ctx.set_upstream_header(self.header_name, value)
        if self.echo:
            ctx.state[self.name] = value
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        value = ctx.state.get(self.name) if self.echo else None
        if value:
            set_header(headers, self.header_name, value)
