"""The base of every response model and the shared values they name (`shared.yaml` schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, WithJsonSchema

SHARED = "x-shared-schema"


def shared(name: str) -> WithJsonSchema:
    """Return a JSON Schema that the builder turns into a `$ref` to the shared schema `name`."""
    # Not the $ref itself: pydantic would look it up among the model's own definitions.
    return WithJsonSchema({SHARED: name})


class Shape(BaseModel):
    """An answer's body as the API sends it: closed, so it says exactly what is sent today."""

    # Built when the OpenAPI document is made, not when a function process imports its operations.
    model_config = ConfigDict(extra="forbid", defer_build=True)


Uuid = Annotated[UUID, shared("Uuid")]
Timestamp = Annotated[datetime, shared("Timestamp")]
