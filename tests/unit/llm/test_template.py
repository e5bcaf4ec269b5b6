from __future__ import annotations

import re

import pytest

from copilot.guardrails.claims import extract_claims
from copilot.llm.template import TemplateBackend
from copilot.llm.template_facts import end_sentence, whole_sentences
from copilot.llm.template_phrases import PHRASES

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.mark.parametrize(
    ("language", "key"), [(lang, key) for lang, table in PHRASES.items() for key in table]
)
def test_template_phrases_add_no_claims(language: str, key: str) -> None:
    """A phrase that read as a number claim would get every draft using it blocked."""
    assert extract_claims(PLACEHOLDER.sub("", PHRASES[language][key])) == []


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        (
            "Available daily from 09:00 to 21:00, holidays too. Hotline: 400-000-0000. More text.",
            80,
            "Available daily from 09:00 to 21:00, holidays too. Hotline: 400-000-0000.",
        ),
        (
            "Weight 6.8kg. Visit xiaohe.example today.",
            60,
            "Weight 6.8kg. Visit xiaohe.example today.",
        ),
        ("整车约6.8kg，可登机。适用0–36月龄。", 40, "整车约6.8kg，可登机。适用0–36月龄。"),
        ("整车约6.8kg，可登机。适用0–36月龄。", 13, "整车约6.8kg，可登机。"),
        # the first sentence is kept whole even when it alone is longer than the limit
        ("整车约6.8kg，可登机，适用0–36月龄", 12, "整车约6.8kg，可登机，适用0–36月龄。"),
        (
            "商品:小禾家餐椅\nSKU:XH-CY-01\n价格:599元",
            60,
            "商品:小禾家餐椅，SKU:XH-CY-01，价格:599元。",
        ),
        ("Product: Stroller\nPrice: ¥1299", 60, "Product: Stroller, Price: ¥1299."),
    ],
)
def test_whole_sentences_end_at_chinese_and_latin_stops(
    text: str, limit: int, expected: str
) -> None:
    assert whole_sentences(text, limit) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("满99元包邮", "满99元包邮。"),
        ("满99元包邮；", "满99元包邮。"),
        ("Orders over 99 yuan ship free;", "Orders over 99 yuan ship free."),
        ("Orders ship free", "Orders ship free."),
        ("适用:体重6–11kg", "适用:体重6–11kg。"),
        ("已发货!", "已发货!"),
        ("", ""),
    ],
)
def test_end_sentence_closes_in_the_texts_own_script(text: str, expected: str) -> None:
    assert end_sentence(text) == expected


def test_reply_suggestions_carry_no_internal_product_codes() -> None:
    promo = {
        "id": "K1",
        "text": "问:奶粉有什么活动？\n答:婴儿配方奶粉1段、2段（XH-MF-01、XH-MF-02）任选2罐享8折。",
        "doc_type": "faq",
        "source": "knowledge/faq.csv",
        "metadata": {},
    }
    context = {
        "task": "reply",
        "language": "zh",
        "customer_message": "奶粉有什么活动？",
        "today": "2026-11-26",
        "evidence": [promo],
    }
    first = TemplateBackend().items(context)[0]
    assert first["citations"] == ["K1"]
    assert "婴儿配方奶粉1段、2段任选2罐享8折" in first["text"]
    assert "XH-" not in first["text"]
