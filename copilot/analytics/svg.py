"""Inline SVG bar charts: no script, no external asset, every label escaped."""

from __future__ import annotations

from copilot.analytics.markup import h

BAR_HEIGHT = 18
LABEL_WIDTH = 150
BAR_WIDTH = 480
COLOURS = ("#2f7d4f", "#d9a33a", "#c0392b", "#9aa5b1")


def stacked_bars(rows: list[tuple[str, list[int]]], series: list[str], *, empty_note: str) -> str:
    """One horizontal stacked bar per row (label, values per series), with a legend; a chart
    with no rows says `empty_note` instead of drawing nothing."""
    total_max = max((sum(values) for _, values in rows), default=0)
    legend_y = 14
    parts = []
    for i, name in enumerate(series):
        left = LABEL_WIDTH + i * 140
        parts.append(
            f'<rect x="{left}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{left + 16}" y="{legend_y}" font-size="12">{h(name)}</text>'
        )
    if total_max == 0:
        parts.append(f'<text x="10" y="44" font-size="13" fill="#555">{h(empty_note)}</text>')
        height = 60
    else:
        scale = BAR_WIDTH / total_max
        for n, (label, values) in enumerate(rows):
            y = 26 + n * (BAR_HEIGHT + 6)
            parts.append(
                f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" font-size="12" '
                f'text-anchor="end">{h(label)}</text>'
            )
            x = float(LABEL_WIDTH)
            for i, value in enumerate(values):
                length = value * scale
                if length > 0:
                    parts.append(
                        f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                        f'fill="{COLOURS[i % len(COLOURS)]}"><title>{h(series[i])}: {value}'
                        "</title></rect>"
                    )
                x += length
            parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="11">{sum(values)}</text>')
        height = 30 + len(rows) * (BAR_HEIGHT + 6)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_WIDTH + BAR_WIDTH + 60}" height="{height}" '
        f'role="img">{"".join(parts)}</svg>'
    )
