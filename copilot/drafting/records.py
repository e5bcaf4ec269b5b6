"""What the audit log keeps of a draft and of the decision a person took on it, for every face
(workbench, HTTP API, WeCom queue): one ``draft_created`` event per suggestion, found again by
its draft id when the decision arrives (from this process or another replica)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.engine import Connection

from copilot.audit.log import AuditLog, DraftCreated, HumanAction
from copilot.drafting.models import Draft, DraftResult
from copilot.errors import InputError
from copilot.messages import msg

Decision = Literal["accepted", "edited", "rejected"]


def record_drafts(
    audit: AuditLog,
    result: DraftResult,
    *,
    actor: str,
    request_id: str | None = None,
    conn: Connection | None = None,
) -> list[str]:
    """Record every draft of `result` (one transaction, `conn`'s when given: all or none);
    returns their draft ids (``<task>-<random>-<n>``)."""
    base = uuid.uuid4().hex[:10]
    ids = [f"{result.task}-{base}-{index}" for index in range(1, len(result.drafts) + 1)]
    events = [
        draft_created(
            draft_id,
            result,
            draft,
            sources=[c.source for c in draft.citations],
            question=result.customer_message,
            needs_human=draft.needs_human,
            request_id=request_id,
        )
        for draft_id, draft in zip(ids, result.drafts, strict=True)
    ]
    audit.record_many(events, actor=actor, conn=conn)
    return ids


def draft_created(
    draft_id: str, result: DraftResult, draft: Draft, *, sources: list[str], **context: Any
) -> DraftCreated:
    """The audit event of one draft of `result`: how it was made, its verdict and text, and
    the face's `context` (question, customer, campaign, request id…)."""
    return DraftCreated(
        draft_id=draft_id,
        task=result.task,
        prompt_id=result.prompt.id,
        prompt_version=result.prompt.version,
        backend=result.backend,
        model=result.backend,
        sources=sources,
        fields_used=result.fields_used,
        verdict=draft.verdict.verdict,
        rules=sorted({f.rule for f in draft.verdict.findings}),
        text=draft.text,
        model_output_reason=result.rejected_reason,
        model_output=result.rejected_raw,
        **context,
    )


def find_draft(audit: AuditLog, draft_id: str) -> DraftCreated:
    """The recorded draft `draft_id`; an InputError (code ``draft_not_found``) when unknown."""
    for record in audit.events(kinds={"draft_created"}, subject=draft_id):
        if isinstance(record.event, DraftCreated):
            return record.event
    raise InputError(
        msg("找不到这条草稿", "no draft with this id"),
        where=draft_id,
        hint=msg("草稿 id 来自起草接口的 draft_ids", "draft ids come from a drafting response"),
        code="draft_not_found",
    )


def record_decision(
    audit: AuditLog,
    draft_id: str,
    action: Decision,
    *,
    actor: str,
    text: str = "",
    reason: str = "",
    request_id: str | None = None,
) -> HumanAction:
    """Record a person's decision on a recorded draft: accepted as is, edited (kept as a diff
    against the draft) or rejected (a reason is required). Accepting a blocked draft records
    the rules the person overrode."""
    draft = find_draft(audit, draft_id)
    if action == "rejected" and not reason.strip():
        raise InputError(
            msg("不采纳时请写明原因", "a rejection needs a reason"),
            where="reason",
            code="reason_required",
        )
    if action == "edited" and text.strip() == draft.text.strip():
        raise InputError(
            msg(
                "编辑后的文本与草稿相同,请用 accepted",
                "the edited text equals the draft: use accepted",
            ),
            where="text",
            code="unchanged_edit",
        )
    overrode = draft.rules if draft.verdict == "block" and action != "rejected" else []
    context = {"overrode": overrode, "customer_id": draft.customer_id, "request_id": request_id}
    if action == "edited":
        event = HumanAction.edited(draft_id, draft.text, text, **context)
    else:
        event = HumanAction(
            draft_id=draft_id,
            action=action,
            reason=reason if action == "rejected" else "",
            **context,
        )
    audit.record(event, actor=actor)
    return event
