"""Tab 客服回复: a customer message → streamed, cited suggestions → accept / edit / reject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
from pydantic import BaseModel, ConfigDict

from copilot.drafting import DraftResult, ReplyRequest
from copilot.drafting.records import Decision, record_decision, record_drafts
from copilot.errors import CopilotError, InputError
from copilot.messages import msg
from copilot.ui.auth import actor_of
from copilot.ui.cards import error_html, message_html, ok_html, result_html
from copilot.ui.i18n import Texts
from copilot.ui.review import ReviewPanel
from copilot.ui.workbench import Workbench

REASONS = {
    "zh": ["答非所问", "信息不准确", "语气不合适", "缺少依据", "需要转人工", "其他"],
    "en": ["off topic", "inaccurate", "wrong tone", "no evidence", "needs a colleague", "other"],
}
MAX_PASTE_CHARS = 20_000


class ReplySession(BaseModel):
    """The drafts a person is looking at, with the audit ids they were logged under."""

    model_config = ConfigDict(extra="forbid")

    result: DraftResult
    draft_ids: list[str]


class ReplyTab:
    def __init__(self, wb: Workbench, t: Texts) -> None:
        self.app, self.t = wb.copilot, t
        self.queue = wb.conversations()
        self.review = ReviewPanel(wb, t)

    # handlers -----------------------------------------------------------------------------
    def suggest(self, message: str, context: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Yields (redacted, live, cards, pick, editor, session, status) as the reply streams."""
        empty = gr.update(choices=[], value=None)
        try:
            if len(message) > MAX_PASTE_CHARS:
                size = len(message)
                raise InputError(
                    msg(f"粘贴内容有 {size} 字", f"the pasted text has {size} characters"),
                    where=self.t("message"),
                    hint=msg(
                        "只保留客户的问题部分(2000 字以内)再试",
                        "keep only the customer's question (up to 2000 characters) and retry",
                    ),
                )
            stream = self.app.drafter.stream_reply(ReplyRequest(message=message, context=context))
            redacted = stream.prepared.plan.check.customer_message
            live = ""
            for delta in stream:
                live += delta
                yield redacted, live, "", empty, "", None, ""
            result = stream.result()
        except CopilotError as exc:
            yield "", "", error_html(exc), empty, "", None, ""
            return
        ids = record_drafts(self.app.audit, result, actor=actor_of(request))
        picks = [(f"{self.t('suggestion')} {i}", i) for i in range(1, len(result.drafts) + 1)]
        first = result.drafts[0].text if result.drafts else ""
        yield (
            result.customer_message,
            live,
            result_html(result, self.t),
            gr.update(choices=picks, value=1 if picks else None),
            first,
            ReplySession(result=result, draft_ids=ids),
            "",
        )

    def pick(self, session: ReplySession | None, index: int | None) -> str:
        if session is None or not index:
            return ""
        return session.result.drafts[int(index) - 1].text

    def act(
        self,
        action: Decision,
        session: ReplySession | None,
        index: int | None,
        edited: str,
        reason: str,
        propose: bool,
        request: gr.Request,
    ) -> str:
        """Record accepted / edited / rejected; an edited reply may be proposed as 话术."""
        if session is None or not index:
            return message_html(self.t("no_draft"))
        draft = session.result.drafts[int(index) - 1]
        draft_id = session.draft_ids[int(index) - 1]
        actor = actor_of(request)
        if action == "rejected" and not (reason or "").strip():
            return message_html(self.t("need_reason"))
        if action == "edited" and edited.strip() == draft.text.strip():
            return message_html(self.t("same_text"))
        try:
            record_decision(
                self.app.audit, draft_id, action, actor=actor, text=edited, reason=reason or ""
            )
            note = f"{self.t('recorded')}{draft_id} · {action}"
            if action == "edited" and propose:
                proposal = self.app.approved.propose(
                    session.result.customer_message, edited, actor=actor, draft_id=draft_id
                )
                note += f"\n{self.t('proposed')}{proposal.id}"
        except CopilotError as exc:
            return error_html(exc)
        return ok_html(note)

    def accept(
        self, s: ReplySession | None, i: int | None, e: str, r: str, p: bool, request: gr.Request
    ) -> str:
        return self.act("accepted", s, i, e, r, p, request)

    def accept_edited(
        self, s: ReplySession | None, i: int | None, e: str, r: str, p: bool, request: gr.Request
    ) -> tuple[str, Any]:
        """The status and, in the same update, the review list with any new proposal in it."""
        return self.act("edited", s, i, e, r, p, request), self.review.refresh()

    def reject(
        self, s: ReplySession | None, i: int | None, e: str, r: str, p: bool, request: gr.Request
    ) -> str:
        return self.act("rejected", s, i, e, r, p, request)

    def next_item(self, current: str | None) -> tuple[str | None, str]:
        if not self.queue:
            return None, ""
        ids = [c.id for c in self.queue]
        position = (ids.index(current) + 1) % len(ids) if current in ids else 0
        return ids[position], self.queue[position].message

    def load_item(self, current: str | None) -> str:
        return next((c.message for c in self.queue if c.id == current), "")

    # layout -------------------------------------------------------------------------------
    def build(self) -> None:
        t = self.t
        session = gr.State(None)
        with gr.Row():
            with gr.Column(scale=2):
                queue = gr.Dropdown(
                    [(f"{c.customer}({c.channel}):{c.message[:24]}", c.id) for c in self.queue],
                    label=t("queue"),
                    elem_id="siyu-queue",
                )
                message = gr.Textbox(
                    label=t("message"), placeholder=t("message_ph"), lines=4, elem_id="siyu-message"
                )
                context = gr.Textbox(label=t("context"), lines=1)
                with gr.Row():
                    suggest = gr.Button(t("suggest"), variant="primary", elem_id="siyu-suggest")
                    nxt = gr.Button(t("next"), elem_id="siyu-next")
                gr.Markdown(t("shortcuts"))
                redacted = gr.Textbox(label=t("redacted"), interactive=False, lines=2)
                live = gr.Textbox(
                    label=t("live"),
                    interactive=False,
                    lines=2,
                    max_lines=6,
                    visible=self.app.settings.llm.base_url is not None,
                )
            with gr.Column(scale=3):
                cards = gr.HTML(elem_id="siyu-cards")
                pick = gr.Radio([], label=t("pick"), elem_id="siyu-pick")
                editor = gr.Textbox(label=t("editor"), lines=4, elem_id="siyu-editor")
                propose = gr.Checkbox(label=t("propose"), elem_id="siyu-propose")
                with gr.Row():
                    accept = gr.Button(t("accept"), variant="primary", elem_id="siyu-accept")
                    accept_edit = gr.Button(t("accept_edit"), elem_id="siyu-accept-edit")
                    reject = gr.Button(t("reject"), variant="stop", elem_id="siyu-reject")
                reason = gr.Dropdown(
                    REASONS[t.lang], label=t("reason"), allow_custom_value=True, value=None
                )
                status = gr.HTML(elem_id="siyu-reply-status")
        pending = self.review.build()

        outputs = [redacted, live, cards, pick, editor, session, status]
        suggest.click(self.suggest, [message, context], outputs, concurrency_limit=4)
        pick.input(self.pick, [session, pick], editor)
        queue.change(self.load_item, queue, message)
        nxt.click(self.next_item, queue, [queue, message])
        inputs = [session, pick, editor, reason, propose]
        accept.click(self.accept, inputs, status)
        accept_edit.click(self.accept_edited, inputs, [status, pending])
        reject.click(self.reject, inputs, status)
