"""The Copilot application object: the one place the app is assembled from settings.

A `Copilot` owns the knowledge base (vector store, retriever, ingestor, approved answers), the
drafter and the guardrails, the database with the audit log, consent registry, post schedule
and product catalog, the playbooks with their campaign runners, and the eval run. The CLI
(`copilot.cli`) and the workbench (`copilot.ui`) — and a future HTTP API — are faces over it:
they parse input, call it and render what it returns; none of them builds these parts itself.

Construction is cheap: every part is built on first use, and the heavy stacks (Chroma, the
embedder, the drafting engine, the database driver) are imported only then, so a command that
needs the database never loads the retrieval stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from copilot.config import Settings

if TYPE_CHECKING:
    from copilot.audit.log import AuditLog
    from copilot.campaigns.campaign import Campaigns
    from copilot.campaigns.playbooks import PlaybookSpec
    from copilot.community.schedule import PostSchedule
    from copilot.customers.catalog import Product
    from copilot.customers.consent import ConsentRegistry
    from copilot.drafting import Drafter
    from copilot.evals.results import CaseResult
    from copilot.evals.session import EvalOutcome, EvalRequest
    from copilot.evals.store import RunStore
    from copilot.guardrails import CheckInput, Verdict
    from copilot.llm.backend import Backend
    from copilot.retrieval import Ingestor, Retriever
    from copilot.retrieval.approved import ApprovedAnswers
    from copilot.retrieval.embedder import SiyuEmbedding
    from copilot.retrieval.models import Hit
    from copilot.retrieval.store import VectorStore
    from copilot.store.engine import Database
    from copilot.wecom import WecomConnector
    from copilot.wecom.jsapi import AgentSigner


class Copilot:
    """Settings plus every part of the app, each built once, on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Copilot:
        return cls(settings)

    # knowledge base

    @cached_property
    def store(self) -> VectorStore:
        from copilot.retrieval.store import open_store

        return open_store(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        return self._retriever_on(self.store)

    def _retriever_on(self, store: VectorStore) -> Retriever:
        from copilot.retrieval import Retriever

        return Retriever(store, self.settings.retrieval, self.settings.cache_dir / "snapshot")

    @cached_property
    def ingestor(self) -> Ingestor:
        from copilot.retrieval import Ingestor

        return Ingestor(
            self.store, self.settings.retrieval, batch_size=self.settings.embedding.batch_size
        )

    @cached_property
    def approved(self) -> ApprovedAnswers:
        from copilot.retrieval.approved import ApprovedAnswers

        return ApprovedAnswers(self.db, self.settings.home / "approved", self.ingestor)

    def written(self) -> None:
        """The knowledge base changed here: the next search must see it."""
        self.retriever.refresh()

    def ensure_knowledge(
        self, ingest: Callable[[list[Path]], object] | None = None, *, warm: bool = True
    ) -> None:
        """The configured knowledge base ingested when the store is empty (by `ingest`, e.g.
        with a progress bar; default the ingestor), then, when `warm`, the app warmed up."""
        self.settings.ensure_home()
        folder = self.settings.knowledge_dir
        if self.store.count() == 0 and folder.is_dir():
            (ingest or self.ingestor.ingest)([folder])
            self.written()
        if warm:
            self.warm_up()

    def warm_up(self) -> None:
        """Draft one reply, so the embedder, the knowledge snapshot, the drafter and its caches are
        loaded before the first real request."""
        from copilot.drafting import ReplyRequest

        self.drafter.reply(ReplyRequest(message="退货运费谁出"))

    # drafting and guardrails

    @cached_property
    def drafter(self) -> Drafter:
        """The drafter of the configured backend on the knowledge base."""
        from copilot.drafting import Drafter

        return Drafter.from_settings(self.settings, retriever=self.retriever)

    def drafter_for(self, backend: Backend, query_embedder: SiyuEmbedding | None = None) -> Drafter:
        """A drafter on the knowledge base with another backend; `query_embedder`, when given,
        embeds its search queries (an eval run primes one with all its queries up front)."""
        from copilot.drafting import Drafter

        store = self.store
        if query_embedder is not None:
            store = store.with_embedder(query_embedder)
        retriever = self._retriever_on(store)
        return Drafter.from_settings(self.settings, backend=backend, retriever=retriever)

    def grounded_drafter(self, backend: Backend, passages: Sequence[Hit]) -> Drafter:
        """A drafter whose only evidence is `passages`, whatever it asks (endpoint probes)."""
        from copilot.drafting import Drafter
        from copilot.retrieval.fixed import FixedRetriever

        return Drafter.from_settings(
            self.settings, backend=backend, retriever=FixedRetriever(passages)
        )

    def check(self, draft: CheckInput) -> Verdict:
        """The guardrail verdict on a draft under the configured rules."""
        from copilot.guardrails import check

        return check(draft, self.settings.guardrails)

    # customers, consent, audit, community

    @cached_property
    def db(self) -> Database:
        from copilot.store.engine import Database

        self.settings.ensure_home()
        return Database(self.settings.db_url)

    @cached_property
    def audit(self) -> AuditLog:
        from copilot.audit.log import AuditLog

        return AuditLog(self.db)

    @cached_property
    def consent(self) -> ConsentRegistry:
        from copilot.customers.consent import ConsentRegistry

        return ConsentRegistry(self.db, self.audit, self.settings.guardrails.purpose_fields)

    @cached_property
    def schedule(self) -> PostSchedule:
        from copilot.community.schedule import PostSchedule

        tz = ZoneInfo(self.settings.timezone)
        return PostSchedule(self.db, self.audit, self.settings.timezone, lambda: datetime.now(tz))

    @cached_property
    def catalog(self) -> dict[str, Product]:
        from copilot.customers.catalog import load_catalog

        return load_catalog(self.settings.knowledge_dir / "products.csv")

    # playbooks and campaigns

    @property
    def playbooks_dir(self) -> Path:
        return self.settings.knowledge_dir / "playbooks"

    def playbooks(self) -> dict[str, PlaybookSpec]:
        """Every playbook of the knowledge base, read afresh (an edited file counts at once)."""
        from copilot.campaigns.playbooks import load_playbooks

        g = self.settings.guardrails
        return load_playbooks(self.playbooks_dir, g.purpose_fields, g)

    def playbook(self, name: str) -> PlaybookSpec:
        """The playbook `name`; a ConfigError lists the available ones."""
        from copilot.campaigns.playbooks import find_playbook

        g = self.settings.guardrails
        return find_playbook(self.playbooks_dir, name, g.purpose_fields, g)

    def campaigns(self, spec: PlaybookSpec) -> tuple[Drafter, Campaigns]:
        """A drafter under the playbook's guardrail overrides, its searches memoised, and the
        campaign runner that uses it."""
        from copilot.campaigns.campaign import Campaigns
        from copilot.campaigns.searcher import MemoSearcher
        from copilot.campaigns.versions import prompt_version
        from copilot.drafting import Drafter

        guardrails = spec.guardrail_settings(self.settings.guardrails)
        scoped = self.settings.model_copy(update={"guardrails": guardrails})
        drafter = Drafter.from_settings(scoped, retriever=MemoSearcher(self.retriever))
        engine = drafter.engine
        runner = Campaigns(
            self.db,
            self.audit,
            self.consent,
            drafter,
            self.catalog,
            self.settings.customers,
            guardrails,
            prompt_version=prompt_version(engine.prompts.get("message", engine.options.language)),
        )
        return drafter, runner

    # WeChat Customer Service

    @cached_property
    def wecom(self) -> WecomConnector:
        """The 微信客服 connector (SIYU_WECOM_* settings); it drafts with the app's drafter."""
        from copilot.drafting import ReplyRequest
        from copilot.wecom import WecomConnector

        return WecomConnector(
            self.settings.wecom,
            self.db,
            self.audit,
            lambda text: self.drafter.reply(ReplyRequest(message=text)),
        )

    @cached_property
    def wecom_agent(self) -> AgentSigner:
        """Signs the sidebar's wx.agentConfig (SIYU_WECOM_AGENT_ID and the app's secret)."""
        from copilot.wecom.jsapi import AgentSigner

        return AgentSigner(self.settings.wecom)

    # evals

    @cached_property
    def eval_runs(self) -> RunStore:
        """Stored eval runs and the saved baseline."""
        from copilot.evals.store import RunStore

        return RunStore(self.settings.home / "evals")

    def run_evals(
        self,
        request: EvalRequest,
        *,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[CaseResult], None] | None = None,
    ) -> EvalOutcome:
        """Run eval suites on this knowledge base, store the run, compare it with the baseline
        and write the reports (see `copilot.evals.session.run_evals`)."""
        from copilot.evals.session import run_evals

        return run_evals(self, request, on_start=on_start, on_result=on_result)
