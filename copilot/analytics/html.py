"""The monthly report as one self-contained HTML page (inline CSS and SVG, no external asset),
in the current language."""

from __future__ import annotations

from copilot.analytics.labels import (
    DAMAGED,
    DECISIONS,
    EMPTY_MONTH,
    NONE,
    PER_DAY,
    TITLE,
    UNREADABLE,
)
from copilot.analytics.markup import h
from copilot.analytics.models import Acceptance, MonthlyReport
from copilot.analytics.svg import stacked_bars
from copilot.analytics.tables import TextTable, report_tables
from copilot.messages import current_language, render

STYLE = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:24px;"
    "color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;"
    "padding:3px 8px;font-size:13px;text-align:left}th{background:#f3f5f7}"
    ".damaged{background:#fdecea;border:1px solid #c0392b;padding:8px}"
)


def decision_rows(slices: dict[str, Acceptance]) -> list[tuple[str, list[int]]]:
    return [(k, [a.accepted, a.edited, a.rejected, a.undecided]) for k, a in slices.items()]


def decision_chart(slices: dict[str, Acceptance]) -> str:
    """Suggestions per slice, split by what people did with them (an empty chart says why)."""
    series = [render(d) for d in DECISIONS]
    return stacked_bars(decision_rows(slices), series, empty_note=render(EMPTY_MONTH))


def _table(table: TextTable) -> str:
    head = "".join(f"<th>{h(c)}</th>" for c in table.headers)
    if not table.rows:
        body = f'<tr><td colspan="{len(table.headers)}">{h(NONE)}</td></tr>'
    else:
        body = "".join(
            "<tr>" + "".join(f"<td>{h(c)}</td>" for c in row) + "</tr>" for row in table.rows
        )
    return f"<h2>{h(table.title)}</h2><table><tr>{head}</tr>{body}</table>"


def integrity_html(report: MonthlyReport) -> str:
    i = report.integrity
    if i.ok:
        return ""
    items = []
    if i.unreadable_rows:
        ids = ", ".join(str(n) for n in i.unreadable_ids)
        items.append(f"{UNREADABLE}: {i.unreadable_rows} ({ids})")
    items += [render(p) for p in i.chain_problems]
    lis = "".join(f"<li>{h(x)}</li>" for x in items)
    return f'<div class="damaged"><b>{h(DAMAGED)}</b><ul>{lis}</ul></div>'


def render_html(report: MonthlyReport) -> str:
    title = f"{TITLE} {report.month}"
    parts = [
        f"<h1>{h(title)}</h1><p>{h(report.start)} – {h(report.end)}</p>",
        integrity_html(report),
        f"<h2>{h(PER_DAY)}</h2>",
        decision_chart(report.by_day),
    ]
    if report.empty:
        parts.append(f"<p>{h(EMPTY_MONTH)}</p>")
    else:
        parts += [_table(t) for t in report_tables(report)]
    lang = "en" if current_language() == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{h(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )
