"""The package objects the workbench tabs call, built once from settings and shared by sessions."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.customers.campaign import Campaigns, playbook_runner
from copilot.customers.catalog import Product, load_catalog
from copilot.customers.consent import ConsentRegistry
from copilot.customers.db import Database
from copilot.customers.playbooks import PlaybookSpec, load_playbooks
from copilot.customers.schedule import PostSchedule
from copilot.drafting import Drafter
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.approved import ApprovedAnswers
from copilot.retrieval.store import VectorStore, open_store


class Conversation(BaseModel):
    """One sample conversation of the reply queue."""

    model_config = ConfigDict(extra="ignore")

    id: str
    customer: str = ""
    channel: str = ""
    message: str


class Workbench:
    """Settings plus lazily built collaborators (store, drafter, database, audit, consent)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self._campaign_locks: dict[str, threading.Lock] = {}
        self.warm = threading.Event()

    @cached_property
    def store(self) -> VectorStore:
        return open_store(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.settings.retrieval, self.settings.cache_dir / "keyword")

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(
            self.store, self.settings.retrieval, batch_size=self.settings.embedding.batch_size
        )

    @cached_property
    def drafter(self) -> Drafter:
        return Drafter.from_settings(self.settings, retriever=self.retriever)

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.db_url)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    @cached_property
    def consent(self) -> ConsentRegistry:
        return ConsentRegistry(self.db, self.audit, self.settings.guardrails.purpose_fields)

    @cached_property
    def schedule(self) -> PostSchedule:
        tz = ZoneInfo(self.settings.timezone)
        return PostSchedule(self.db, self.audit, self.settings.timezone, lambda: datetime.now(tz))

    @cached_property
    def catalog(self) -> dict[str, Product]:
        return load_catalog(self.settings.knowledge_dir / "products.csv")

    @cached_property
    def approved(self) -> ApprovedAnswers:
        return ApprovedAnswers(self.settings.home / "approved", self.ingestor)

    def playbooks(self) -> dict[str, PlaybookSpec]:
        g = self.settings.guardrails
        return load_playbooks(self.settings.knowledge_dir / "playbooks", g.purpose_fields, g)

    def campaigns(self, spec: PlaybookSpec) -> tuple[Drafter, Campaigns]:
        """A drafter under the playbook's guardrail overrides and the campaign runner using it."""
        return playbook_runner(
            spec,
            self.settings,
            self.retriever,
            db=self.db,
            audit=self.audit,
            consent=self.consent,
            catalog=self.catalog,
        )

    def campaign_lock(self, campaign_id: str) -> threading.Lock:
        """One run per campaign at a time (a double click does not start a second run)."""
        with self._lock:
            return self._campaign_locks.setdefault(campaign_id, threading.Lock())

    @property
    def uploads_dir(self) -> Path:
        return self.settings.home / "uploads"

    @property
    def exports_dir(self) -> Path:
        """Files the browser may download (audit CSV, reports, campaign results)."""
        return self.settings.home / "exports"

    @property
    def ingest_lock(self) -> threading.Lock:
        """One ingest at a time (double clicks, two browser tabs)."""
        return self._ingest_lock

    def written(self) -> None:
        """The knowledge base changed here: the next search must see it."""
        self.retriever.refresh()

    def warm_up(self) -> None:
        """Load the embedder, keyword index and drafter now, so the first click is fast."""
        self.retriever.search("退货运费", k=1)
        _ = self.drafter
        self.warm.set()

    def conversations(self) -> list[Conversation]:
        """The sample queue; unreadable lines are skipped (the queue is a demo aid)."""
        path = self.settings.knowledge_dir / "_samples" / "conversations.jsonl"
        if not path.is_file():
            return []
        queue = []
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            try:
                queue.append(Conversation.model_validate(json.loads(line)))
            except (ValueError, ValidationError):
                continue
        return queue
