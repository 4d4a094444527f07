"""The base of every command: unknown fields are refused; patches tell what was sent."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from functions.runtime.skus import SKU_PATTERN

Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]


class Command(BaseModel):
    # Each model's validator is built on its first use, not at import: a function process builds
    # only the few its own target validates (bench/cold_start.py).
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Patch(Command):
    """A partial update: fields left out stay as they are; null only where a field allows it."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for fields the caller sent: defaults are not validated.
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict[str, Any]:
        """Return only the fields the caller sent."""
        return {name: getattr(self, name) for name in self.model_fields_set}
