"""Playbooks as data: YAML files in knowledge/playbooks/, each parsed into a strict model.

A playbook names its consent purpose, who it is for (segment rule), the prompt it drafts with,
its offer per member tier (the only numbers a draft may quote; the brief of each message, so
no operator brief is needed) and guardrail overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from copilot.config import GuardrailSettings
from copilot.customers.rfm import Segment
from copilot.datafile import load_yaml
from copilot.drafting.message import Playbook as DraftingPlaybook
from copilot.errors import ConfigError
from copilot.messages import msg

DEFAULT_OFFER = "default"
MEMBER = "会员"


class SegmentRule(BaseModel):
    """Who a playbook is for; every condition given must hold (empty lists match everyone)."""

    model_config = ConfigDict(extra="forbid")

    segments: list[Segment] = Field(default_factory=list)
    birthday_within_days: int | None = Field(None, ge=0, le=60)
    ordered_within_days: int | None = Field(None, ge=0)
    min_orders: int = Field(0, ge=0)
    tiers: list[str] = Field(default_factory=list)
    tags_any: list[str] = Field(default_factory=list)


class PromptUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = "message"
    version: str | None = Field(None, description="pin a prompt version; None = the current one")


class PlaybookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str = ""
    drafting: DraftingPlaybook = Field(description="the message task's playbook kind")
    purpose: str
    segment: SegmentRule
    prompt: PromptUse = Field(default_factory=PromptUse)
    offers: dict[str, str] = Field(
        default_factory=dict,
        description="the offer per member tier (the only facts a draft may quote); 'default' "
        "for a customer whose tier is unknown or withheld",
    )
    guardrails: dict[str, Any] = Field(
        default_factory=dict, description="GuardrailSettings overrides"
    )

    @model_validator(mode="after")
    def _offers_have_a_default(self) -> PlaybookSpec:
        if self.offers and DEFAULT_OFFER not in self.offers:
            raise ValueError(f"offers needs a '{DEFAULT_OFFER}' entry for an unknown tier")
        return self

    def offer_for(self, tier: str | None) -> str:
        """The offer for a member tier (金禾 or 金禾会员); the default one for any other tier."""
        key = (tier or "").strip().removesuffix(MEMBER).strip()
        return self.offers.get(key) or self.offers.get(DEFAULT_OFFER, "")

    def guardrail_settings(self, base: GuardrailSettings) -> GuardrailSettings:
        return GuardrailSettings.model_validate({**base.model_dump(), **self.guardrails})


def load_playbook(
    path: Path, purposes: Mapping[str, object], guardrails: GuardrailSettings
) -> PlaybookSpec:
    """Parse and check one playbook file; every problem names the file and the field."""
    spec = load_yaml(
        path,
        PlaybookSpec,
        msg("剧本", "playbook"),
        hint=msg(
            "对照 knowledge/playbooks/birthday.yaml 检查字段名与取值",
            "check field names and values against knowledge/playbooks/birthday.yaml",
        ),
    )
    if spec.purpose not in purposes:
        raise ConfigError(
            msg(f"未知授权用途 {spec.purpose!r}", f"unknown purpose {spec.purpose!r}"),
            where=f"{path}: purpose",
            hint=msg("可选：", "valid: ") + ", ".join(sorted(purposes)),
        )
    try:
        spec.guardrail_settings(guardrails)
    except ValidationError as exc:
        raise ConfigError.from_validation(
            exc,
            msg("护栏设置无效", "invalid guardrails"),
            where=f"{path}: guardrails",
            hint=msg(
                "只能覆盖 GuardrailSettings 中已有的设置",
                "only settings that GuardrailSettings has can be overridden",
            ),
        ) from exc
    return spec


def load_playbooks(
    folder: Path, purposes: Mapping[str, object], guardrails: GuardrailSettings
) -> dict[str, PlaybookSpec]:
    return {
        spec.id: spec
        for spec in (load_playbook(p, purposes, guardrails) for p in sorted(folder.glob("*.yaml")))
    }


def find_playbook(
    folder: Path, name: str, purposes: Mapping[str, object], guardrails: GuardrailSettings
) -> PlaybookSpec:
    books = load_playbooks(folder, purposes, guardrails)
    if name not in books:
        raise ConfigError(
            msg(f"没有名为 {name!r} 的剧本", f"no such playbook {name!r}"),
            where=str(folder),
            hint=msg("可选：", "available: ") + (", ".join(sorted(books)) or "—"),
        )
    return books[name]
