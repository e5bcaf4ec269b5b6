"""The figures of a monthly report, as JSON-ready pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from copilot.messages import Text


def ratio(part: int | float, whole: int | float) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Acceptance(_Model):
    """What happened to the suggestions shown in one slice (a day, a task, a prompt …)."""

    shown: int = 0
    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    needs_human: int = 0
    decision_seconds_sum: float = Field(0.0, exclude=True)
    edit_distance_sum: int = Field(0, exclude=True)
    edits_measured: int = Field(0, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def decided(self) -> int:
        return self.accepted + self.edited + self.rejected

    @computed_field  # type: ignore[prop-decorator]
    @property
    def undecided(self) -> int:
        return self.shown - self.decided

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accepted_share(self) -> float | None:
        """Accepted as is, of the suggestions decided."""
        return ratio(self.accepted, self.decided)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def edited_share(self) -> float | None:
        return ratio(self.edited, self.decided)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rejected_share(self) -> float | None:
        return ratio(self.rejected, self.decided)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_human_share(self) -> float | None:
        """Suggestions that said a person must confirm them, of those shown."""
        return ratio(self.needs_human, self.shown)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mean_decision_seconds(self) -> float | None:
        """Mean time from the suggestion to the person's decision."""
        value = ratio(self.decision_seconds_sum, self.decided)
        return None if value is None else round(value, 1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mean_edit_distance(self) -> float | None:
        """Mean character edit distance between a suggestion and what the person sent."""
        value = ratio(self.edit_distance_sum, self.edits_measured)
        return None if value is None else round(value, 2)


class RuleCount(_Model):
    rule: str
    verdict: str
    count: int


class OverrideCount(_Model):
    rule: str
    kind: str = Field(description="reply (a draft sent despite a block) or post")
    count: int


class CommunityCadence(_Model):
    """A community's posts in the month against its daily cap."""

    community: str
    daily_cap: int
    days_with_posts: int
    posts: int
    marketing_posts: int
    max_posts_per_day: int
    days_over_cap: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def marketing_share(self) -> float | None:
        return ratio(self.marketing_posts, self.posts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def posts_per_day(self) -> float | None:
        """Mean posts per day that had any."""
        return ratio(self.posts, self.days_with_posts)


class MessageWeek(_Model):
    """1:1 messages drafted in one week (Monday's date), per customer reached."""

    week: str
    customers: int
    messages: int
    max_per_customer: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def per_customer(self) -> float | None:
        return ratio(self.messages, self.customers)


class Integrity(_Model):
    """Whether the log the figures come from is intact."""

    unreadable_rows: int = Field(0, description="events of the month that cannot be read")
    unreadable_ids: list[int] = Field(default_factory=list, description="the first few")
    chain_checked: bool = False
    chain_ok: bool | None = None
    chain_problems: list[Text] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.unreadable_rows == 0 and self.chain_ok is not False


class MonthlyReport(_Model):
    month: str
    start: str
    end: str
    integrity: Integrity
    totals: Acceptance
    by_day: dict[str, Acceptance]
    by_week: dict[str, Acceptance]
    by_task: dict[str, Acceptance]
    by_prompt_version: dict[str, Acceptance]
    by_backend: dict[str, Acceptance]
    by_agent: dict[str, Acceptance]
    by_community: dict[str, Acceptance]
    by_source: dict[str, Acceptance]
    reject_reasons: dict[str, int]
    verdicts: dict[str, int]
    rules: list[RuleCount]
    overrides: list[OverrideCount]
    communities: list[CommunityCadence]
    messages: list[MessageWeek]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def empty(self) -> bool:
        return self.totals.shown == 0 and not self.communities and not self.messages
