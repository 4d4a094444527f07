"""The domain's event handlers: functions-framework cloud_event targets, one per Trigger.

Scaffolded from knative/func-templates/python/cloudevents; README.md says what else a handler
needs. The broker delivers at least once, in binary mode: a handler must tolerate duplicates
(record the event's `source` + `id` in the domain's inbox in the same transaction as its effect).
Returning answers 200 (acked); raising answers 500, which the broker retries with backoff and
then dead-letters.
"""

from __future__ import annotations

import logging

import functions_framework
from cloudevents.http import CloudEvent

from functions.runtime.logs import configure_logging
from functions.runtime.settings import get_settings

__all__ = ["on_thing_happened"]

log = logging.getLogger(__name__)


@functions_framework.cloud_event
def on_thing_happened(event: CloudEvent) -> None:
    """Handle com.ecom.<domain>.<entity>.<verb> (replace with the event this handler reacts to)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.service_name)
    log.info("received %s %s from %s", event["type"], event["id"], event["source"])
