from __future__ import annotations

from copilot.answering.extract import answer_text, best_sentences, split_sentences
from copilot.answering.passages import Passage, passage_of
from tests.unit.answering.conftest import evidence


def test_sentences_never_break_inside_numbers_or_addresses() -> None:
    text = (
        "The stroller weighs about 6.8kg. Visit xiaohe.example for details. Hotline: 400-000-0000."
    )
    assert split_sentences(text) == [
        "The stroller weighs about 6.8kg.",
        "Visit xiaohe.example for details.",
        "Hotline: 400-000-0000.",
    ]


def test_long_passages_give_their_best_whole_sentences() -> None:
    text = (
        "每天16:00前付款的订单当天发货。" * 3
        + "婴儿推车由合作工厂直发，付款后3个工作日内发货。"
        + "恶劣天气可能延迟。" * 20
    )
    picked = best_sentences(text, "推车拍了几天能发", limit=1)
    assert picked == ["婴儿推车由合作工厂直发，付款后3个工作日内发货。"]


def test_product_rows_answer_the_field_asked(passages: list[Passage]) -> None:
    diaper = passages[3]
    assert answer_text(diaper, "S码尿不湿多钱") == "小禾家轻薄透气纸尿裤S码：价格89元"
    assert "72片/包" in answer_text(diaper, "S码一包几片")


def test_english_passages_stay_english_and_whole() -> None:
    faq = passage_of(
        evidence(
            "K1",
            "Q: Do points expire?\nA: Yes, 12 months after you earn them. We remind you 30 days before they expire.",
        )
    )
    assert answer_text(faq, "do points expire") == faq.answer


def test_a_chinese_semicolon_ends_a_clause_a_latin_one_does_not() -> None:
    assert split_sentences("请系好安全带；停车时请踩下刹车。") == [
        "请系好安全带；",
        "停车时请踩下刹车。",
    ]
    english = "To delete your account go to Settings; we complete it within 15 working days."
    assert split_sentences(english) == [english]


def test_an_english_answer_as_long_as_a_whole_chinese_one_stays_whole() -> None:
    answer = (
        "No. Orders are delivered by our partner couriers, matched automatically to your "
        "address. Next-day express costs 15 yuan extra and is only available in Jiangsu, "
        "Zhejiang, Shanghai and Anhui for orders paid before 16:00."
    )
    faq = passage_of(evidence("K1", f"Q: Can I choose the courier?\nA: {answer}"))
    assert len(answer) > 200
    assert answer_text(faq, "can i choose my courier") == answer


STROLLER = evidence(
    "K9",
    "商品:小禾家轻便婴儿推车\nSKU:XH-TC-01\n价格:1299元\n规格:整车约6.8kg\n"
    "注意事项:宝宝乘坐时必须系好五点式安全带；上下楼梯请勿推车载人。\n"
    "介绍:可坐可躺，一键收车，配遮阳篷与雨罩。",
    "product",
    row=23,
)


def test_a_product_row_gives_the_note_on_what_is_asked_beyond_its_name() -> None:
    stroller = passage_of(STROLLER)
    assert "雨罩" in answer_text(stroller, "推车带雨罩吗")
    assert "安全带" not in answer_text(stroller, "推车带雨罩吗")


def test_a_product_row_saying_nothing_asked_gives_no_answer() -> None:
    stroller = passage_of(STROLLER)
    assert answer_text(stroller, "推车有粉色的吗") == ""
    assert answer_text(stroller, "推车多少钱") == "小禾家轻便婴儿推车：价格1299元"


def test_a_product_row_not_stating_the_value_asked_gives_no_answer() -> None:
    oil = passage_of(
        evidence(
            "K7",
            "商品:小禾家孕期舒纹按摩油\n价格:198元\n适用:孕期及产后女性\n"
            "注意事项:请勿用于破损皮肤。",
            "product",
            row=20,
        )
    )
    assert answer_text(oil, "按摩油怀孕几个月开始用") == ""
    assert answer_text(oil, "按摩油适合什么人用") == "小禾家孕期舒纹按摩油：适用孕期及产后女性"
