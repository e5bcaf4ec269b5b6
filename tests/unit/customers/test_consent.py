from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from copilot.audit.log import AuditLog
from copilot.config import Settings
from copilot.customers.consent import ConsentRegistry, permitted_fields
from copilot.customers.profiles import CustomerProfile
from copilot.errors import InputError
from copilot.guardrails.consent_state import ConsentEvent
from copilot.messages import render
from copilot.store.engine import Database
from copilot.store.schema import customers

PURPOSE_FIELDS = Settings().guardrails.purpose_fields
PROFILE = CustomerProfile(
    id="C1",
    name="张三",
    nickname="三三",
    tier="金卡会员",
    tags=["宝妈"],
    birthday=date(1990, 5, 1),
    city="上海",
    order_count=3,
    total_spent_fen=29900,
)
T0 = datetime(2026, 1, 1, 10)


def ev(purpose: str, action: str = "granted", at: datetime = T0) -> ConsentEvent:
    return ConsentEvent(purpose=purpose, action=action, at=at, source="小程序")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "purpose", "fields", "withheld"),
    [
        (
            [ev("birthday_greeting")],
            "birthday_greeting",
            {"name", "nickname", "birthday"},
            {
                "tier": "marketing_personalisation",
                "city": "location_use",
                "total_spent": "order_history_use",
            },
        ),
        (
            [ev("birthday_greeting"), ev("marketing_personalisation")],
            "birthday_greeting",
            {"name", "nickname", "birthday", "tier", "tags"},
            {"city": "location_use"},
        ),
        ([ev("marketing_personalisation")], "birthday_greeting", set(), {"name": "未授权"}),
        (
            [ev("birthday_greeting"), ev("birthday_greeting", "withdrawn", T0 + timedelta(1))],
            "birthday_greeting",
            set(),
            {"birthday": "撤回"},
        ),
    ],
)
def test_permitted_fields_only_for_consented_purposes(
    state: list[ConsentEvent], purpose: str, fields: set[str], withheld: dict[str, str]
) -> None:
    current = {e.purpose: e for e in state}
    got, held = permitted_fields(PROFILE, purpose, current, PURPOSE_FIELDS)
    assert set(got) == fields
    for name, reason in withheld.items():
        assert reason in render(held[name], "zh")
    assert not set(got) & set(held)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def small_registry(db: Database) -> ConsentRegistry:
    with db.begin() as conn:
        conn.execute(customers.insert().values(id="C1", name="张三"))
    audit = AuditLog(db, redactor=lambda t: t)
    return ConsentRegistry(db, audit, PURPOSE_FIELDS, clock=Clock())


def test_withdrawal_is_effective_immediately_and_history_kept(
    small_registry: ConsentRegistry,
) -> None:
    small_registry.change("C1", "birthday_greeting", "granted", source="小程序", actor="op")
    small_registry.change("C1", "birthday_greeting", "withdrawn", source="客户私信", actor="op")
    history = small_registry.history("C1")
    assert [e.action for e in history] == ["granted", "withdrawn"]
    assert small_registry.states()["C1"]["birthday_greeting"].action == "withdrawn"
    kinds = [r.event.kind for r in small_registry.audit.events()]
    assert kinds == ["consent_change", "consent_change"]


@pytest.mark.parametrize(
    ("customer", "purpose", "match"),
    [("C9", "birthday_greeting", "客户不存在"), ("C1", "spam", "未知授权用途")],
)
def test_bad_consent_change_is_refused(
    small_registry: ConsentRegistry, customer: str, purpose: str, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        small_registry.change(customer, purpose, "granted", source="x", actor="op")
    assert list(small_registry.audit.events()) == []
