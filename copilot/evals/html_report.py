"""A self-contained HTML report (inline CSS and SVG, no scripts or outside requests): pass rate
per suite and per assertion type as bar charts, the baseline diff, and every failing case with
its input, output and the failing assertion's reason. Also writes all report files at once."""

from __future__ import annotations

from html import escape
from pathlib import Path

from copilot.evals.compare import Comparison
from copilot.evals.reports import (
    BASELINE_DIFF,
    FAILING,
    INPUT,
    OUTPUT,
    PER_ASSERTION,
    PER_SUITE,
    Rate,
    clip,
    input_text,
    junit,
    markdown,
    per_assertion,
    per_suite,
    problems,
    result_line,
    usage_line,
)
from copilot.evals.results import RunRecord
from copilot.messages import Text, current_language, msg, render

CSS = """
body{font-family:"WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;
color:#222;max-width:1100px}h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}.pass{color:#1a7f37}.fail,.error{color:#cf222e}
.case{border:1px solid #eee;border-radius:6px;padding:.6em 1em;margin:.8em 0}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.5em;margin:.3em 0}.meta{color:#555}
"""
BAR_WIDTH = 420
ROW = 24
LABEL = 220
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def chart(title: Text, rates: list[Rate]) -> str:
    """A horizontal bar chart of pass rates as inline SVG."""
    height = ROW * len(rates) + 10
    bars = []
    for index, rate in enumerate(rates):
        y = index * ROW + 5
        width = round(BAR_WIDTH * rate.rate)
        colour = "#2da44e" if rate.rate == 1 else "#d4a72c" if rate.rate >= 0.8 else "#cf222e"
        bars.append(
            f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(rate.name)}</text>"
            f'<rect x="{LABEL}" y="{y}" width="{BAR_WIDTH}" height="18" fill="#eee"/>'
            f'<rect x="{LABEL}" y="{y}" width="{width}" height="18" fill="{colour}"/>'
            f'<text x="{LABEL + BAR_WIDTH + 6}" y="{y + 15}" font-size="12">'
            f"{rate.rate:.0%} ({rate.passed}/{rate.total})</text>"
        )
    heading = escape(render(title))
    return (
        f"<h2>{heading}</h2>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL + BAR_WIDTH + 110}" '
        f'height="{height}" role="img" aria-label="{heading}">{"".join(bars)}</svg>'
    )


def _diff(comparison: Comparison) -> str:
    rows = []
    for diff in comparison.diffs:
        moved = "<br>".join(
            escape(f"{a.label}: {a.before_score} → {a.after_score} · {clip(render(a.reason), 200)}")
            for a in diff.assertions
        )
        cls = "fail" if diff.change == "regressed" else "pass" if diff.change == "fixed" else ""
        rows.append(
            f'<tr><td class="{cls}">{diff.change}</td><td>{escape(diff.key)}</td>'
            f"<td>{diff.before} → {diff.after}</td><td>{moved or escape(render(diff.error))}</td></tr>"
        )
    counts = ", ".join(
        f"{change}: {len(comparison.of(change))}"
        for change in ("regressed", "fixed", "score", "added", "removed")
    )
    return (
        f"<h2>{BASELINE_DIFF}</h2><p class=meta>{escape(comparison.baseline_id)} → "
        f"{escape(comparison.current_id)} · {counts}</p>"
        f"<table><tr><th>{msg('变化', 'change')}</th><th>{msg('用例', 'case')}</th>"
        f"<th>{msg('状态', 'status')}</th><th>{msg('断言', 'assertions')}</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _failing(record: RunRecord) -> str:
    blocks = []
    for case in problems(record):
        outputs = "".join(f"<pre>{escape(clip(o))}</pre>" for o in case.outputs)
        reasons = "".join(
            f"<li><b>{escape(a.type)}</b>: {escape(clip(render(a.reason), 400))}</li>"
            for a in case.failing
        )
        error = f"<pre class=error>{escape(render(case.error))}</pre>" if case.error else ""
        blocks.append(
            f'<div class="case"><b class="{case.status}">{case.status}</b> '
            f"<code>{escape(case.key)}</code> <span class=meta>{escape(case.where)}</span>"
            f"<p>{escape(case.description)}</p><div>{INPUT}:</div>"
            f"<pre>{escape(clip(input_text(case)))}</pre>{error}"
            f"<div>{OUTPUT}:</div>{outputs or '<pre>—</pre>'}<ul>{reasons}</ul></div>"
        )
    return f"<h2>{FAILING} ({len(blocks)})</h2>" + "".join(blocks)


def html(record: RunRecord, comparison: Comparison | None = None) -> str:
    s = record.summary()
    prompts = ", ".join(f"{k}@{v}" for k, v in record.prompts.items()) or "—"
    notices = "".join(f"<li>{escape(render(n))}</li>" for n in record.notices)
    header = (
        f"<h1>{msg('评测报告', 'Eval report')} {escape(record.run_id)}</h1>"
        f'<p class="{"pass" if record.ok else "fail"}"><b>{escape(render(result_line(s)))}</b></p>'
        f"<p class=meta>{record.started_at:%Y-%m-%d %H:%M:%S} · {record.seconds:.1f} s · "
        f"{msg('版本', 'revision')} {escape(record.git_rev)} · {msg('后端', 'backend')} "
        f"{escape(record.model)} ({escape(record.backend)}) · {msg('提示词', 'prompts')} "
        f"{escape(prompts)}<br>{escape(render(usage_line(s)))}</p>"
        + (f"<ul>{notices}</ul>" if notices else "")
    )
    body = (
        header
        + chart(PER_SUITE, per_suite(record))
        + chart(PER_ASSERTION, per_assertion(record))
        + (_diff(comparison) if comparison else "")
        + _failing(record)
    )
    return (
        f'<!DOCTYPE html><html lang="{HTML_LANG[current_language()]}"><head><meta charset="utf-8">'
        f"<title>siyu eval {escape(record.run_id)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_reports(folder: Path, record: RunRecord, comparison: Comparison | None) -> list[Path]:
    """report.md, report.html and junit.xml in `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "report.md": markdown(record, comparison),
        "report.html": html(record, comparison),
        "junit.xml": junit(record),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]
