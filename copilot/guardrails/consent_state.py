"""How a consent history decides the state of each purpose: the rule shared by the consent
registry (``copilot.customers.consent``) and the compliance self-check.

How the state of one purpose is decided (``current_state``), withdrawal always winning:

* only events already in effect count: effective time <= now (a withdrawal also counts up to
  ``CLOCK_SKEW`` early, so a slightly fast clock never delays it); events further in the future
  are refused when recorded, by the import and by ``ConsentRegistry.change``;
* the latest effective time wins, and on a tie the withdrawal wins;
* a grant never revives consent over a withdrawal recorded before it with an equal or later
  effective time, nor over any withdrawal recorded after it (whatever its effective time): a
  withdrawal is only ever overridden by a grant that is both recorded and effective after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from copilot.messages import Msg, msg

Action = Literal["granted", "withdrawn"]
CLOCK_SKEW = timedelta(minutes=5)


class ConsentEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str
    action: Action
    at: datetime
    source: str


def future_reason(at: datetime, now: datetime) -> Msg | None:
    """Why an effective time cannot be recorded now (None when it can)."""
    if at <= now + CLOCK_SKEW:
        return None
    minutes = int(CLOCK_SKEW.total_seconds() // 60)
    return msg(
        f"生效时间在未来（{at:%Y-%m-%d %H:%M}，超过当前时间 {minutes} 分钟以上），不能预先登记",
        f"the effective time is in the future ({at:%Y-%m-%d %H:%M}, more than {minutes} minutes "
        "ahead of now) and cannot be recorded in advance",
    )


def current_state(
    events: Iterable[ConsentEvent],
    now: datetime | None = None,
    *,
    withdrawal_lead: timedelta = CLOCK_SKEW,
) -> dict[str, ConsentEvent]:
    """purpose -> the event deciding it at `now` (default: now); see the module docstring.

    `events` must be in the order they were recorded (``ConsentRegistry.history`` order).
    `withdrawal_lead`: how far ahead of `now` a withdrawal already counts (0 when looking back
    at what was in effect at a past moment).
    """
    now = now or datetime.now()
    state: dict[str, ConsentEvent] = {}
    withdrawn_at: dict[str, datetime] = {}  # latest effective withdrawal recorded so far
    for event in events:
        purpose, at = event.purpose, event.at
        if at > (now + withdrawal_lead if event.action == "withdrawn" else now):
            continue
        last = state.get(purpose)
        newer = last is None or last.action != event.action or at >= last.at
        if event.action == "withdrawn":
            withdrawn_at[purpose] = max(at, withdrawn_at.get(purpose, at))
            if newer:
                state[purpose] = event
        elif newer and (purpose not in withdrawn_at or at > withdrawn_at[purpose]):
            state[purpose] = event
    return state
