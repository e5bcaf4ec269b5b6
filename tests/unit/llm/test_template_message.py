from __future__ import annotations

import re
from typing import Any

import pytest

from copilot.llm.template import TemplateBackend

OPTOUT = {"zh": "回复TD退订", "en": "Reply TD to unsubscribe."}


def _message(language: str, playbook: str, **extra: Any) -> str:
    context: dict[str, Any] = {
        "task": "message",
        "language": language,
        "playbook": playbook,
        "fields": {"name": "张女士"},
        "evidence": [],
        "date": "2026-11-18",
        **extra,
    }
    return str(TemplateBackend().items(context)[0]["text"])


@pytest.mark.parametrize(
    ("language", "tier", "expected", "absent"),
    [
        ("zh", "金禾会员", "作为我们的金禾会员，", "会员会员"),
        ("zh", "金禾", "作为我们的金禾会员，", "会员会员"),
        ("zh", " 黑金会员 ", "作为我们的黑金会员，", "会员会员"),
        ("en", "Gold", "As our valued Gold member, ", "member member"),
        ("en", "Gold Member", "As our valued Gold Member, ", "Member member"),
    ],
)
def test_member_day_names_the_tier_once(
    language: str, tier: str, expected: str, absent: str
) -> None:
    text = _message(language, "member_day", fields={"name": "张女士", "tier": tier})
    assert expected in text
    assert absent not in text


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("playbook", ["birthday", "dormant", "member_day", "koc", "post_purchase"])
def test_every_message_ends_with_the_actionable_optout(language: str, playbook: str) -> None:
    assert _message(language, playbook).endswith(OPTOUT[language])


def test_english_sentences_start_with_a_capital_after_a_slot() -> None:
    text = _message("en", "member_day", brief="a 20 yuan coupon")
    assert not re.search(r"[.!?] [a-z]", text), text


def test_the_offer_is_quoted_whole_and_without_product_codes() -> None:
    brief = "婴儿配方奶粉1段、2段（XH-MF-01、XH-MF-02）任选2罐享9折；全场满199减30"
    text = _message("zh", "dormant", brief=brief)
    assert "婴儿配方奶粉1段、2段任选2罐享9折；全场满199减30。" in text
    assert "XH-" not in text


def test_a_post_purchase_tip_never_shows_the_heading_path() -> None:
    heading = "退换货政策 > 小禾家退换货政策 > 七天无理由退货"
    evidence = {
        "id": "K1",
        "relevant": True,
        "doc_type": "policy",
        "heading": heading,
        "text": f"{heading}\n自签收次日起7天内，商品及包装完好、不影响二次销售的，可申请七天无理由退货。",
    }
    text = _message(
        "zh", "post_purchase", fields={"last_order_items": "婴儿推车"}, evidence=[evidence]
    )
    assert " > " not in text and "退换货政策" not in text
    assert "可申请七天无理由退货。" in text


def test_the_same_context_gives_the_same_message_and_the_day_varies_it() -> None:
    days = {_message("zh", "birthday", date=f"2026-11-{day:02d}") for day in range(1, 15)}
    assert _message("zh", "birthday") == _message("zh", "birthday")
    assert len(days) > 1
