"""Consent registry: grant/withdraw per purpose with full history, and the fields each purpose allows.

The current state is always read from the stored history, so a withdrawal takes effect for the
very next draft or campaign row. ``permitted_fields`` is where data minimisation happens: the
prompt builder is handed its result, never the whole profile.

How the state of one purpose is decided, withdrawal always winning, is the rule in
``copilot.guardrails.consent_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from copilot.audit.log import AuditLog, ConsentChange
from copilot.customers.profiles import CHUNK, CustomerProfile
from copilot.errors import InputError
from copilot.guardrails.consent_state import (
    Action,
    ConsentEvent,
    current_state,
    future_reason,
)
from copilot.messages import Text, msg
from copilot.store.engine import Database
from copilot.store.schema import consents, customers


def permitted_fields(
    profile: CustomerProfile,
    purpose: str,
    state: Mapping[str, ConsentEvent],
    purpose_fields: Mapping[str, list[str]],
) -> tuple[dict[str, str], dict[str, Text]]:
    """(fields the draft may use, withheld field -> reason) for one customer and purpose."""
    values = profile.fields()
    granted = {p for p, e in state.items() if e.action == "granted"}
    if purpose not in granted:
        last = state.get(purpose)
        reason = (
            msg(
                f"用途 {purpose} 已于 {last.at:%Y-%m-%d %H:%M} 撤回",
                f"consent for {purpose} withdrawn on {last.at:%Y-%m-%d %H:%M}",
            )
            if last
            else msg(f"客户未授权用途 {purpose}", f"no consent for purpose {purpose}")
        )
        return {}, dict.fromkeys(values, reason)
    allowed = {f for p in granted for f in purpose_fields.get(p, [])}
    fields: dict[str, str] = {}
    withheld: dict[str, Text] = {}
    for name, value in values.items():
        if name in allowed:
            fields[name] = value
            continue
        needs = sorted(p for p, names in purpose_fields.items() if name in names)
        withheld[name] = (
            msg(f"需要授权：{', '.join(needs)}", f"needs consent: {', '.join(needs)}")
            if needs
            else msg("无用途允许此字段", "no purpose allows this field")
        )
    return fields, withheld


class ConsentRegistry:
    """Reads and appends consent events; every change is also an audit event."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        purpose_fields: Mapping[str, list[str]],
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db = db
        self.audit = audit
        self.purpose_fields = purpose_fields
        self.clock = clock

    def _check(self, conn: Connection, customer_id: str, purpose: str) -> None:
        if purpose not in self.purpose_fields:
            raise InputError(
                msg(f"未知授权用途 {purpose!r}", f"unknown purpose {purpose!r}"),
                where="purpose",
                hint=msg("可选：", "valid: ") + ", ".join(sorted(self.purpose_fields)),
            )
        found = conn.execute(select(customers.c.id).where(customers.c.id == customer_id)).first()
        if found is None:
            raise InputError(
                msg(f"客户不存在 {customer_id!r}", f"unknown customer {customer_id!r}"),
                where="customer_id",
                hint=msg(
                    "先用 `siyu customers import` 导入客户",
                    "import customers first with `siyu customers import`",
                ),
            )

    def change(
        self,
        customer_id: str,
        purpose: str,
        action: Action,
        *,
        source: str,
        actor: str,
        at: datetime | None = None,
    ) -> ConsentEvent:
        """Append a grant or withdrawal, effective `at` (default now; never in the future),
        together with its audit event."""
        now = self.clock()
        effective = now if at is None else at
        if effective.tzinfo is not None:
            effective = effective.astimezone().replace(tzinfo=None)
        reason = future_reason(effective, now)
        if reason is not None:
            raise InputError(
                reason,
                where="at",
                hint=msg(
                    "按实际发生时间登记；撤回与授权都不可预约",
                    "record the time it happened; grants and withdrawals cannot be scheduled",
                ),
            )
        event = ConsentEvent(purpose=purpose, action=action, at=effective, source=source)
        with self.db.begin() as conn:
            self._check(conn, customer_id, purpose)
            conn.execute(consents.insert().values(customer_id=customer_id, **event.model_dump()))
            self.audit.record(
                ConsentChange(
                    customer_id=customer_id,
                    purpose=purpose,
                    action=action,
                    effective_at=event.at,
                    source=source,
                ),
                actor=actor,
                conn=conn,
            )
        return event

    def history(self, customer_id: str) -> list[ConsentEvent]:
        """Every consent event of a customer, in the order recorded."""
        query = (
            select(consents.c.purpose, consents.c.action, consents.c.at, consents.c.source)
            .where(consents.c.customer_id == customer_id)
            .order_by(consents.c.id)
        )
        with self.db.begin() as conn:
            return [ConsentEvent.model_validate(r) for r in conn.execute(query).mappings()]

    def states(
        self, customer_ids: Iterable[str] | None = None, conn: Connection | None = None
    ) -> dict[str, dict[str, ConsentEvent]]:
        """customer -> purpose -> deciding event now, read fresh (all customers, or the given
        ones); customers without any event in effect are left out."""
        if conn is None:
            with self.db.begin() as own:
                return self.states(customer_ids, own)
        query = select(consents).order_by(consents.c.id)
        ids = list(customer_ids) if customer_ids is not None else None
        chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        histories: dict[str, list[ConsentEvent]] = {}
        for chunk in chunks:
            part = query if chunk is None else query.where(consents.c.customer_id.in_(chunk))
            for row in conn.execute(part).mappings():
                histories.setdefault(row["customer_id"], []).append(
                    ConsentEvent(
                        purpose=row["purpose"], action=row["action"], at=row["at"],
                        source=row["source"],
                    )
                )  # fmt: skip
        now = self.clock()
        states = {cid: current_state(events, now) for cid, events in histories.items()}
        return {cid: state for cid, state in states.items() if state}

    def watermark(self, conn: Connection) -> int:
        """The newest consent event id; `changed_since` finds customers with later events."""
        return int(conn.execute(select(func.max(consents.c.id))).scalar() or 0)

    def changed_since(self, conn: Connection, watermark: int, customer_ids: list[str]) -> set[str]:
        query = select(consents.c.customer_id).where(
            consents.c.id > watermark, consents.c.customer_id.in_(customer_ids)
        )
        return set(conn.execute(query).scalars())
