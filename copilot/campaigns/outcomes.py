"""Campaign checkpoints: result rows and their audit events, written together.

A group of outcomes is written in one transaction, after re-reading consent for any customer
whose consent changed since the run read it, so a withdrawal that lands while a draft is being
written still turns that row into an exclusion. A campaign worker passes a `fence`: in the same
transaction it keeps only the customers the worker still holds, so each result is written once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection

from copilot.audit.log import AuditLog, DraftCreated
from copilot.campaigns.audience import consent_exclusion
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.customers.consent import ConsentRegistry
from copilot.drafting import DraftResult
from copilot.drafting.records import draft_created
from copilot.messages import render
from copilot.store.engine import Database
from copilot.store.schema import campaign_results

RESULT_KEY = ["campaign_id", "customer_id"]
FLUSH = 32  # outcomes written per transaction
Fence = Callable[[Connection, list[str]], set[str]]  # customers this writer may still write


class Outcome(BaseModel):
    """One customer's result row plus the draft it came from (None when excluded or failed)."""

    model_config = ConfigDict(extra="forbid")

    row: dict[str, Any]
    draft: DraftResult | None = None

    @property
    def customer_id(self) -> str:
        return str(self.row["customer_id"])

    @property
    def label(self) -> str:
        """pass / warn / block for drafts, else the status (excluded, error)."""
        return str(self.row["verdict"] if self.row["status"] == "drafted" else self.row["status"])


def drafted(campaign_id: str, customer_id: str, result: DraftResult) -> Outcome:
    draft = result.drafts[0]
    detail = {
        "fields_used": result.fields_used,
        "fields_withheld": result.fields_withheld,
        "findings": [f.model_dump() for f in draft.verdict.findings],
        "backend": result.backend,
        "prompt": f"{result.prompt.id}@{result.prompt.version}",
    }
    row = {
        "campaign_id": campaign_id, "customer_id": customer_id, "status": "drafted",
        "verdict": draft.verdict.verdict, "text": draft.text, "detail": detail,
    }  # fmt: skip
    return Outcome(row=row, draft=result)


def undrafted(campaign_id: str, customer_id: str, status: str, detail: dict[str, str]) -> Outcome:
    row = {
        "campaign_id": campaign_id, "customer_id": customer_id, "status": status,
        "verdict": "", "text": "", "detail": detail,
    }  # fmt: skip
    return Outcome(row=row)


def audit_event(spec: PlaybookSpec, outcome: Outcome) -> DraftCreated | None:
    result = outcome.draft
    if result is None:
        return None
    return draft_created(
        f"{outcome.row['campaign_id']}:{outcome.customer_id}",
        result,
        result.drafts[0],
        sources=[c.source for c in result.sources],
        purpose=spec.purpose,
        customer_id=outcome.customer_id,
        campaign_id=str(outcome.row["campaign_id"]),
    )


class CheckpointWriter:
    """Writes groups of outcomes atomically; a group is all-or-nothing, so kills lose no row."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        consent: ConsentRegistry,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db, self.audit, self.consent, self.clock = db, audit, consent, clock

    def write(
        self, spec: PlaybookSpec, outcomes: list[Outcome], watermark: int,
        fence: Fence | None = None,
    ) -> list[Outcome]:  # fmt: skip
        """Store the outcomes (re-checking consent changed after `watermark`); returns those
        stored — with a `fence`, only the ones it lets through."""
        if not outcomes:
            return []
        with self.db.begin() as conn:
            if fence is not None:
                kept = fence(conn, [o.customer_id for o in outcomes])
                outcomes = [o for o in outcomes if o.customer_id in kept]
            ids = [o.customer_id for o in outcomes if o.draft is not None]
            changed = self.consent.changed_since(conn, watermark, ids) if ids else set()
            if changed:
                states = self.consent.states(changed, conn)
                outcomes = [self._recheck(spec, o, states.get(o.customer_id, {}), changed)
                            for o in outcomes]  # fmt: skip
            now = self.clock()
            rows = [
                {**o.row, "detail": json.dumps(o.row["detail"], ensure_ascii=False),
                 "created_at": now}
                for o in outcomes
            ]  # fmt: skip
            self.db.upsert(conn, campaign_results, rows, RESULT_KEY)
            events = [e for e in (audit_event(spec, o) for o in outcomes) if e is not None]
            self.audit.record_many(events, conn=conn)
        return outcomes

    def _recheck(
        self, spec: PlaybookSpec, outcome: Outcome, state: dict, changed: set[str]
    ) -> Outcome:
        if outcome.draft is None or outcome.customer_id not in changed:
            return outcome
        exclusion = consent_exclusion(outcome.customer_id, spec.purpose, state)
        if exclusion is None:
            return outcome
        return undrafted(
            str(outcome.row["campaign_id"]), outcome.customer_id, "excluded",
            {"code": exclusion.code, "reason": render(exclusion.reason)},
        )  # fmt: skip
