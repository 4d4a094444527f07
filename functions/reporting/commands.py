"""Commands: what a caller may ask of reporting, validated field by field (pydantic)."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field

from functions.reporting.model import DEFAULT_LOW_STOCK, DEFAULT_TOP, MAX_TOP, Bucket
from functions.runtime.commands import Command


class SalesReportQuery(Command):
    """The query string of GET /api/admin/reports/sales."""

    model_config = ConfigDict(populate_by_name=True)

    start: AwareDatetime | None = Field(default=None, alias="from")
    end: AwareDatetime | None = Field(default=None, alias="to")
    bucket: Bucket = "hour"
    top: int = Field(default=DEFAULT_TOP, ge=1, le=MAX_TOP)
    low_stock: int = Field(default=DEFAULT_LOW_STOCK, ge=0, le=1_000_000)
