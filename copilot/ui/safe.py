"""The one escaping rule of the workbench: every value from data is escaped before it joins
HTML that a component renders (customer fields, titles, file names, passages, audit rows...)."""

from __future__ import annotations

from html import escape


def h(value: object) -> str:
    """``value`` as text that is safe inside an HTML element or a quoted attribute."""
    return escape(str(value), quote=True)
