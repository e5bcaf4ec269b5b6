"""Append-only audit log: what was drafted, from what, and what a person did with it.

There is no update or delete path here or anywhere else; the database refuses both (triggers
added by migration m002) and refuses any insert that is not the next link of the hash chain
(m003, ``copilot.audit.chain``), so a rewritten log is detected by ``siyu audit verify``.
Free text is passed through the PII redactor before it is stored. Reading never fails on a
damaged row: it is reported as a ``DamagedRow`` beside the readable events.
"""

from __future__ import annotations

import csv
import difflib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from copilot.audit import chain
from copilot.messages import Text, msg
from copilot.store.engine import Database
from copilot.store.event_hash import canonical_at
from copilot.store.schema import audit_events

Redactor = Callable[[str], str]
_APPENDING = threading.Lock()
Clock = Callable[[], datetime]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ()
    request_id: str | None = Field(
        None, description="the HTTP request that caused the event (absent outside the API)"
    )


class DraftCreated(_Event):
    TEXT_FIELDS = ("text", "model_output", "question")
    kind: Literal["draft_created"] = "draft_created"
    draft_id: str
    task: str
    prompt_id: str = ""
    prompt_version: str = ""
    backend: str = ""
    model: str = ""
    sources: list[str] = Field(default_factory=list)
    fields_used: list[str] = Field(default_factory=list)
    purpose: str | None = None
    customer_id: str | None = None
    community: str | None = None
    campaign_id: str | None = None
    verdict: str
    rules: list[str] = Field(default_factory=list, description="rule ids that fired")
    text: str
    question: str = Field("", description="the customer message a reply answers")
    needs_human: bool = Field(False, description="the draft says a person must confirm it")
    model_output_reason: str = Field("", description="why the model's answer was not used")
    model_output: str = Field("", description="the model's unused answer, for debugging")


class HumanAction(_Event):
    TEXT_FIELDS = ("diff", "reason")
    kind: Literal["human_action"] = "human_action"
    draft_id: str
    action: Literal["accepted", "edited", "rejected"]
    diff: str = ""
    reason: str = ""
    overrode: list[str] = Field(default_factory=list, description="rule ids a person overrode")
    community: str | None = None
    customer_id: str | None = None
    purpose: str | None = None

    @classmethod
    def edited(cls, draft_id: str, before: str, after: str, **context: Any) -> HumanAction:
        """An edit, recorded as a unified diff of the draft against what the person kept."""
        diff = difflib.unified_diff(
            before.splitlines(), after.splitlines(), "draft", "edited", lineterm=""
        )  # one line per diff line even when a text has no final newline
        return cls(draft_id=draft_id, action="edited", diff="\n".join(diff), **context)


class ConsentChange(_Event):
    kind: Literal["consent_change"] = "consent_change"
    customer_id: str
    purpose: str
    action: Literal["granted", "withdrawn"]
    effective_at: datetime
    source: str = ""


class CampaignRun(_Event):
    kind: Literal["campaign_run"] = "campaign_run"
    campaign_id: str
    playbook: str
    purpose: str
    audience: int
    drafted: int
    excluded: int
    blocked: int
    errors: int
    resumed: bool = False


class PostScheduled(_Event):
    TEXT_FIELDS = ("text",)
    kind: Literal["post_scheduled"] = "post_scheduled"
    community: str
    scheduled_at: datetime
    post_type: str
    marketing: bool = False
    overrode: list[str] = Field(default_factory=list)
    text: str


class WecomMessage(_Event):
    """A step of a WeChat Customer Service message: received, approved or rejected by a person
    (the actor), sent, or not sent (why)."""

    TEXT_FIELDS = ("text", "error")
    kind: Literal["wecom_message"] = "wecom_message"
    item: str = Field(description="the queue item, wecom-<id>")
    step: Literal["received", "draft_failed", "approved", "rejected", "sent", "send_failed"]
    open_kfid: str
    msgid: str = Field("", description="WeCom's msgid of the customer message or of the reply")
    text: str = ""
    attempts: int = 0
    error: str = ""


class ApiKeyChange(_Event):
    """An API key was created or revoked (never the secret)."""

    kind: Literal["api_key"] = "api_key"
    key_id: str
    name: str
    action: Literal["created", "revoked"]
    scopes: list[str] = Field(default_factory=list)


AuditEvent = Annotated[
    DraftCreated
    | HumanAction
    | ConsentChange
    | CampaignRun
    | PostScheduled
    | WecomMessage
    | ApiKeyChange,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[AuditEvent] = TypeAdapter(AuditEvent)
EXPORT_COLUMNS = ("id", "at", "kind", "actor", "subject", "payload")


class AuditRecord(BaseModel):
    """One stored event, as read back."""

    model_config = ConfigDict(extra="forbid")

    id: int
    at: datetime
    actor: str
    subject: str
    event: AuditEvent


class DamagedRow(BaseModel):
    """A stored row that cannot be read back as an event (the log was tampered with)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    reason: Text


class ExportResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    damaged: list[DamagedRow] = Field(default_factory=list)


def default_redactor() -> Redactor:
    from copilot.guardrails import redact

    return lambda text: redact(text).text


def _subject(event: _Event) -> str:
    for name in ("draft_id", "customer_id", "campaign_id", "community", "item", "key_id"):
        value = getattr(event, name, None)
        if value:
            return str(value)
    return ""


class AuditLog:
    """Writes events (insert only) and reads them back by time range."""

    def __init__(
        self, db: Database, *, redactor: Redactor | None = None, clock: Clock = datetime.now
    ) -> None:
        self.db = db
        self.redactor = redactor or default_redactor()
        self.clock = clock

    def with_clock(self, clock: Clock) -> AuditLog:
        """This log, writing events at the times `clock` gives (back-dated demo data)."""
        return type(self)(self.db, redactor=self.redactor, clock=clock)

    def _row(self, event: _Event, actor: str) -> dict[str, Any]:
        payload = event.model_dump(mode="json")
        if payload["request_id"] is None:  # events outside the API keep their old shape
            del payload["request_id"]
        for name in event.TEXT_FIELDS:
            payload[name] = self.redactor(payload[name]) if payload[name] else ""
        at = self.clock()
        return {
            "at": at.astimezone().replace(tzinfo=None) if at.tzinfo else at,
            "kind": payload["kind"],
            "actor": actor,
            "subject": _subject(event),
            "payload": json.dumps(payload, ensure_ascii=False),
        }

    def record(
        self, event: _Event, *, actor: str = "system", conn: Connection | None = None
    ) -> None:
        """Append one event; inside `conn`'s transaction when given (atomic with its cause)."""
        self.record_many([event], actor=actor, conn=conn)

    def record_many(
        self, events: Sequence[_Event], *, actor: str = "system", conn: Connection | None = None
    ) -> None:
        """Append several events (one statement) inside `conn`'s transaction, or in a
        transaction of their own: all or none."""
        if not events:
            return
        rows = [self._row(e, actor) for e in events]
        if conn is not None:
            chain.append(conn, rows)
            return
        # Appends wait for each other on the chain head anyway; threads of this process queue
        # here first, where a finished append wakes the next at once, rather than in SQLite's
        # busy handler, which sleeps up to 100 ms between tries (a long tail under load).
        with _APPENDING, self.db.begin() as own:
            chain.append(own, rows)

    def scan(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: set[str] | None = None,
        subject: str | None = None,
    ) -> Iterator[AuditRecord | DamagedRow]:
        """Stored rows with start <= at < end, oldest first: events, or the rows that are not."""
        at = type_coerce(audit_events.c.at, String).label("at")
        columns = [at if c.name == "at" else c for c in audit_events.c]
        query = select(*columns).order_by(audit_events.c.id)
        if start is not None:
            query = query.where(audit_events.c.at >= start)
        if end is not None:
            query = query.where(audit_events.c.at < end)
        if kinds:
            query = query.where(audit_events.c.kind.in_(sorted(kinds)))
        if subject is not None:
            query = query.where(audit_events.c.subject == subject)
        with self.db.begin() as conn:
            rows = conn.execute(query).mappings().all()
        for row in rows:
            try:
                yield AuditRecord(
                    id=row["id"],
                    at=datetime.fromisoformat(canonical_at(row["at"])),
                    actor=row["actor"],
                    subject=row["subject"],
                    event=EVENT_ADAPTER.validate_json(row["payload"]),
                )
            except (ValidationError, ValueError, TypeError) as exc:
                reason = str(exc).splitlines()[0]
                yield DamagedRow(id=row["id"], reason=msg("无法读取", "unreadable") + f": {reason}")

    def events(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: set[str] | None = None,
        subject: str | None = None,
    ) -> Iterator[AuditRecord]:
        """The readable events with start <= at < end (and `subject`, e.g. a draft id), oldest
        first (see `scan`)."""
        for item in self.scan(start, end, kinds, subject):
            if isinstance(item, AuditRecord):
                yield item

    def export_csv(self, out: Path, start: datetime | None, end: datetime | None) -> ExportResult:
        """Write the readable events in [start, end) to a UTF-8-BOM CSV (opens in Excel);
        rows that cannot be read are not written but named in the result."""
        result = ExportResult(count=0)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            for rec in self.scan(start, end):
                if isinstance(rec, DamagedRow):
                    result.damaged.append(rec)
                    continue
                payload = rec.event.model_dump_json()
                writer.writerow(
                    [rec.id, rec.at.isoformat(), rec.event.kind, rec.actor, rec.subject, payload]
                )
                result.count += 1
        return result
