"""Tab 合规: consent registry (look up, history, withdraw), audit log browser, monthly self-check."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import gradio as gr

from copilot.audit.log import AuditRecord
from copilot.compliance.selfcheck import (
    TITLE,
    SelfCheck,
    build_selfcheck,
    render_html,
    table_html,
)
from copilot.customers.profiles import load_profiles
from copilot.errors import CopilotError, InputError
from copilot.guardrails.consent_state import current_state
from copilot.messages import msg
from copilot.ui.auth import actor_of
from copilot.ui.cards import error_html, message_html, ok_html
from copilot.ui.i18n import Texts
from copilot.ui.safe import h
from copilot.ui.workbench import Workbench

KINDS = ["draft_created", "human_action", "consent_change", "campaign_run", "post_scheduled"]
CONSENT_HEADERS = {
    "zh": ["用途", "状态", "时间", "来源"],
    "en": ["purpose", "state", "at", "source"],
}
AUDIT_HEADERS = {
    "zh": ["编号", "时间", "类型", "操作人", "对象", "摘要"],
    "en": ["id", "at", "kind", "actor", "subject", "summary"],
}
AUDIT_ROWS = 500
MARKS = {True: "✅", False: "❌", None: "ℹ️"}


def _day(value: str, field: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
    except ValueError:
        raise InputError(
            msg(f"日期无法识别 {value!r}", f"bad date {value!r}"),
            where=field,
            hint=msg("使用 YYYY-MM-DD", "use YYYY-MM-DD"),
        ) from None


def _summary(record: AuditRecord) -> str:
    event = record.event.model_dump(exclude={"kind"})
    keys = ("action", "task", "verdict", "purpose", "backend", "reason", "text", "audience")
    return " · ".join(f"{k}={str(event[k])[:60]}" for k in keys if event.get(k))


def selfcheck_html(report: SelfCheck) -> str:
    """The self-check on the page: every section with its table, every cell escaped."""
    parts = [f"<h3>{h(TITLE)} {h(report.month)} {MARKS[report.passed]}</h3>"]
    for s in report.sections:
        parts.append(f"<h4>{MARKS[s.ok]} {h(s.title)}</h4><div>{h(s.summary)}</div>")
        if s.rows:
            parts.append(table_html(s))
    return "".join(parts)


class ComplianceTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.wb, self.app, self.t = wb, wb.copilot, t

    def lookup(self, customer_id: str) -> tuple[str, list[list[Any]], list[list[Any]]]:
        """(profile summary, current consents, full history) of one customer."""
        cid = customer_id.strip().upper()
        try:
            with self.app.db.begin() as conn:
                profile = load_profiles(conn, [cid], self.app.catalog).get(cid)
            if profile is None:
                raise InputError(
                    msg(f"客户不存在 {cid!r}", f"unknown customer {cid!r}"),
                    where=self.t("customer_id"),
                    hint=msg("输入客户编号,例如 C000001", "enter a customer id, e.g. C000001"),
                )
            history = self.app.consent.history(cid)
        except CopilotError as exc:
            return error_html(exc), [], []
        rows = [[e.purpose, e.action, f"{e.at:%Y-%m-%d %H:%M}", e.source] for e in history]
        state = [
            [e.purpose, e.action, f"{e.at:%Y-%m-%d %H:%M}", e.source]
            for e in current_state(history).values()
        ]
        details = " · ".join(h(v) for v in (profile.name, profile.tier, profile.city))
        head = f"<b>{h(profile.id)}</b> · {details}"
        return f'<div class="siyu-ok">{head}</div>', state, rows

    def withdraw(
        self, customer_id: str, purpose: str | None, source: str, request: gr.Request
    ) -> tuple[str, list[list[Any]], list[list[Any]]]:
        cid = customer_id.strip().upper()
        if not purpose:
            return message_html(self.t("pick_purpose")), [], []
        try:
            event = self.app.consent.change(
                cid,
                purpose,
                "withdrawn",
                source=source.strip() or self.t("withdraw_source"),
                actor=actor_of(request),
            )
        except CopilotError as exc:
            return error_html(exc), [], []
        _, state, rows = self.lookup(cid)
        note = f"{self.t('withdrawn_ok')}{cid} · {purpose} · {event.at:%Y-%m-%d %H:%M:%S}"
        return ok_html(note), state, rows

    def audit(
        self, kinds: list[str], start: str, end: str, text: str
    ) -> tuple[str, list[list[Any]]]:
        try:
            scanned = list(
                self.app.audit.scan(_day(start, "from"), _day(end, "to"), set(kinds) or None)
            )
        except CopilotError as exc:
            return error_html(exc), []
        records = [r for r in scanned if isinstance(r, AuditRecord)]
        damaged = len(scanned) - len(records)
        needle = text.strip()
        rows = [
            [r.id, f"{r.at:%Y-%m-%d %H:%M:%S}", r.event.kind, r.actor, r.subject, _summary(r)]
            for r in reversed(records)
        ]
        if needle:
            rows = [row for row in rows if any(needle in str(cell) for cell in row)]
        shown = rows[:AUDIT_ROWS]
        note = f" · ⚠ {msg(f'{damaged} 条损坏', f'{damaged} damaged')}: siyu audit verify"
        note = note if damaged else ""
        return f"{len(rows)} {self.t('events')}{note}", shown

    def export(self, start: str, end: str) -> tuple[str, str | None]:
        out = self.wb.exports_dir / f"audit-{datetime.now():%Y%m%d-%H%M%S}.csv"
        try:
            result = self.app.audit.export_csv(out, _day(start, "from"), _day(end, "to"))
        except CopilotError as exc:
            return error_html(exc), None
        count = len(result.damaged)
        damaged = f" · ⚠ {msg(f'{count} 条损坏', f'{count} damaged')}" if count else ""
        return ok_html(f"{self.t('exported')}{result.count} → {out.name}{damaged}"), str(out)

    def selfcheck(self, month: str) -> tuple[str, str | None]:
        try:
            datetime.strptime(month.strip(), "%Y-%m")
        except ValueError:
            error = InputError(
                msg(f"月份无法识别 {month!r}", f"bad month {month!r}"),
                where=self.t("month"),
                hint=msg("例如 2026-11", "e.g. 2026-11"),
            )
            return error_html(error), None
        try:
            report = build_selfcheck(self.app.db, self.app.audit, month.strip())
        except CopilotError as exc:
            return error_html(exc), None
        out = self.wb.exports_dir / f"selfcheck-{month.strip()}.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(report), encoding="utf-8")
        return selfcheck_html(report), str(out)

    def build(self) -> None:
        t = self.t
        purposes = sorted(self.app.settings.guardrails.purpose_fields)
        with gr.Accordion(t("consent_registry"), open=True):
            with gr.Row():
                cid = gr.Textbox(label=t("customer_id"), value="C000001", elem_id="siyu-cid")
                find = gr.Button(t("lookup"), elem_id="siyu-lookup")
            profile = gr.HTML(elem_id="siyu-profile")
            with gr.Row():
                state = gr.Dataframe(headers=CONSENT_HEADERS[t.lang], label=t("consent_state"))
                history = gr.Dataframe(headers=CONSENT_HEADERS[t.lang], label=t("consent_history"))
            with gr.Row():
                purpose = gr.Dropdown(purposes, label=t("purpose"), elem_id="siyu-purpose")
                source = gr.Textbox(label=t("source"), placeholder=t("withdraw_source"))
                withdraw = gr.Button(t("withdraw"), variant="stop", elem_id="siyu-withdraw")
        with gr.Accordion(t("audit_log"), open=True):
            with gr.Row():
                kinds = gr.CheckboxGroup(KINDS, label=t("kinds"))
                start = gr.Textbox(label=t("from"), placeholder="YYYY-MM-DD")
                end = gr.Textbox(
                    label=t("to"), value=(date.today() + timedelta(days=1)).isoformat()
                )
                text = gr.Textbox(label=t("contains"), elem_id="siyu-audit-text")
            with gr.Row():
                browse = gr.Button(t("browse"), variant="primary", elem_id="siyu-audit-browse")
                export = gr.Button(t("export_csv"), elem_id="siyu-audit-export")
            count = gr.HTML(elem_id="siyu-audit-count")
            events = gr.Dataframe(headers=AUDIT_HEADERS[t.lang], wrap=True, elem_id="siyu-audit")
            download = gr.File(label=t("download"), elem_id="siyu-audit-file", height=90)
        with gr.Accordion(t("selfcheck"), open=True):
            with gr.Row():
                month = gr.Textbox(label=t("month"), value=f"{date.today():%Y-%m}")
                run = gr.Button(t("run_selfcheck"), elem_id="siyu-selfcheck")
            report = gr.HTML(elem_id="siyu-selfcheck-report")
            report_file = gr.File(label=t("download"), height=90)
        find.click(self.lookup, cid, [profile, state, history])
        withdraw.click(self.withdraw, [cid, purpose, source], [profile, state, history])
        browse.click(self.audit, [kinds, start, end, text], [count, events])
        export.click(self.export, [start, end], [count, download])
        run.click(self.selfcheck, month, [report, report_file])
