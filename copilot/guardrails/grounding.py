"""The `grounding` rule: every price, discount, percentage, quantity, date and coupon value in a
draft is stated in the evidence, the operator brief or a field passed on purpose; absolute
advertising terms (广告法极限词) are flagged.

One computed amount is grounded too: what is still missing to an amount of the evidence from the
customer's own amount (满99元包邮, 我买了89元 → 再凑10元), where the customer's amount is a money
amount in their message or a count in it times a price in the evidence (两包, 每包89元)."""

from __future__ import annotations

import re

from copilot.guardrails.claims import Claim, extract_claims, supported_keys
from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding
from copilot.messages import msg

# Absolute terms banned by the Advertising Law (art. 9): superlatives, "first", "national-level".
ABSOLUTE_TERMS = re.compile(
    r"全网最低|史上最低|最低价|最便宜|最好|最佳|最优|最强|最高级|最先进|最受欢迎|最顶级|"
    r"全网第一|销量第一|排名第一|第一品牌|行业第一|国家级|世界级|顶级|极品|史上最|唯一|万能|"
    r"100%(?:有效|安全|纯天然)|绝对|永久|独家|NO\.?1|TOP\s?1|best[- ]ever|lowest price|number one|"
    r"#1(?![0-9])",
    re.IGNORECASE,
)
# Units of things bought by the piece: two of them cost twice the price (两包, 3罐).
PURCHASE_UNITS = frozenset({"罐", "瓶", "盒", "件", "包", "袋", "支", "套"})
_KIND_ZH = {"full_reduce": "满减", "off": "折扣", "date": "日期", "money": "金额",
            "discount": "折扣", "pct": "百分比", "qty": "数量"}  # fmt: skip


Key = tuple[object, ...]


def _values(keys: set[Key], kind: str) -> list[tuple[float, object]]:
    """(number, unit or None) of the keys of one kind."""
    return [
        (k[1], k[2] if len(k) > 2 else None)
        for k in keys
        if k[0] == kind and isinstance(k[1], float)
    ]


def gap_keys(support: set[Key], message: str) -> set[Key]:
    """Money keys for (an evidence amount − a customer amount) when positive. The customer's
    amounts: money they name, and each count they name (两包) times each evidence amount."""
    if not message.strip():
        return set()
    evidence = {amount for amount, _ in _values(support, "money")}
    said = supported_keys([message])
    wanted = {amount for amount, _ in _values(said, "money")}
    for count, unit in _values(said, "qty"):
        if unit in PURCHASE_UNITS:
            wanted |= {count * price for price in evidence}
    return {("money", round(have - want, 2)) for have in evidence for want in wanted if have > want}


def _supported(claim: Claim, support: set[Key]) -> bool:
    if claim.kind == "full_reduce":
        primary = {k for k in claim.keys if k[0] == "full_reduce"}
        return bool(primary & support) or all(k in support for k in claim.keys - primary)
    return bool(claim.keys & support)


class GroundingRule:
    """Blocks numbers the evidence does not state; warns on absolute advertising terms."""

    id = "grounding"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        support = supported_keys([*draft.evidence, draft.brief, *draft.fields.values()])
        support |= gap_keys(support, draft.customer_message)
        findings = [
            Finding(
                rule="grounding",
                severity="block",
                start=claim.start,
                end=claim.end,
                text=claim.text,
                message=msg(
                    f"{_KIND_ZH[claim.kind]}「{claim.text}」在资料和运营说明中找不到依据",
                    f"{claim.kind} «{claim.text}» is not supported by the evidence or the brief",
                ),
                fix=msg(
                    "改为资料中的准确数字,或删除该说法",
                    "use the exact figure from the evidence, or remove the claim",
                ),
            )
            for claim in extract_claims(draft.text)
            if not _supported(claim, support)
        ]
        findings.extend(
            Finding(
                rule="grounding",
                severity="warn",
                start=match.start(),
                end=match.end(),
                text=match.group(),
                message=msg(
                    f"「{match.group()}」属于广告法禁用的绝对化用语",
                    f"«{match.group()}» is an absolute term restricted by the Advertising Law",
                ),
                fix=msg(
                    "改为可证实的具体描述", "replace it with a specific, verifiable description"
                ),
            )
            for match in ABSOLUTE_TERMS.finditer(draft.text)
        )
        return findings
