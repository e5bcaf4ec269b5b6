"""Cadence rule edge cases found by mutation testing: range bounds, window bounds and wording."""

from __future__ import annotations

from datetime import time

import pytest

from copilot.guardrails import Verdict
from copilot.guardrails.cadence import in_quiet_hours
from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired, run

TIPS = "洗脸水温别太高，35度左右最合适。"
PROMO = "限时秒杀！满299减50，快下单。"
NOON_AT = "2026-11-10T12:00:00+08:00"


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(time(11, 59), False), (time(12, 0), True), (time(13, 59), True), (time(14, 0), False)],
)
def test_daytime_quiet_range_includes_its_start_and_excludes_its_end(
    moment: time, quiet: bool
) -> None:
    assert in_quiet_hours(moment, time(12, 0), time(14, 0)) is quiet


def message(recent: list[str], task: str = "message") -> Verdict:
    return run(PROMO, "cadence", task=task, scheduled_at=NOON_AT, recent_messages=recent)


def test_daily_post_cap_suggests_another_day() -> None:
    past = [{"scheduled_at": "2026-11-10T09:30:00+08:00", "text": TIPS}] * 2
    verdict = run(TIPS, "cadence", task="post", community="g1", scheduled_at=NOON_AT, history=past)
    [finding] = verdict.findings
    assert render(finding.message, "en") == (
        "community already has 2 posts on 2026-11-10; one more exceeds the 2-per-day cap"
    )
    assert render(finding.fix, "zh") == "改到其他日期发布"
    assert render(finding.fix, "en") == "schedule it on another day"


def test_promotional_reply_is_not_capped_like_a_marketing_message() -> None:
    assert message(["2026-11-10T09:00:00+08:00"], task="reply").findings == []


def test_message_sent_at_the_same_moment_counts() -> None:
    assert rules_fired(message([NOON_AT]), "cadence") == ["block", "block"]


def test_message_exactly_one_window_ago_has_left_the_window() -> None:
    assert message(["2026-11-03T12:00:00+08:00"]).findings == []


def test_customer_cap_fix_names_the_day_the_oldest_message_leaves_the_window() -> None:
    [finding] = message(["2026-11-08T10:00:00+08:00", "2026-11-06T10:00:00+08:00"]).findings
    assert render(finding.message, "en") == (
        "this customer already got 2 marketing messages in 7 days; the cap is 1"
    )
    assert render(finding.fix, "en") == "wait until after 2026-11-13"
    assert render(finding.fix, "zh") == "等到 2026-11-13 之后再发"


def test_platform_daily_limit_names_the_limit_and_suggests_tomorrow() -> None:
    platform = message(["2026-11-10T09:00:00+08:00"]).findings[1]
    assert render(platform.message, "en") == "WeCom allows 1 mass message(s) per customer per day"
    assert render(platform.fix, "zh") == "改到明天发送"
    assert render(platform.fix, "en") == "send it tomorrow"
