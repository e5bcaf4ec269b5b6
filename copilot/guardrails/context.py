"""What every rule receives besides the draft: settings, the clock and the marketing assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from copilot.config import GuardrailSettings
from copilot.guardrails.marketing_classifier import PostScore
from copilot.guardrails.models import CheckInput, Finding, MarketingSummary


@dataclass(frozen=True, slots=True)
class MarketingAssessment:
    """How promotional a draft is, worked out once per check for every rule."""

    summary: MarketingSummary
    post: PostScore
    shares: tuple[float, float] | None = None  # community posts: window share (before, after)


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Shared, read-only inputs of one pipeline run."""

    settings: GuardrailSettings
    now: datetime
    assessment: MarketingAssessment | None = None  # None: it failed, the pipeline blocks

    @property
    def marketing(self) -> MarketingSummary:
        return self.assessment.summary if self.assessment else MarketingSummary()

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.settings.timezone)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the community timezone; naive times are taken as already local."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def send_time(self, draft: CheckInput) -> datetime:
        """When the draft would go out, local time: its scheduled time, else now."""
        return self.local(draft.scheduled_at or self.now)


class Rule(Protocol):
    """A guardrail rule: a pure function from a draft and its context to findings."""

    id: str

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]: ...
