"""Approved answers (话术): the feedback loop from agents' edited replies back into retrieval.

An agent proposes an edited, accepted reply; a reviewer approves or rejects it. An approved
answer is written as a one-line JSONL file with doc type ``approved`` and ingested, so the
retriever (which boosts that doc type) ranks it ahead of raw FAQ text for the same question.
Proposals live in the database (``answer_proposals``), so every server replica shows the same
review queue; a review is one conditional UPDATE from pending, so two reviewers deciding the same
proposal on two replicas at once cannot both ingest it. A proposals log from an earlier release
(``proposals.jsonl`` in the folder) is imported once and renamed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select, update

from copilot.errors import InputError, StoreError
from copilot.messages import msg
from copilot.retrieval.ingest import Ingestor, IngestReport
from copilot.store.engine import Database
from copilot.store.schema import answer_proposals

Status = Literal["pending", "approved", "rejected"]
MAX_ANSWER_CHARS = 1500


class Proposal(BaseModel):
    """One proposed answer and where it is in review."""

    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    answer: str
    proposed_by: str
    proposed_at: datetime
    draft_id: str = ""
    status: Status = "pending"
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    reason: str = ""


class ApprovedAnswers:
    """Propose, review and ingest approved answers; proposals in `db`, answer files in `folder`."""

    def __init__(
        self,
        db: Database,
        folder: Path,
        ingestor: Ingestor,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db, self.folder, self.ingestor, self.clock = db, folder, ingestor, clock
        self.legacy_log = folder / "proposals.jsonl"
        self._import_legacy_log()

    def _import_legacy_log(self) -> None:
        """Move the proposals of an earlier release's JSONL log into the database, once."""
        if not self.legacy_log.is_file():
            return
        latest: dict[str, Proposal] = {}
        for number, line in enumerate(self.legacy_log.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                proposal = Proposal.model_validate_json(line)
            except ValidationError as exc:
                raise StoreError.from_validation(
                    exc,
                    msg(f"话术记录第 {number} 行损坏", f"line {number} is corrupt"),
                    where=str(self.legacy_log),
                    hint=msg("修复或删除该行后重试", "fix or delete that line, then retry"),
                ) from None
            latest[proposal.id] = proposal
        with self.db.begin() as conn:
            self.db.insert_ignore(conn, answer_proposals, [p.model_dump() for p in latest.values()])
        self.legacy_log.rename(self.legacy_log.with_name("proposals.jsonl.imported"))

    def proposals(self, status: Status | None = None) -> list[Proposal]:
        """Every proposal in its latest state (or those in `status`), newest first."""
        query = select(answer_proposals).order_by(answer_proposals.c.proposed_at.desc())
        if status is not None:
            query = query.where(answer_proposals.c.status == status)
        with self.db.begin() as conn:
            return [Proposal.model_validate(dict(row)) for row in conn.execute(query).mappings()]

    def pending(self) -> list[Proposal]:
        return self.proposals("pending")

    def propose(self, question: str, answer: str, *, actor: str, draft_id: str = "") -> Proposal:
        """Queue an answer for review; the question should already be PII-redacted."""
        question, answer = question.strip(), answer.strip()
        if not question or not answer:
            raise InputError(
                msg("话术需要客户问题和回复", "an approved answer needs a question and an answer"),
                where="question" if not question else "answer",
                hint=msg(
                    "先生成并编辑回复,再提议为话术",
                    "draft and edit a reply first, then propose it as an approved answer",
                ),
            )
        if len(answer) > MAX_ANSWER_CHARS:
            raise InputError(
                msg(
                    f"回复超过 {MAX_ANSWER_CHARS} 字",
                    f"the answer is over {MAX_ANSWER_CHARS} characters",
                ),
                where="answer",
                hint=msg(
                    "话术应简洁,精简后再提议",
                    "approved answers are short: trim it, then propose it",
                ),
            )
        proposal = Proposal(
            id=uuid.uuid4().hex[:12],
            question=question,
            answer=answer,
            proposed_by=actor,
            proposed_at=self.clock(),
            draft_id=draft_id,
        )
        with self.db.begin() as conn:
            conn.execute(answer_proposals.insert().values(**proposal.model_dump()))
        return proposal

    def _get(self, proposal_id: str) -> Proposal:
        query = select(answer_proposals).where(answer_proposals.c.id == proposal_id)
        with self.db.begin() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise InputError(
                msg(
                    f"没有编号为 {proposal_id!r} 的话术提议", f"no proposal with id {proposal_id!r}"
                ),
                where="proposal",
                hint=msg("刷新待审核列表后重选", "refresh the review list and choose again"),
            )
        found = Proposal.model_validate(dict(row))
        if found.status != "pending":
            raise InputError(
                msg(
                    f"话术 {proposal_id} 已{'通过' if found.status == 'approved' else '驳回'}",
                    f"proposal {proposal_id} is already {found.status}",
                ),
                where="proposal",
                hint=msg("刷新待审核列表", "refresh the review list"),
            )
        return found

    def approve(self, proposal_id: str, *, reviewer: str) -> IngestReport:
        """Mark approved and ingest it as doc type ``approved``; a failed ingest leaves the
        proposal pending."""
        proposal = self._get(proposal_id)
        self._review(proposal, status="approved", reviewed_by=reviewer, reviewed_at=self.clock())
        path = self.answer_path(proposal.id)
        record = {
            "question": proposal.question,
            "answer": proposal.answer,
            "doc_type": "approved",
            "title": proposal.question[:40],
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
            report = self.ingestor.ingest([path])
        except BaseException:
            self._reopen(proposal.id)
            raise
        if report.problems:
            path.unlink(missing_ok=True)
            self._reopen(proposal.id)
            raise StoreError(
                msg("话术导入失败", "ingest failed") + ": " + report.problems[0].message,
                where=str(path),
                hint=msg("提议保持待审核,可重试", "the proposal stays pending; retry"),
            )
        return report

    def reject(self, proposal_id: str, *, reviewer: str, reason: str) -> Proposal:
        proposal = self._get(proposal_id)
        changes: dict[str, Any] = {
            "status": "rejected",
            "reviewed_by": reviewer,
            "reviewed_at": self.clock(),
            "reason": reason.strip(),
        }
        self._review(proposal, **changes)
        return proposal.model_copy(update=changes)

    def _review(self, proposal: Proposal, **changes: Any) -> None:
        """Move a pending proposal on; refused when someone else decided it meanwhile."""
        query = (
            update(answer_proposals)
            .where(answer_proposals.c.id == proposal.id, answer_proposals.c.status == "pending")
            .values(**changes)
        )
        with self.db.begin() as conn:
            moved = conn.execute(query).rowcount == 1
        if not moved:  # decided meanwhile (on this replica or another)
            self._get(proposal.id)  # names who decided what
            raise InputError(
                msg(
                    f"话术 {proposal.id} 刚被他人处理", f"proposal {proposal.id} was just reviewed"
                ),
                where="proposal",
                hint=msg("刷新待审核列表", "refresh the review list"),
            )

    def _reopen(self, proposal_id: str) -> None:
        query = (
            update(answer_proposals)
            .where(answer_proposals.c.id == proposal_id, answer_proposals.c.status == "approved")
            .values(status="pending", reviewed_by="", reviewed_at=None)
        )
        with self.db.begin() as conn:
            conn.execute(query)

    def answer_path(self, proposal_id: str) -> Path:
        return self.folder / "approved" / f"approved-{proposal_id}.jsonl"
