"""Campaign planning and resumable runs.

The audience is fixed at the first run and stored; each (campaign, customer) result is written
in one transaction together with its audit event, so a run killed at any point resumes with
``resume=True`` without duplicates or gaps. Consent is re-read for every customer right before
drafting, so a withdrawal between plan and run (or during a run) excludes the customer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from copilot.audit import AuditLog, CampaignRun, DraftCreated
from copilot.config import CustomerSettings, GuardrailSettings
from copilot.customers.audience import Audience, consent_exclusion, select_audience
from copilot.customers.catalog import Product
from copilot.customers.consent import ConsentRegistry, current_state, permitted_fields
from copilot.customers.db import Database
from copilot.customers.playbooks import PlaybookSpec
from copilot.customers.profiles import load_profiles
from copilot.customers.rfm import Segmenter
from copilot.customers.schema import campaign_results, campaigns
from copilot.drafting import DraftResult, MessageRequest
from copilot.errors import CopilotError, InputError

Progress = Callable[[int, int], None]  # done, total


class MessageDrafter(Protocol):
    def message(self, request: MessageRequest) -> DraftResult: ...


class Outcome(BaseModel):
    """One customer's result row plus the draft it came from (None when excluded or failed)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    row: dict[str, Any]
    draft: DraftResult | None = None


class RunSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: str
    audience: int
    skipped: int
    counts: dict[str, int]
    resumed: bool


class Campaigns:
    """Plans and runs playbooks over the customer store; never sends a message."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        consent: ConsentRegistry,
        drafter: MessageDrafter,
        catalog: Mapping[str, Product],
        settings: CustomerSettings,
        guardrails: GuardrailSettings,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db, self.audit, self.consent, self.drafter = db, audit, consent, drafter
        self.catalog, self.settings, self.guardrails, self.clock = (
            catalog,
            settings,
            guardrails,
            clock,
        )

    def audience(self, spec: PlaybookSpec, campaign_id: str) -> Audience:
        now = self.clock()
        with self.db.begin() as conn:
            scores = Segmenter(self.settings, self.catalog).run(conn, now.date()).scores
            return select_audience(
                conn, spec, scores, self.consent.states(), self.guardrails, now, campaign_id
            )

    def request(self, spec: PlaybookSpec, customer_id: str) -> MessageRequest | dict[str, Any]:
        """The message request for one customer, or the excluded result row if consent is gone."""
        state = current_state(self.consent.history(customer_id))
        exclusion = consent_exclusion(customer_id, spec.purpose, state)
        if exclusion is not None:
            return {
                "status": "excluded",
                "detail": {"code": exclusion.code, "reason": exclusion.reason},
            }
        with self.db.begin() as conn:
            profile = load_profiles(conn, [customer_id], self.catalog)[customer_id]
        fields, withheld = permitted_fields(
            profile, spec.purpose, state, self.consent.purpose_fields
        )
        return MessageRequest(
            playbook=spec.drafting,
            fields=fields,
            withheld=sorted(withheld),
            purpose=spec.purpose,
            consents=sorted(p for p, e in state.items() if e.action == "granted"),
            brief=spec.full_brief(),
            customer_id=customer_id,
        )

    def draft_one(self, spec: PlaybookSpec, campaign_id: str, customer_id: str) -> Outcome:
        base = {"campaign_id": campaign_id, "customer_id": customer_id}
        try:
            request = self.request(spec, customer_id)
            if isinstance(request, dict):
                return Outcome(row={**base, **request, "verdict": "", "text": ""})
            result = self.drafter.message(request)
        except CopilotError as exc:
            detail = {"reason": exc.render()}
            return Outcome(
                row={**base, "status": "error", "verdict": "", "text": "", "detail": detail}
            )
        return self.outcome(campaign_id, customer_id, result)

    def outcome(self, campaign_id: str, customer_id: str, result: DraftResult) -> Outcome:
        """The result row of a finished draft (from `run` or from a Batch API answer)."""
        base = {"campaign_id": campaign_id, "customer_id": customer_id}
        draft = result.drafts[0]
        detail = {
            "fields_used": result.fields_used,
            "fields_withheld": result.fields_withheld,
            "findings": [f.model_dump() for f in draft.verdict.findings],
            "backend": result.backend,
            "prompt": f"{result.prompt.id}@{result.prompt.version}",
        }
        row = {**base, "status": "drafted", "verdict": draft.verdict.verdict, "text": draft.text}
        return Outcome(row={**row, "detail": detail}, draft=result)

    def store(self, spec: PlaybookSpec, outcome: Outcome) -> None:
        """Write the result row and its audit event in one transaction."""
        row = {**outcome.row, "detail": json.dumps(outcome.row["detail"], ensure_ascii=False)}
        row["created_at"] = self.clock()
        with self.db.begin() as conn:
            self.db.upsert(conn, campaign_results, [row], ["campaign_id", "customer_id"])
            result = outcome.draft
            if result is None:
                return
            draft = result.drafts[0]
            self.audit.record(
                DraftCreated(
                    draft_id=f"{row['campaign_id']}:{row['customer_id']}",
                    task="message",
                    prompt_id=result.prompt.id,
                    prompt_version=result.prompt.version,
                    backend=result.backend,
                    model=result.backend,
                    sources=[c.source for c in result.sources],
                    fields_used=result.fields_used,
                    purpose=spec.purpose,
                    customer_id=row["customer_id"],
                    campaign_id=row["campaign_id"],
                    verdict=draft.verdict.verdict,
                    rules=sorted({f.rule for f in draft.verdict.findings}),
                    text=draft.text,
                ),
                conn=conn,
            )

    def start(
        self, spec: PlaybookSpec, campaign_id: str, resume: bool
    ) -> tuple[list[str], set[str]]:
        """The stored audience and the customers already done; creates the campaign on first use."""
        """The stored audience and the customers already done; creates the campaign on first use."""
        with self.db.begin() as conn:
            found = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
            if found is not None and found.playbook != spec.id:
                raise InputError(
                    f"活动 {campaign_id} 属于剧本 {found.playbook} / campaign belongs to another playbook",
                    where="--campaign",
                    hint="换一个活动 ID，或使用同一个剧本续跑",
                )
            if found is not None and not resume:
                raise InputError(
                    f"活动 {campaign_id} 已存在 / campaign already exists",
                    where="--campaign",
                    hint="加 --resume 续跑，或用 --campaign 指定新的活动 ID",
                )
            if found is not None:
                done = conn.execute(
                    select(campaign_results.c.customer_id).where(
                        campaign_results.c.campaign_id == campaign_id,
                        campaign_results.c.status != "error",
                    )
                ).scalars()
                return json.loads(found.audience), set(done)
        audience = self.audience(spec, campaign_id).eligible
        with self.db.begin() as conn:
            conn.execute(
                campaigns.insert().values(
                    id=campaign_id,
                    playbook=spec.id,
                    created_at=self.clock(),
                    audience=json.dumps(audience),
                )
            )
        return audience, set()

    def run(
        self,
        spec: PlaybookSpec,
        campaign_id: str,
        *,
        resume: bool = False,
        concurrency: int = 4,
        progress: Progress | None = None,
    ) -> RunSummary:
        audience, done = self.start(spec, campaign_id, resume)
        todo = [cid for cid in audience if cid not in done]
        counts: Counter[str] = Counter()
        pending: set[Future[Outcome]] = set()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for cid in todo:
                pending.add(pool.submit(self.draft_one, spec, campaign_id, cid))
                if len(pending) >= concurrency * 2:
                    pending = self._drain(spec, pending, counts, FIRST_COMPLETED)
                    if progress:
                        progress(len(done) + counts.total(), len(audience))
            self._drain(spec, pending, counts, None)
        if progress:
            progress(len(done) + counts.total(), len(audience))
        summary = RunSummary(
            campaign_id=campaign_id,
            audience=len(audience),
            skipped=len(done),
            counts=dict(counts),
            resumed=resume and bool(done),
        )
        self.audit.record(
            CampaignRun(
                campaign_id=campaign_id,
                playbook=spec.id,
                purpose=spec.purpose,
                audience=len(audience),
                drafted=counts["pass"] + counts["warn"] + counts["block"],
                excluded=counts["excluded"],
                blocked=counts["block"],
                errors=counts["error"],
                resumed=summary.resumed,
            )
        )
        return summary

    def _drain(
        self,
        spec: PlaybookSpec,
        pending: set[Future[Outcome]],
        counts: Counter[str],
        when: str | None,
    ) -> set[Future[Outcome]]:
        finished, rest = wait(pending, return_when=when or "ALL_COMPLETED")
        for future in finished:
            outcome = future.result()
            self.store(spec, outcome)
            row = outcome.row
            counts[row["verdict"] if row["status"] == "drafted" else row["status"]] += 1
        return rest
