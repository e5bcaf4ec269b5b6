"""What the workbench keeps beside the application: the Copilot its tabs call, plus UI-only state
(run locks, the warm-up signal, upload and export folders, the sample reply queue)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from copilot.app import Copilot


class Conversation(BaseModel):
    """One sample conversation of the reply queue."""

    model_config = ConfigDict(extra="ignore")

    id: str
    customer: str = ""
    channel: str = ""
    message: str


class Workbench:
    """The application shared by every browser session, and the workbench's own state."""

    def __init__(self, copilot: Copilot) -> None:
        self.copilot = copilot
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self._campaign_locks: dict[str, threading.Lock] = {}
        self.warm = threading.Event()

    def campaign_lock(self, campaign_id: str) -> threading.Lock:
        """One run per campaign at a time (a double click does not start a second run)."""
        with self._lock:
            return self._campaign_locks.setdefault(campaign_id, threading.Lock())

    @property
    def uploads_dir(self) -> Path:
        return self.copilot.settings.home / "uploads"

    @property
    def exports_dir(self) -> Path:
        """Files the browser may download (audit CSV, reports, campaign results)."""
        return self.copilot.settings.home / "exports"

    @property
    def ingest_lock(self) -> threading.Lock:
        """One ingest at a time (double clicks, two browser tabs)."""
        return self._ingest_lock

    def warm_up(self) -> None:
        """Load the embedder, knowledge snapshot and drafter now, so the first click is fast."""
        self.copilot.retriever.search("退货运费", k=1)
        _ = self.copilot.drafter
        self.warm.set()

    def conversations(self) -> list[Conversation]:
        """The sample queue; unreadable lines are skipped (the queue is a demo aid)."""
        path = self.copilot.settings.knowledge_dir / "_samples" / "conversations.jsonl"
        if not path.is_file():
            return []
        queue = []
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            try:
                queue.append(Conversation.model_validate(json.loads(line)))
            except (ValueError, ValidationError):
                continue
        return queue
