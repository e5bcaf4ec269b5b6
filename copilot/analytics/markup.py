"""The one escaping rule of the report's HTML and SVG: every value from data is escaped."""

from __future__ import annotations

from html import escape


def h(value: object) -> str:
    """`value` as text safe inside an HTML element or a quoted attribute (a message renders in
    the current language first)."""
    return escape(str(value), quote=True)
