"""Community posts in template mode: facts from the evidence in the brand voice of
prompts/template/<language>.yaml.

Openers rotate by the planned day, so a week of posts of one type never opens the same way;
title, closer, bullet mark and list-or-paragraph layout are picked by a hash of topic and day.
The same topic on the same day always gives the same post.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from copilot.llm.template_facts import end_sentence, fact_text, pick, suggestion, without_codes
from copilot.llm.template_voice import load_voice

MAX_FACTS = 3
FACT_CHARS = 90
PROMO_FACT_CHARS = 160  # a promotion's rules are kept whole up to this length
REPEAT = 0.6  # share of a fact's character pairs already said that makes it a repeat


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _distinct(facts: list[tuple[str, str]], brief: str) -> list[tuple[list[str], str]]:
    """Facts without repeats, each with the passages it cites: a passage that mostly restates
    the brief or a fact already kept (most of its character pairs are there) adds nothing, and
    one that restates a kept fact and says more takes that fact's text, citing both (会员日 in
    the promotion and in the membership policy, which adds each tier's points)."""
    kept: list[tuple[list[str], str]] = []
    kept_grams: list[set[str]] = []
    brief_grams = _bigrams(brief)
    for cid, text in facts:
        grams = _bigrams(text)
        if not grams or _restates(grams, brief_grams):
            continue
        if any(_restates(grams, other) for other in kept_grams):
            continue
        covered = [i for i, other in enumerate(kept_grams) if _restates(other, grams)]
        if not covered:
            kept.append(([cid], text))
            kept_grams.append(grams)
            continue
        cites = [c for i in covered for c in kept[i][0]] + [cid]
        kept[covered[0]], kept_grams[covered[0]] = (cites, text), grams
        for i in reversed(covered[1:]):
            del kept[i], kept_grams[i]
    return kept


def _restates(grams: set[str], other: set[str]) -> bool:
    """Whether most of a text's character pairs (`grams`) are in another's (`other`)."""
    return len(grams & other) >= REPEAT * len(grams)


def _on_topic(facts: list[tuple[list[str], str]], topic: str) -> list[tuple[list[str], str]]:
    """At most MAX_FACTS facts; when the best one names the topic, only others that name it
    too (a passage that merely sits near it, such as a tier table next to 会员日, stays out)."""
    if facts and topic in facts[0][1]:
        facts = [fact for fact in facts if topic in fact[1]]
    return facts[:MAX_FACTS]


def draft_post(context: dict[str, Any], relevant: list[dict[str, Any]]) -> list[dict[str, Any]]:
    voice = load_voice(context.get("language", "zh"))
    kind = context["post_type"]
    phrasing = getattr(voice.posts, kind)
    pool = relevant
    if kind == "promo":
        pool = [e for e in relevant if e.get("doc_type") == "promotion"] or relevant
    limit = PROMO_FACT_CHARS if kind == "promo" else FACT_CHARS
    brief = without_codes(context.get("brief", ""), voice)
    topic = without_codes(context["topic"], voice).strip() or context["topic"]
    facts = _distinct([(e["id"], fact_text(e, voice, limit)) for e in pool], brief)
    facts = _on_topic(facts, topic)
    day = context.get("date") or ""
    seed = (topic, day, kind)
    rotation = date.fromisoformat(day).toordinal() if day else 0
    opener = phrasing.openers[rotation % len(phrasing.openers)]
    if not facts:
        body = voice.no_facts
    elif pick(["list", "paragraph"], *seed, "layout") == "list":
        bullet = pick(phrasing.bullets, *seed, "bullet")
        body = "\n".join(bullet.format(fact=text) for _, text in facts)
    else:
        body = ("" if voice.language == "zh" else " ").join(text for _, text in facts)
    layout = phrasing.layout if brief else phrasing.layout.replace("{brief}\n", "")
    text = layout.format(
        title=pick(phrasing.titles, *seed, "title").format(topic=topic),
        opener=opener.format(topic=topic),
        facts=body,
        brief=end_sentence(brief),
        closer=pick(phrasing.closers, *seed, "closer"),
    )
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    cites = [cid for cids, _ in facts for cid in cids]
    return [suggestion(text, cites, 0.7 if facts else 0.3, not facts)]
