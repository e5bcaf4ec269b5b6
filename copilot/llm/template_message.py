"""1:1 messages in template mode: the playbook's wording from prompts/template/<language>.yaml,
the customer's permitted fields, the brief's offer and, for post-purchase care, one tip from
the evidence. Every message ends with the actionable opt-out line.
"""

from __future__ import annotations

from typing import Any

from copilot.llm.template_facts import end_sentence, fact_text, pick, suggestion, without_codes
from copilot.llm.template_voice import load_voice

TIP_CHARS = 60


def tier_title(tier: str, member: str) -> str:
    """金禾 → 金禾会员, 金禾会员 → 金禾会员; Gold → Gold member, Gold Member → Gold Member."""
    tier = tier.strip()
    return tier if tier.lower().endswith(member.strip().lower()) else tier + member


def capitalise_sentences(text: str) -> str:
    """An English sentence that a phrase slot opened (… here! as our …) starts with a capital."""
    chars = list(text)
    for index in range(2, len(chars)):
        if chars[index - 1] == " " and chars[index - 2] in ".!?" and chars[index].islower():
            chars[index] = chars[index].upper()
    return "".join(chars)


def _tip_source(context: dict[str, Any], relevant: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The passage a post-purchase tip comes from: the best relevant one, else the best one
    that names the items bought (a short ask like 售后关怀 rarely reads as relevant)."""
    items = context.get("fields", {}).get("last_order_items", "")
    named = [e for e in context.get("evidence", []) if items and items in e.get("text", "")]
    return (relevant or named or [None])[0]


def draft_message(context: dict[str, Any], relevant: list[dict[str, Any]]) -> list[dict[str, Any]]:
    voice = load_voice(context.get("language", "zh"))
    phrasing = voice.messages
    fields: dict[str, str] = context.get("fields", {})
    playbook = context["playbook"]
    name = fields.get("name") or fields.get("nickname")
    seed = (playbook, name or "", context.get("date", ""))
    brief = without_codes(context.get("brief", ""), voice)
    offer = (
        pick(phrasing.offers[playbook], *seed, "offer").format(offer=end_sentence(brief))
        if brief
        else ""
    )
    tier = fields.get("tier")
    body = pick(phrasing.playbooks[playbook], *seed, "body").format(
        salutation=phrasing.salutation.format(name=name) if name else phrasing.salutation_anon,
        offer=offer,
        items=fields.get("last_order_items") or phrasing.your_order,
        tier=phrasing.tier.format(tier=tier_title(tier, phrasing.member)) if tier else "",
    )
    cites: list[str] = []
    source = _tip_source(context, relevant) if playbook == "post_purchase" else None
    tip = fact_text(source, voice, TIP_CHARS, parts=("caution",)) if source else ""
    if source and tip:
        body += phrasing.tip.format(tip=tip)
        cites.append(source["id"])
    if voice.language == "en":
        body = capitalise_sentences(body)
    return [suggestion(f"{body.rstrip()} {phrasing.optout}", cites, 0.7, False)]
