"""Consent state edge cases found by mutation testing: which event decides, refusal wording."""

from __future__ import annotations

from datetime import datetime, timedelta

from copilot.guardrails.consent_state import ConsentEvent, current_state, future_reason

NOW = datetime(2026, 11, 10, 12, 0)
H = timedelta(hours=1)
PURPOSE = "marketing_personalisation"


def ev(action: str, offset: timedelta, source: str = "导入") -> ConsentEvent:
    return ConsentEvent.model_validate(
        {"purpose": PURPOSE, "action": action, "at": NOW + offset, "source": source}
    )


def decided(*events: ConsentEvent) -> ConsentEvent:
    return current_state(events, NOW)[PURPOSE]


def test_an_older_withdrawal_recorded_later_does_not_let_an_older_grant_revive_consent() -> None:
    # withdrawn at 10:00; a back-dated withdrawal at 08:00, then a grant effective at 09:00
    state = decided(ev("withdrawn", -2 * H), ev("withdrawn", -4 * H), ev("granted", -3 * H))
    assert (state.action, state.at) == ("withdrawn", NOW - 2 * H)


def test_the_latest_effective_grant_decides_whatever_the_recording_order() -> None:
    state = decided(ev("granted", -H, "门店"), ev("granted", -3 * H, "导入"))
    assert (state.at, state.source) == (NOW - H, "门店")


def test_on_a_tie_the_grant_recorded_last_decides() -> None:
    state = decided(ev("granted", -H, "导入"), ev("granted", -H, "门店"))
    assert state.source == "门店"


def test_future_effective_time_is_refused_with_the_allowed_lead() -> None:
    reason = future_reason(NOW + 10 * timedelta(minutes=1), NOW)
    assert reason is not None
    assert reason.zh == "生效时间在未来（2026-11-10 12:10，超过当前时间 5 分钟以上），不能预先登记"
    assert reason.en == (
        "the effective time is in the future (2026-11-10 12:10, more than 5 minutes ahead of "
        "now) and cannot be recorded in advance"
    )
    assert future_reason(NOW + timedelta(minutes=5), NOW) is None
