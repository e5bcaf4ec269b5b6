"""SQL expressions the analytics queries share, written once per backend.

The audit payload is JSON in a text column. Several fields are read as one JSON array
(``json_extract`` with several paths on SQLite parses the payload once per row), decoded in
Python per group rather than per event.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, String, cast, func, literal, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import KeyedColumnElement


class Sql:
    """Dialect-specific pieces: JSON fields, days, weeks, durations, payload validity."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def fields(self, payload: KeyedColumnElement[Any], names: Sequence[str]) -> ColumnElement[str]:
        """The payload fields `names` (two or more) as one JSON array text; see `decode`."""
        if len(names) < 2:
            raise ValueError("fields() reads two or more fields")
        if self.pg:
            doc = cast(payload, JSONB)
            return cast(func.jsonb_build_array(*[doc[n] for n in names]), String)
        return func.json_extract(payload, *[f"$.{n}" for n in names])

    def field(self, payload: KeyedColumnElement[Any], name: str) -> ColumnElement[str]:
        """One payload field as text (JSON null -> SQL NULL)."""
        if self.pg:
            return cast(payload, JSONB)[name].astext
        return func.json_extract(payload, f"$.{name}")

    def elements(self, payload: KeyedColumnElement[Any], name: str) -> Any:
        """A table-valued function over the text items of the payload's list `name`."""
        if self.pg:
            return func.jsonb_array_elements_text(cast(payload, JSONB)[name]).table_valued("value")
        return func.json_each(payload, f"$.{name}").table_valued("value")

    def readable(self, payload: KeyedColumnElement[Any]) -> ColumnElement[bool]:
        """Rows whose payload is JSON (SQLite checks; PostgreSQL relies on the chain check)."""
        if self.pg:
            return true()
        return func.json_valid(payload) == 1

    def day(self, column: ColumnElement[Any]) -> ColumnElement[str]:
        """YYYY-MM-DD of a stored naive local time."""
        if self.pg:
            return func.to_char(column, "YYYY-MM-DD")
        return func.substr(column, 1, 10)

    def week(self, column: ColumnElement[Any]) -> ColumnElement[str]:
        """YYYY-MM-DD of the Monday of a stored time's week."""
        if self.pg:
            return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
        return func.date(column, "weekday 0", "-6 days")

    def seconds(self, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> Any:
        """Seconds from `earlier` to `later`."""
        if self.pg:
            return func.extract("epoch", later - earlier)
        return (func.julianday(later) - func.julianday(earlier)) * literal(86400.0, Float)


def decode(values: str | None, size: int) -> list[Any]:
    """The list `fields` produced; NULLs (fields missing from an old event) come back as None."""
    if values is None:
        return [None] * size
    items = json.loads(values)
    return list(items) + [None] * (size - len(items))
