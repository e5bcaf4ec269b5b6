"""How one audit event is hashed into the chain: the storage contract shared by migration m003
(which chains the events stored before the chain existed) and ``copilot.audit.chain``.

``hash = sha256(canonical JSON of id, at, kind, actor, subject, payload, prev_hash)``, and the
first event's ``prev_hash`` is empty (``GENESIS``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

GENESIS = ""
HEAD = "audit_events"
HASHED = ("id", "at", "kind", "actor", "subject", "payload", "prev_hash")


def canonical_at(value: object) -> str:
    """The event time as hashed: ISO 8601 with microseconds, whatever the backend returns."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def event_hash(row: Mapping[Any, Any]) -> str:
    """sha256 (hex) of one event's canonical serialisation, its prev_hash included."""
    fields = {name: row[name] for name in HASHED}
    fields["id"] = int(fields["id"])
    fields["at"] = canonical_at(fields["at"])
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
