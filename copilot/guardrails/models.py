"""Guardrail boundary models: what a check receives and the verdict it returns.

The field names are a public interface (``siyu check`` JSONL, evals, the UI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from copilot.config import GuardrailRule
from copilot.messages import Text

Task = Literal["reply", "post", "message"]
PostType = Literal["tips", "seeding", "ugc", "promo"]
Severity = Literal["info", "warn", "block"]
VerdictKind = Literal["pass", "warn", "block"]
# The configurable rules, plus `pipeline` for a rule that could not run (fail closed).
RuleId = GuardrailRule | Literal["pipeline"]


class HistoryPost(BaseModel):
    """A post already scheduled or sent; no community means the draft's community."""

    model_config = ConfigDict(extra="forbid")

    scheduled_at: datetime
    text: str
    community: str | None = None


class CheckInput(BaseModel):
    """A draft plus everything the rules need to judge it (one `siyu check` line)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    task: Task
    text: str
    evidence: list[str] = Field(default_factory=list)
    brief: str = ""
    customer_message: str = ""
    purpose: str | None = None
    consents: list[str] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict)
    community: str | None = None
    post_type: PostType | None = None
    scheduled_at: datetime | None = None
    history: list[HistoryPost] = Field(default_factory=list)
    members: list[str] = Field(
        default_factory=list,
        description="names of the community's members from the customer records (posts)",
    )
    customer_id: str | None = None
    recent_messages: list[datetime] = Field(
        default_factory=list, description="times of earlier 1:1 marketing messages to this customer"
    )


class Finding(BaseModel):
    """Why a rule fired: rule id, severity, the span in the draft, and how to fix it.

    `rule` is the stable machine id; `message` and `fix` keep both languages until a face
    renders them (dumping the verdict renders them in the current language)."""

    model_config = ConfigDict(extra="forbid")

    rule: RuleId
    severity: Severity
    start: int = 0
    end: int = 0
    text: str = ""
    message: Text
    fix: Text = ""


class MarketingSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_marketing: bool = False
    score: float = 0.0
    sentence_share: float = 0.0
    window_share: float | None = None


class Verdict(BaseModel):
    """pass / warn / block with the findings that led to it."""

    model_config = ConfigDict(extra="forbid")

    id: str = ""
    verdict: VerdictKind
    findings: list[Finding] = Field(default_factory=list)
    marketing: MarketingSummary = Field(default_factory=MarketingSummary)

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"


class PiiEntity(BaseModel):
    """One piece of personal data found in a text, with why the recognizer fired."""

    model_config = ConfigDict(extra="forbid")

    type: str
    start: int
    end: int
    text: str
    score: float
    reason: str = ""


class RedactionResult(BaseModel):
    """A text with its personal data replaced by placeholders such as «[手机号]»."""

    model_config = ConfigDict(extra="forbid")

    text: str
    entities: list[PiiEntity] = Field(default_factory=list)
