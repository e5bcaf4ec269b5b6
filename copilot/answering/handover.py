"""Questions a person must answer: medical advice, complaints and safety incidents, one
customer's order, other brands. Terms are data (data/handover.yaml)."""

from __future__ import annotations

from functools import cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from copilot.answering.lexicon import DATA, plain

Kind = Literal["medical", "complaint", "order", "brand"]
KINDS: tuple[Kind, ...] = ("medical", "complaint", "order", "brand")


class Terms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zh: list[str]
    en: list[str]


class HandoverTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    medical: Terms
    complaint: Terms
    order: Terms
    brand: Terms


@cache
def terms() -> HandoverTerms:
    data = yaml.safe_load((DATA / "handover.yaml").read_text(encoding="utf-8"))
    return HandoverTerms.model_validate(data)


def handover_kind(text: str) -> Kind | None:
    """The first hand-over kind whose term the text contains (medical first), else None."""
    body = plain(text)
    table = terms()
    for kind in KINDS:
        words = getattr(table, kind)
        if any(word.lower() in body for word in words.zh + words.en):
            return kind
    return None
