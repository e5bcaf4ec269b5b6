from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from copilot.guardrails.cadence import in_quiet_hours
from tests.unit.guardrails.conftest import rules_fired, run

TIPS = "洗脸水温别太高，35度左右最合适。"
PROMO = "限时秒杀！满299减50，快下单。"


@pytest.mark.parametrize(
    ("moment", "start", "end", "quiet"),
    [
        (time(22, 0), time(21, 0), time(9, 0), True),
        (time(8, 59), time(21, 0), time(9, 0), True),
        (time(9, 0), time(21, 0), time(9, 0), False),
        (time(13, 0), time(12, 0), time(14, 0), True),
        (time(13, 0), time(9, 0), time(9, 0), False),
    ],
)
def test_quiet_hours_table(moment: time, start: time, end: time, quiet: bool) -> None:
    assert in_quiet_hours(moment, start, end) is quiet


def post(at: str, past: list[str], **extra: Any) -> list[str]:
    verdict = run(
        TIPS,
        "cadence",
        task="post",
        community="g1",
        scheduled_at=at,
        history=[{"scheduled_at": t, "text": TIPS} for t in past],
        **extra,
    )
    return rules_fired(verdict, "cadence")


@pytest.mark.parametrize(
    ("at", "past", "severities"),
    [
        ("2026-11-10T10:00:00+08:00", ["2026-11-10T09:30:00+08:00"], []),
        ("2026-11-10T18:00:00+08:00", ["2026-11-10T09:30:00+08:00"] * 2, ["block"]),
        # 2026-11-09 23:30 UTC is 2026-11-10 07:30 in Shanghai: quiet hours
        ("2026-11-09T23:30:00+00:00", [], ["block"]),
        # 01:30 UTC = 09:30 Shanghai; 16:30 UTC the day before is the previous local day
        ("2026-11-10T01:30:00+00:00", ["2026-11-09T12:30:00+00:00"] * 2, []),
        ("2026-11-10T21:00:00+08:00", [], ["block"]),
    ],
)
def test_post_cadence_table(at: str, past: list[str], severities: list[str]) -> None:
    assert post(at, past) == severities


@pytest.mark.parametrize(
    ("recent", "severities"),
    [
        ([], []),
        (["2026-11-01T10:00:00+08:00"], []),
        (["2026-11-06T10:00:00+08:00"], ["block"]),
        (["2026-11-10T09:00:00+08:00"], ["block", "block"]),
    ],
)
def test_customer_marketing_cap_table(recent: list[str], severities: list[str]) -> None:
    verdict = run(
        PROMO,
        "cadence",
        task="message",
        scheduled_at="2026-11-10T12:00:00+08:00",
        recent_messages=recent,
    )
    assert rules_fired(verdict, "cadence") == severities
