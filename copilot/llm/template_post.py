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


def _distinct(facts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Facts without repeats: a passage whose text another already contains adds nothing."""
    kept: list[tuple[str, str]] = []
    for cid, text in facts:
        if text and not any(text in other or other in text for _, other in kept):
            kept.append((cid, text))
    return kept


def draft_post(context: dict[str, Any], relevant: list[dict[str, Any]]) -> list[dict[str, Any]]:
    voice = load_voice(context.get("language", "zh"))
    kind = context["post_type"]
    phrasing = getattr(voice.posts, kind)
    pool = relevant
    if kind == "promo":
        pool = [e for e in relevant if e.get("doc_type") == "promotion"] or relevant
    limit = PROMO_FACT_CHARS if kind == "promo" else FACT_CHARS
    facts = _distinct([(e["id"], fact_text(e, voice, limit)) for e in pool])[:MAX_FACTS]
    topic = without_codes(context["topic"], voice).strip() or context["topic"]
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
    text = phrasing.layout.format(
        title=pick(phrasing.titles, *seed, "title").format(topic=topic),
        opener=opener.format(topic=topic),
        facts=body,
        brief=end_sentence(without_codes(context.get("brief", ""), voice)),
        closer=pick(phrasing.closers, *seed, "closer"),
    )
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    cites = [cid for cid, _ in facts]
    return [suggestion(text, cites, 0.7 if facts else 0.3, not facts)]
