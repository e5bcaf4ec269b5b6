"""Campaign audiences and resumable runs.

The audience is fixed at the first run and stored. Each group of results is written in one
transaction with its audit events (``CheckpointWriter``), so a run killed at any point resumes
with ``resume=True`` without duplicates or gaps. Consent is read in bulk just before drafting
and re-checked when results are written, so a withdrawal between plan and run — or during a
run — excludes the customer. On PostgreSQL a run is one worker among any number sharing the
campaign through leases (``copilot.campaigns.workers``); on SQLite it drafts alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.engine import Connection

from copilot.audit.log import AuditLog, CampaignRun
from copilot.campaigns.audience import Audience, consent_exclusion, select_audience
from copilot.campaigns.outcomes import FLUSH, CheckpointWriter, Outcome, drafted, undrafted
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.campaigns.retrying import Notify, log_notice
from copilot.campaigns.versions import CampaignVersions, check_versions, playbook_version
from copilot.campaigns.workers import CAMPAIGN_EXISTS, run_worker
from copilot.config import CustomerSettings, GuardrailSettings
from copilot.customers.catalog import Product
from copilot.customers.consent import ConsentRegistry, permitted_fields
from copilot.customers.profiles import CustomerProfile, load_profiles
from copilot.customers.rfm import Segmenter
from copilot.drafting import DraftResult, MessageRequest
from copilot.errors import CopilotError, InputError
from copilot.guardrails.consent_state import ConsentEvent
from copilot.messages import msg, render
from copilot.store.engine import Database
from copilot.store.schema import campaign_results, campaigns

Progress = Callable[[int, int], None]  # done, total
Seed = Callable[[Connection, list[str], set[str]], None]  # audience, done: a worker's claims
PREFETCH = 256  # customers whose profiles and consents are read in one go


class MessageDrafter(Protocol):
    def warm_up(self, request: MessageRequest) -> None: ...

    def message(self, request: MessageRequest) -> DraftResult: ...


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
        prompt_version: str = "",
    ) -> None:
        self.db, self.audit, self.consent, self.drafter = db, audit, consent, drafter
        self.catalog, self.settings, self.guardrails = catalog, settings, guardrails
        self.clock, self.prompt_version = clock, prompt_version
        self.writer = CheckpointWriter(db, audit, consent, clock)

    def audience(self, spec: PlaybookSpec, campaign_id: str) -> Audience:
        now = self.clock()
        with self.db.begin() as conn:
            scores = Segmenter(self.settings, self.catalog).run(conn, now.date()).scores
            return select_audience(
                conn, spec, scores, self.consent.states(conn=conn), self.guardrails, now,
                campaign_id,
            )  # fmt: skip

    def prefetch(
        self, ids: list[str]
    ) -> tuple[dict[str, CustomerProfile], dict[str, dict[str, ConsentEvent]], int]:
        with self.db.begin() as conn:
            watermark = self.consent.watermark(conn)
            return (
                load_profiles(conn, ids, self.catalog),
                self.consent.states(ids, conn),
                watermark,
            )

    def _request(
        self, spec: PlaybookSpec, cid: str, profile: CustomerProfile,
        state: Mapping[str, ConsentEvent],
    ) -> MessageRequest | dict[str, str]:  # fmt: skip
        exclusion = consent_exclusion(cid, spec.purpose, state)
        if exclusion is not None:
            return {"code": exclusion.code, "reason": render(exclusion.reason)}
        fields, withheld = permitted_fields(
            profile, spec.purpose, state, self.consent.purpose_fields
        )
        return MessageRequest(
            playbook=spec.drafting,
            fields=fields,
            withheld=sorted(withheld),
            purpose=spec.purpose,
            consents=sorted(p for p, e in state.items() if e.action == "granted"),
            brief=spec.offer_for(fields.get("tier")),
            customer_id=cid,
        )

    def request(self, spec: PlaybookSpec, cid: str) -> MessageRequest | dict[str, str]:
        """The message request for one customer, or why they are excluded right now."""
        profiles, states, _ = self.prefetch([cid])
        return self._request(spec, cid, profiles[cid], states.get(cid, {}))

    def draft(
        self, spec: PlaybookSpec, campaign_id: str, cid: str, profile: CustomerProfile,
        state: Mapping[str, ConsentEvent],
    ) -> Outcome:  # fmt: skip
        try:
            request = self._request(spec, cid, profile, state)
            if isinstance(request, dict):
                return undrafted(campaign_id, cid, "excluded", request)
            return drafted(campaign_id, cid, self.drafter.message(request))
        except CopilotError as exc:
            return undrafted(campaign_id, cid, "error", {"reason": exc.render()})

    def warm_up(self, spec: PlaybookSpec) -> None:
        """Draft a message of the playbook without the model (see `Drafter.warm_up`), so what a
        first draft loads (the knowledge snapshot, the word segmenter, the prompt, the
        guardrails' tables) is loaded once before a worker leases any customer, not by each of
        its drafting threads at the same moment."""
        request = MessageRequest(
            playbook=spec.drafting, purpose=spec.purpose, brief=spec.offer_for(None)
        )
        self.drafter.warm_up(request)

    def draft_one(self, spec: PlaybookSpec, campaign_id: str, cid: str) -> Outcome:
        profiles, states, _ = self.prefetch([cid])
        return self.draft(spec, campaign_id, cid, profiles[cid], states.get(cid, {}))

    def store(self, spec: PlaybookSpec, outcome: Outcome) -> Outcome:
        with self.db.begin() as conn:
            watermark = self.consent.watermark(conn)
        return self.writer.write(spec, [outcome], watermark)[0]

    def versions(self, spec: PlaybookSpec) -> CampaignVersions:
        return CampaignVersions(playbook=playbook_version(spec), prompt=self.prompt_version)

    def start(
        self, spec: PlaybookSpec, campaign_id: str, resume: bool, seed: Seed | None = None
    ) -> tuple[list[str], set[str]]:
        """The stored audience and the customers already done; creates the campaign on first use
        (several workers may start it at once: the first one's audience counts). `seed` runs in
        the same transaction, so a campaign is never seen without its workers' claims."""
        with self.db.begin() as conn:
            found = conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)).first()
            if found is not None and found.playbook != spec.id:
                raise InputError(
                    msg(
                        f"活动 {campaign_id} 属于剧本 {found.playbook}",
                        f"campaign {campaign_id} belongs to playbook {found.playbook}",
                    ),
                    where="--campaign",
                    hint=msg(
                        "换一个活动 ID，或使用同一个剧本续跑",
                        "pick another campaign id, or resume with the same playbook",
                    ),
                )
            if found is not None:
                check_versions(self.db, conn, campaign_id, self.versions(spec))
            if found is not None and not resume:
                raise InputError(
                    msg(f"活动 {campaign_id} 已存在", f"campaign {campaign_id} already exists"),
                    where="--campaign",
                    code=CAMPAIGN_EXISTS,
                    hint=msg(
                        "加 --resume 续跑，或用 --campaign 指定新的活动 ID",
                        "add --resume to continue it, or name a new one with --campaign",
                    ),
                )
            if found is not None:
                audience = json.loads(found.audience)
                done = set(
                    conn.execute(
                        select(campaign_results.c.customer_id).where(
                            campaign_results.c.campaign_id == campaign_id,
                            campaign_results.c.status != "error",
                        )
                    ).scalars()
                )
                if seed is not None:
                    seed(conn, audience, done)
                return audience, done
        audience = self.audience(spec, campaign_id).eligible
        with self.db.begin() as conn:
            row = {
                "id": campaign_id, "playbook": spec.id, "created_at": self.clock(),
                "audience": json.dumps(audience),
            }  # fmt: skip
            self.db.insert_ignore(conn, campaigns, [row])
            check_versions(self.db, conn, campaign_id, self.versions(spec))
            stored = json.loads(
                conn.execute(
                    select(campaigns.c.audience).where(campaigns.c.id == campaign_id)
                ).scalar_one()
            )
            if seed is not None:
                seed(conn, stored, set())
        return stored, set()

    def run(
        self, spec: PlaybookSpec, campaign_id: str, *, resume: bool = False,
        concurrency: int = 4, progress: Progress | None = None, notify: Notify = log_notice,
    ) -> RunSummary:  # fmt: skip
        """Draft the campaign. On PostgreSQL this process is one of possibly several workers
        sharing it through leases (`copilot.campaigns.workers`); elsewhere it drafts alone."""
        if self.db.dialect == "postgresql":
            share = run_worker(
                self, spec, campaign_id, resume=resume, concurrency=concurrency,
                progress=progress, notify=notify,
            )  # fmt: skip
            return self.finish(spec, campaign_id, *share, resume)
        audience, done = self.start(spec, campaign_id, resume)
        todo = [cid for cid in audience if cid not in done]
        counts: Counter[str] = Counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for start in range(0, len(todo), PREFETCH):
                chunk = todo[start : start + PREFETCH]
                profiles, states, watermark = self.prefetch(chunk)
                pending: set[Future[Outcome]] = set()
                buffer: list[Outcome] = []
                for cid in chunk:
                    pending.add(pool.submit(
                        self.draft, spec, campaign_id, cid, profiles[cid], states.get(cid, {})
                    ))  # fmt: skip
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    buffer.extend(f.result() for f in finished)
                    if len(buffer) >= FLUSH or not pending:
                        counts.update(o.label for o in self.writer.write(spec, buffer, watermark))
                        buffer = []
                        if progress:
                            progress(len(done) + counts.total(), len(audience))
        if progress:
            progress(len(done) + counts.total(), len(audience))
        return self.finish(spec, campaign_id, len(audience), len(done), counts, resume)

    def finish(
        self, spec: PlaybookSpec, campaign_id: str, audience: int, skipped: int,
        counts: Counter[str], resume: bool,
    ) -> RunSummary:  # fmt: skip
        """This run's summary, recorded in the audit log."""
        summary = RunSummary(
            campaign_id=campaign_id, audience=audience, skipped=skipped,
            counts=dict(counts), resumed=resume and bool(skipped),
        )  # fmt: skip
        self.audit.record(
            CampaignRun(
                campaign_id=campaign_id, playbook=spec.id, purpose=spec.purpose,
                audience=audience, drafted=counts["pass"] + counts["warn"] + counts["block"],
                excluded=counts["excluded"], blocked=counts["block"], errors=counts["error"],
                resumed=summary.resumed,
            )
        )  # fmt: skip
        return summary
