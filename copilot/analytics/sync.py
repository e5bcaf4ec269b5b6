"""Brings the analytics projection up to date with the audit log (append-only, so only events
after the last one projected are read).

Each event becomes one ``analytics_events`` row with its grouping fields as columns and its
knowledge sources as one newline-separated column, its rule lists (fired, overridden) as
``analytics_tags`` rows; a person's first
decision on a draft is written onto the draft's row (action, reason, seconds from suggestion
to decision, edit distance and the edited lines). A row that cannot be read becomes an
``unreadable`` row: it is counted, never raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, select, type_coerce, update
from sqlalchemy.engine import Connection

from copilot.analytics.editdistance import added_text, diff_distance
from copilot.analytics.tables_db import facts, tags
from copilot.store.engine import Database
from copilot.store.event_hash import canonical_at
from copilot.store.schema import audit_events

BATCH = 20_000
LOOKUP = 500
LIST_TAGS = {"rules": "rule", "overrode": "overrode"}
SOURCE_SEPARATOR = "\n"
TEXT_LIMITS = {"task": 32, "prompt_version": 64, "backend": 64, "community": 128,
               "customer_id": 64, "verdict": 16, "reason": 500}  # fmt: skip
SOURCES_CHARS = 1000  # indexed columns stay well under PostgreSQL's b-tree row limit
NO_TIME = datetime(1970, 1, 1)


def _text(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    text = "" if value is None else str(value)
    return text[: TEXT_LIMITS.get(name, len(text))]


def _fact(row: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the event's row, its payload or None when the row cannot be read)."""
    base: dict[str, Any] = {
        "event_id": int(row.id), "actor": str(row.actor or "")[:64],
        "subject": str(row.subject or "")[:128],
    }  # fmt: skip
    try:
        at = datetime.fromisoformat(canonical_at(row.at))
        base.update(at=at, day=at.date().isoformat(),
                    week=(at.date() - timedelta(days=at.weekday())).isoformat())  # fmt: skip
        payload = json.loads(row.payload)
        if not isinstance(payload, dict) or payload.get("kind") != row.kind:
            raise ValueError("payload does not match its kind")
    except (ValueError, TypeError):
        if "at" not in base:
            base.update(at=NO_TIME, day="", week="")
        return {**base, "kind": "unreadable"}, None
    base["kind"] = str(row.kind)
    for name in TEXT_LIMITS:
        base[name] = _text(payload, name)
    base["needs_human"] = int(bool(payload.get("needs_human")))
    base["marketing"] = int(bool(payload.get("marketing")))
    base["question"] = _text(payload, "question")
    base["scheduled_day"] = _text(payload, "scheduled_at")[:10]
    sources = payload.get("sources")
    if isinstance(sources, list):
        joined = SOURCE_SEPARATOR.join(dict.fromkeys(str(v) for v in sources))
        base["sources"] = joined[:SOURCES_CHARS]
    return base, payload


@dataclass
class _Batch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


DEFAULTS = {
    "task": "", "prompt_version": "", "backend": "", "community": "", "customer_id": "",
    "verdict": "", "needs_human": 0, "question": "", "marketing": 0, "scheduled_day": "",
    "action": "", "reason": "", "decision_seconds": None, "edit_distance": None,
    "edited_text": "", "sources": "",
}  # fmt: skip


class FactSync:
    """Projects the audit log events not yet projected, in batches (each its own transaction)."""

    def __init__(self, db: Database, batch: int = BATCH) -> None:
        self.db, self.batch = db, batch

    def run(self) -> int:
        """Project every new event; returns how many were projected."""
        done = 0
        while True:
            with self.db.begin() as conn:
                count = self._step(conn)
            done += count
            if count < self.batch:
                return done

    def _step(self, conn: Connection) -> int:
        last = conn.execute(select(func.max(facts.c.event_id))).scalar() or 0
        e = audit_events.c
        query = (
            select(e.id, type_coerce(e.at, String).label("at"), e.kind, e.actor, e.subject,
                   e.payload)
            .where(e.id > last).order_by(e.id).limit(self.batch)
        )  # fmt: skip
        batch = _Batch()
        rows = conn.execute(query).all()
        for row in rows:
            fact, payload = _fact(row)
            batch.rows.append({**DEFAULTS, **fact})
            if payload is None:
                continue
            for name, tag in LIST_TAGS.items():
                values = payload.get(name)
                if isinstance(values, list):
                    batch.tags += [
                        {"event_id": fact["event_id"], "tag": tag, "value": str(v)[:256]}
                        for v in dict.fromkeys(values)
                    ]
            if fact["kind"] == "human_action":
                batch.decisions.append((fact, payload))
        # insert-ignore: a report started at the same moment may project the same events
        self.db.insert_ignore(conn, facts, batch.rows)
        self.db.insert_ignore(conn, tags, batch.tags)
        self._decide(conn, batch.decisions)
        return len(rows)

    def _decide(
        self, conn: Connection, decisions: list[tuple[dict[str, Any], dict[str, Any]]]
    ) -> None:
        """Write each draft's first decision onto the draft's row."""
        subjects = sorted({fact["subject"] for fact, _ in decisions})
        drafts: dict[str, tuple[int, datetime, str]] = {}
        for start in range(0, len(subjects), LOOKUP):
            chunk = subjects[start : start + LOOKUP]
            found = conn.execute(
                select(facts.c.subject, facts.c.event_id, facts.c.at, facts.c.action).where(
                    facts.c.kind == "draft_created", facts.c.subject.in_(chunk)
                )
            )
            drafts.update({r.subject: (r.event_id, r.at, r.action) for r in found})
        updates = []
        for fact, payload in decisions:
            draft = drafts.get(fact["subject"])
            if draft is None or draft[2]:
                continue
            action = _text(payload, "action")
            drafts[fact["subject"]] = (draft[0], draft[1], action)
            diff = _text(payload, "diff") if action == "edited" else ""
            updates.append({
                "b_id": draft[0], "b_action": action[:16], "b_reason": _text(payload, "reason"),
                "b_seconds": max((fact["at"] - draft[1]).total_seconds(), 0.0),
                "b_distance": diff_distance(diff) if diff else None,
                "b_edited": added_text(diff) if diff else "",
            })  # fmt: skip
        if updates:
            conn.execute(
                update(facts)
                .where(facts.c.event_id == bindparam("b_id"))
                .values(
                    action=bindparam("b_action"),
                    reason=bindparam("b_reason"),
                    decision_seconds=bindparam("b_seconds"),
                    edit_distance=bindparam("b_distance"),
                    edited_text=bindparam("b_edited"),
                ),
                updates,
            )
