"""Evidence passages as customer-facing sentences for the template drafter's posts and messages.

A product row (商品:…/介绍:…) becomes plain sentences; internal product codes, heading paths
(退换货政策 > … > 七天无理由退货) and field labels never reach the customer. Text is only ever
shortened at a sentence boundary, never inside a sentence, a price or a phrase.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from copilot.llm.template_voice import Voice

# "答:…" / "A: …" marks the answer half of a FAQ passage.
ANSWER = re.compile(r"(?:^|\n)\s*(?:答|回答|A|Answer)\s*[:：]\s*(.+)", re.DOTALL)
QUESTION = re.compile(r"^\s*(?:问|问题|Q|Question)\s*[:：]")
ROW = re.compile(r"^\s*([^:：\n]{1,20}?)\s*[:：]\s*(.*\S)\s*$")
# A sentence ends at Chinese or Latin terminal punctuation (kept with it); a Latin period ends
# one only before a space or the end, never inside 6.8kg or xiaohe.example.
SENTENCE = re.compile(r"(?:[^。！？!?；;\n.]|\.(?!\s|$))+(?:[。！？!?；;]+|\.(?=\s|$))?")
CLAUSE_END = re.compile(r"[；;]")
PRODUCT_PARTS = ("describe", "fit", "caution")
SEPARATOR = r"\s*(?:[、,，/～~]|至|到|和|及|to|and|-)\s*"


def stable_index(count: int, *keys: str) -> int:
    """A deterministic choice among `count` options for the given keys (same keys, same pick)."""
    digest = hashlib.blake2b("|".join(keys).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def pick(options: Sequence[str], *keys: str) -> str:
    return options[stable_index(len(options), *keys)]


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def end_sentence(text: str) -> str:
    """Text closed by a full stop in its own script; a trailing semicolon or comma becomes one."""
    text = text.strip()
    if not text or text[-1] in "。！？!?.~…":
        return text
    body = text.rstrip("；;，,、:：")
    return body + ("。" if is_chinese(body) else ".")


def whole_sentences(text: str, limit: int) -> str:
    """The leading whole sentences of text that fit `limit` characters, closed with a full stop.
    The first sentence is kept whole even when it alone is longer: a draft never ends mid-way."""
    out = ""
    for found in SENTENCE.findall(text):
        part = found.strip()
        if not part:
            continue
        gap = _gap(out, part)
        if out and len(out) + len(gap) + len(part) > limit:
            break
        out += gap + part
    return end_sentence(out)


def _gap(before: str, part: str) -> str:
    """What joins two sentences: Latin ones a space, Chinese ones nothing; a line that ended
    without punctuation gets a comma."""
    if not before:
        return ""
    if before[-1] in ".!?;":
        return " " if part[0].isascii() else ""
    if before[-1] in "。！？!?；;…~":
        return ""
    return ", " if part[0].isascii() and before[-1].isascii() else "，"


def without_codes(text: str, voice: Voice) -> str:
    """Text with internal product codes removed, with the brackets or list that held them."""
    code = voice.sku_pattern
    run = rf"{code}(?:{SEPARATOR}{code})*"
    text = re.sub(rf"\s*[（(]\s*{run}\s*[)）]", "", text)  # a bracket of codes only
    text = re.sub(rf"([（(])\s*{run}\s*[，,、;；:：]\s*", r"\1", text)  # codes opening one
    text = re.sub(rf"\s*[，,、;；]\s*{run}\s*([)）])", r"\1", text)  # codes closing one
    return re.sub(rf"\s*{run}\s*", "", text)


def _body_lines(evidence: dict[str, Any]) -> list[str]:
    """The passage's lines without headings or heading paths (never customer text)."""
    heading = str(evidence.get("heading", "")).strip()
    return [
        line.strip()
        for line in str(evidence.get("text", "")).replace("\r", "").split("\n")
        if line.strip()
        and line.strip() != heading
        and " > " not in line
        and not line.lstrip().startswith("#")
    ]


def _product(row: dict[str, str], more: str, voice: Voice, parts: Sequence[str]) -> str:
    """A product row as sentences, the `parts` asked for: what it is (describe), whom it fits
    (fit), one caution. Price, category and code stay out (a price belongs in an offer);
    unlabelled lines stand in for a description."""
    labels, phrasing = voice.product.labels, voice.product
    name, description = row.get(labels.name, ""), row.get(labels.description, "") or more
    spec, fit = row.get(labels.spec, ""), row.get(labels.suitable_for, "")
    caution = CLAUSE_END.split(row.get(labels.cautions, ""))[0].strip()
    sentences = {
        "describe": name
        and description
        and phrasing.describe.format(name=name, description=whole_sentences(description, 60)),
        "fit": spec and fit and phrasing.fit.format(spec=spec, suitable_for=fit),
        "caution": caution and phrasing.caution.format(caution=caution),
    }
    gap = "" if voice.language == "zh" else " "
    return gap.join(
        end_sentence(text[:1].upper() + text[1:]) for part in parts if (text := sentences[part])
    )


def fact_text(
    evidence: dict[str, Any], voice: Voice, limit: int, parts: Sequence[str] = PRODUCT_PARTS
) -> str:
    """One passage as customer-facing sentences within `limit` characters ("" when it has
    none); of a product row, the `parts` asked for (see _product)."""
    lines = _body_lines(evidence)
    rows = {m.group(1).strip(): m.group(2) for m in (ROW.match(line) for line in lines) if m}
    if voice.product.labels.name in rows and len(rows) >= 2:
        labels = set(voice.product.labels.model_dump().values())
        free = [
            line for line in lines if (m := ROW.match(line)) is None or m.group(1) not in labels
        ]
        text = _product(rows, "，".join(free), voice, parts)
        limit = max(limit, len(text))
    else:
        body = "\n".join(lines)
        answer = ANSWER.search(body)
        text = answer.group(1) if answer else body
    return whole_sentences(without_codes(text, voice), limit)


def suggestion(text: str, cites: list[str], confidence: float, needs_human: bool) -> dict[str, Any]:
    return {"text": text, "citations": cites, "confidence": confidence, "needs_human": needs_human}
