"""The template drafter's brand voice and phrasing, read from prompts/template/<language>.yaml.

Phrases add tone and structure only; facts come from evidence or the operator's brief. A file
with an unknown or missing key, or a list that is empty, is a ConfigError naming the file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.config import bundled_dir
from copilot.datafile import load_yaml
from copilot.errors import ConfigError
from copilot.messages import msg

Phrases = Annotated[list[str], Field(min_length=1)]
PlaybookKind = Literal["birthday", "dormant", "member_day", "koc", "post_purchase"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductLabels(_Strict):
    """The labels a product passage carries per column (商品:…, 介绍:…), as the loader writes them."""

    name: str
    sku: str
    price: str
    category: str
    spec: str
    suitable_for: str
    cautions: str
    description: str


class ProductPhrasing(_Strict):
    """How a product row becomes sentences: what it is, who it fits, one caution."""

    labels: ProductLabels
    describe: str
    fit: str
    caution: str


class PostPhrasing(_Strict):
    """One post type: interchangeable titles, openers, closers and bullet marks, and a layout."""

    titles: Phrases
    openers: Phrases
    closers: Phrases
    bullets: Phrases
    layout: str


class Posts(_Strict):
    tips: PostPhrasing
    seeding: PostPhrasing
    ugc: PostPhrasing
    promo: PostPhrasing


class MessagePhrasing(_Strict):
    salutation: str
    salutation_anon: str
    member: str = Field(description="the noun a bare tier name takes (金禾 → 金禾会员)")
    tier: str
    offers: dict[PlaybookKind, Phrases] = Field(
        description="how each playbook leads into its offer"
    )
    tip: str
    optout: str = Field(min_length=2, description="the actionable opt-out line")
    playbooks: dict[PlaybookKind, Phrases]
    your_order: str

    @model_validator(mode="after")
    def _every_playbook(self) -> MessagePhrasing:
        kinds = set(get_args(PlaybookKind))
        for name, table in (("offers", self.offers), ("playbooks", self.playbooks)):
            if missing := sorted(kinds - set(table)):
                raise ValueError(f"{name} needs phrases for {', '.join(missing)}")
        return self


class Voice(_Strict):
    language: Literal["zh", "en"]
    brand: str
    voice: str = Field(description="the brand voice in one line, for people editing phrases")
    sku_pattern: str = Field(description="regex of an internal product code, never shown")
    product: ProductPhrasing
    posts: Posts
    no_facts: str
    messages: MessagePhrasing


def voice_path(language: str) -> Path:
    return bundled_dir("prompts") / "template" / f"{language}.yaml"


def parse_voice(path: Path) -> Voice:
    """One voice file, strictly parsed; every problem names the file and the field."""
    voice = load_yaml(
        path,
        Voice,
        msg("模板语气文件", "voice file"),
        hint=msg(
            "对照 prompts/template/zh.yaml 检查字段名",
            "compare the field names with prompts/template/zh.yaml",
        ),
    )
    expected = path.stem
    if voice.language != expected:
        raise ConfigError(
            msg(
                f"language 为 {voice.language!r},与文件名不符",
                f"language is {voice.language!r}, which does not match the file name",
            ),
            where=f"{path}: language",
            hint=msg(
                f"文件名 = <language>.yaml,此处应为 {expected!r}",
                f"the file name is <language>.yaml, so language should be {expected!r}",
            ),
        )
    return voice


@functools.cache
def load_voice(language: str) -> Voice:
    return parse_voice(voice_path(language))
