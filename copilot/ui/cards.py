"""HTML for what every tab shows the same way: drafts, citations, verdicts, errors."""

from __future__ import annotations

from copilot.drafting import Citation, Draft, DraftResult
from copilot.drafting.engine import backend_label
from copilot.errors import CopilotError
from copilot.guardrails import Verdict
from copilot.messages import render
from copilot.ui.i18n import Texts
from copilot.ui.safe import h

CSS = """
.siyu-card {border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:8px 0;}
.siyu-card .siyu-head {font-size:0.9em;color:#57606a;margin-bottom:6px;}
.siyu-card .siyu-text {white-space:pre-wrap;font-size:1.02em;line-height:1.6;}
.siyu-badge {display:inline-block;border-radius:10px;padding:0 8px;font-size:0.85em;color:#fff;}
.siyu-pass {background:#1a7f37;} .siyu-warn {background:#9a6700;} .siyu-block {background:#cf222e;}
.siyu-cite summary {cursor:pointer;color:#0969da;}
.siyu-cite {margin:2px 0;font-size:0.9em;}
.siyu-finding {font-size:0.9em;margin:2px 0;}
.siyu-error {border-left:4px solid #cf222e;background:#fff5f5;padding:8px 12px;white-space:pre-wrap;}
.siyu-pre {white-space:pre-wrap;}
.siyu-ok {border-left:4px solid #1a7f37;background:#f3fff5;padding:8px 12px;white-space:pre-wrap;}
.siyu-gauge {height:14px;background:#eaeef2;border-radius:7px;overflow:hidden;}
.siyu-gauge > div {height:14px;}
.siyu-mk {color:#9a6700;border:1px solid #d4a72c;border-radius:4px;padding:0 3px;font-size:0.85em;}
"""


def badge(kind: str, t: Texts) -> str:
    return f'<span class="siyu-badge siyu-{kind}">{h(t("verdict_" + kind))}</span>'


def citations_html(citations: list[Citation], t: Texts) -> str:
    if not citations:
        return f'<div class="siyu-cite">{h(t("no_sources"))}</div>'
    return "".join(
        f'<details class="siyu-cite"><summary>[{h(c.id)}] {h(c.source)}</summary>'
        f"<div>{h(c.quote)}</div></details>"
        for c in citations
    )


def findings_html(verdict: Verdict, t: Texts) -> str:
    rows = []
    for f in verdict.findings:
        span = f" «{h(f.text)}»" if f.text else ""
        fix = f" — {h(t('fix'))}: {h(f.fix)}" if f.fix else ""
        rows.append(
            f'<div class="siyu-finding">{badge(_kind(f.severity), t)} '
            f"<b>{h(f.rule)}</b>{span}: {h(f.message)}{fix}</div>"
        )
    return "".join(rows)


def _kind(severity: str) -> str:
    return {"info": "pass", "warn": "warn", "block": "block"}[severity]


def draft_html(index: int, draft: Draft, result: DraftResult, t: Texts) -> str:
    human = f" · ⚠ {h(t('needs_human'))}" if draft.needs_human else ""
    head = (
        f"{h(t('suggestion'))} {index} · {badge(draft.verdict.verdict, t)} · "
        f"{h(t('confidence'))} {draft.confidence:.2f} · "
        f"{h(t('backend'))}: <b>{h(render(backend_label(result.backend), t.lang))}</b>{human}"
    )
    return (
        f'<div class="siyu-card" data-index="{index}"><div class="siyu-head">{head}</div>'
        f'<div class="siyu-text">{h(draft.text)}</div>'
        f"<div><b>{h(t('sources'))}</b>{citations_html(draft.citations, t)}</div>"
        f"{findings_html(draft.verdict, t)}</div>"
    )


def result_html(result: DraftResult, t: Texts) -> str:
    """All drafts of a result plus fields used/withheld and notes."""
    parts = [draft_html(i, d, result, t) for i, d in enumerate(result.drafts, start=1)]
    extra = []
    if result.fields_used:
        extra.append(f"{h(t('fields_used'))}: {h(', '.join(result.fields_used))}")
    if result.fields_withheld:
        extra.append(f"{h(t('fields_withheld'))}: {h(', '.join(result.fields_withheld))}")
    extra.extend(h(note) for note in result.notes)
    if extra:
        parts.append('<div class="siyu-head">' + "<br>".join(extra) + "</div>")
    return "".join(parts)


def error_html(exc: CopilotError) -> str:
    return f'<div class="siyu-error">{h(exc.render())}</div>'


def ok_html(text: str) -> str:
    return f'<div class="siyu-ok">{h(text)}</div>'


def message_html(text: str) -> str:
    return f'<div class="siyu-error">{h(text)}</div>'
