"""Who a playbook reaches: the segment rule, then consent and the per-customer frequency cap.

Every customer the rule matches is either eligible or excluded with a reason a person can read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from copilot.campaigns.playbooks import PlaybookSpec, SegmentRule
from copilot.config import GuardrailSettings
from copilot.customers.rfm import RfmScore
from copilot.guardrails.consent_state import ConsentEvent
from copilot.messages import Text, msg
from copilot.store.schema import campaign_results, customers

ExclusionCode = Literal["no_consent", "withdrawn", "frequency_cap"]


class Exclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    code: ExclusionCode
    reason: Text


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    playbook: str
    matched: int = Field(description="customers the segment rule matches")
    eligible: list[str]
    excluded: list[Exclusion]

    def excluded_counts(self) -> dict[str, int]:
        return dict(Counter(e.code for e in self.excluded))


def days_to_birthday(birthday: date, today: date) -> int:
    """Days until the next birthday (0 on the day); 29 Feb counts as 28 Feb in common years."""
    for year in (today.year, today.year + 1):
        try:
            upcoming = birthday.replace(year=year)
        except ValueError:
            upcoming = date(year, 2, 28)
        if upcoming >= today:
            return (upcoming - today).days
    raise AssertionError("unreachable: next year's birthday is always ahead")


def matches(
    rule: SegmentRule, score: RfmScore, tier: str, birthday: date | None, today: date
) -> bool:
    if rule.segments and score.segment not in rule.segments:
        return False
    if score.orders < rule.min_orders or (rule.tiers and tier not in rule.tiers):
        return False
    if rule.tags_any and not set(rule.tags_any) & set(score.tags):
        return False
    if rule.ordered_within_days is not None and (
        score.recency_days is None or score.recency_days > rule.ordered_within_days
    ):
        return False
    return rule.birthday_within_days is None or (
        birthday is not None and days_to_birthday(birthday, today) <= rule.birthday_within_days
    )


def consent_exclusion(
    customer_id: str, purpose: str, state: Mapping[str, ConsentEvent]
) -> Exclusion | None:
    """Why this customer may not be messaged for `purpose` right now, or None."""
    event = state.get(purpose)
    if event is None:
        return Exclusion(
            customer_id=customer_id,
            code="no_consent",
            reason=msg(f"未授权用途 {purpose}", f"no consent for {purpose}"),
        )
    if event.action == "withdrawn":
        return Exclusion(
            customer_id=customer_id,
            code="withdrawn",
            reason=msg(
                f"已于 {event.at:%Y-%m-%d %H:%M} 撤回 {purpose}",
                f"consent for {purpose} withdrawn on {event.at:%Y-%m-%d %H:%M}",
            ),
        )
    return None


def recent_messages(conn: Connection, since: datetime, campaign_id: str) -> dict[str, int]:
    """customer -> drafted (not blocked) 1:1 messages since `since` in other campaigns."""
    query = (
        select(campaign_results.c.customer_id, func.count())
        .where(
            campaign_results.c.created_at >= since,
            campaign_results.c.status == "drafted",
            campaign_results.c.verdict != "block",
            campaign_results.c.campaign_id != campaign_id,
        )
        .group_by(campaign_results.c.customer_id)
    )
    return {cid: n for cid, n in conn.execute(query)}


def select_audience(
    conn: Connection,
    spec: PlaybookSpec,
    scores: list[RfmScore],
    states: Mapping[str, Mapping[str, ConsentEvent]],
    guardrails: GuardrailSettings,
    now: datetime,
    campaign_id: str,
) -> Audience:
    people = {
        cid: (tier, bday)
        for cid, tier, bday in conn.execute(
            select(customers.c.id, customers.c.tier, customers.c.birthday)
        )
    }
    cap = spec.guardrail_settings(guardrails)
    recent = recent_messages(conn, now - timedelta(days=cap.customer_marketing_days), campaign_id)
    eligible: list[str] = []
    excluded: list[Exclusion] = []
    matched = 0
    for score in scores:
        tier, birthday = people[score.customer_id]
        if not matches(spec.segment, score, tier, birthday, now.date()):
            continue
        matched += 1
        cid = score.customer_id
        reason = consent_exclusion(cid, spec.purpose, states.get(cid, {}))
        if reason is None and recent.get(cid, 0) >= cap.customer_marketing_cap:
            reason = Exclusion(
                customer_id=cid,
                code="frequency_cap",
                reason=msg(
                    f"{cap.customer_marketing_days} 天内已有 {recent[cid]} 条私聊营销"
                    f"（上限 {cap.customer_marketing_cap}）",
                    f"frequency cap: {recent[cid]} marketing messages in "
                    f"{cap.customer_marketing_days} days (limit {cap.customer_marketing_cap})",
                ),
            )
        if reason is None:
            eligible.append(cid)
        else:
            excluded.append(reason)
    return Audience(playbook=spec.id, matched=matched, eligible=eligible, excluded=excluded)
