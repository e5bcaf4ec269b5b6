"""The 话术审核 panel: a reviewer approves (ingests) or declines proposed answers."""

from __future__ import annotations

from typing import Any

import gradio as gr

from copilot.errors import CopilotError
from copilot.ui.auth import actor_of
from copilot.ui.cards import error_html, message_html, ok_html
from copilot.ui.i18n import Texts
from copilot.ui.workbench import Workbench


class ReviewPanel:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.app, self.t = wb.copilot, t

    def choices(self) -> list[tuple[str, str]]:
        return [
            (f"{p.question[:30]} → {p.answer[:40]}({p.proposed_by})", p.id)
            for p in self.app.approved.pending()
        ]

    def refresh(self) -> Any:
        try:
            return gr.update(choices=self.choices(), value=None)
        except CopilotError:
            return gr.update(choices=[], value=None)

    def approve(self, proposal_id: str | None, request: gr.Request) -> tuple[str, Any]:
        if not proposal_id:
            return message_html(self.t("pick_proposal")), gr.update()
        try:
            self.app.approved.approve(proposal_id, reviewer=actor_of(request))
            self.app.written()
        except CopilotError as exc:
            return error_html(exc), self.refresh()
        return ok_html(f"{self.t('approved_ok')}{proposal_id}"), self.refresh()

    def decline(self, proposal_id: str | None, reason: str, request: gr.Request) -> tuple[str, Any]:
        if not proposal_id:
            return message_html(self.t("pick_proposal")), gr.update()
        try:
            self.app.approved.reject(proposal_id, reviewer=actor_of(request), reason=reason)
        except CopilotError as exc:
            return error_html(exc), self.refresh()
        return ok_html(f"{self.t('declined_ok')}{proposal_id}"), self.refresh()

    def build(self) -> gr.Dropdown:
        """The panel; returns its pending list, which proposing an answer refreshes."""
        t = self.t
        with gr.Accordion(t("review"), open=False, elem_id="siyu-review"):
            with gr.Row():
                pending = gr.Dropdown([], label=t("pending"), elem_id="siyu-pending", scale=4)
                refresh = gr.Button(t("refresh"), elem_id="siyu-review-refresh", scale=1)
            reason = gr.Textbox(label=t("reason"), lines=1)
            with gr.Row():
                approve = gr.Button(t("approve"), variant="primary", elem_id="siyu-approve")
                decline = gr.Button(t("decline"), elem_id="siyu-decline")
            status = gr.HTML(elem_id="siyu-review-status")
        refresh.click(self.refresh, None, pending)
        approve.click(self.approve, pending, [status, pending], concurrency_limit=1)
        decline.click(self.decline, [pending, reason], [status, pending], concurrency_limit=1)
        return pending
