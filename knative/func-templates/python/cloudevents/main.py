"""The domain's event handlers: one target per handler, each fed by its Triggers.

Scaffolded from knative/func-templates/python/cloudevents; README.md says what else a handler
needs. `event_handler` takes the CloudEvent in binary or structured mode, validates its data
against the model, records `(source, id)` in the domain's inbox in the same transaction as the
effect (a redelivery changes nothing), and answers as the broker expects: 200 done, 400 a
rejection (recorded, never retried: bad data, or a domain error the handler raised), 5xx try
again later. The domain is the package the handler is written in (functions/<domain>/).
"""

from __future__ import annotations

from pydantic import ConfigDict

from functions.runtime.commands import Command
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["on_thing_happened"]
THING_HAPPENED = "com.ecom.example.thing.happened"  # move to the domain's events.py


class ThingHappened(Command):
    """The data this handler reads of the event (other fields are the producer's business)."""

    model_config = ConfigDict(extra="ignore")

    thing_id: str


@event_handler(types=(THING_HAPPENED,), data=ThingHappened, domain="example")
def on_thing_happened(uow: UnitOfWork, event: Event, data: ThingHappened) -> None:
    """Apply the event through `uow.conn` (replace with the handler's effect); raise a domain
    error (functions.runtime.exceptions) for an event the domain's rules refuse.

    Once in functions/<domain>/handlers.py, drop `domain=`: the package names it.
    """


answer_framework_errors_as_problems()
