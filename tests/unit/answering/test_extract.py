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


def _product(cid: str, text: str, *, row: int) -> Passage:
    return passage_of(evidence(cid, text, "product", row=row))


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
    oil = _product(
        "K7",
        "商品:小禾家孕期舒纹按摩油\n价格:198元\n适用:孕期及产后女性\n注意事项:请勿用于破损皮肤。",
        row=20,
    )
    assert answer_text(oil, "按摩油怀孕几个月开始用") == ""
    assert answer_text(oil, "按摩油适合什么人用") == "小禾家孕期舒纹按摩油：适用孕期及产后女性"


BOTTLE = evidence(
    "K8",
    "商品:小禾家宽口径玻璃奶瓶\n价格:129元\n规格:240ml/个\n适用:0月龄及以上\n"
    "注意事项:首次使用前请煮沸消毒5分钟；每次使用前检查瓶身有无裂痕。\n"
    "介绍:高硼硅玻璃瓶身，耐冷热温差，宽口径方便冲奶和清洗。",
    "product",
    row=15,
)


def test_a_product_row_answers_what_its_name_and_description_say() -> None:
    bottle = passage_of(BOTTLE)
    assert "高硼硅玻璃瓶身" in answer_text(bottle, "奶瓶是玻璃的吗")  # 玻璃 is in the name too
    assert answer_text(bottle, "奶瓶是塑料的吗") == ""


def test_a_one_character_word_or_a_matter_of_the_shop_finds_the_note() -> None:
    stroller = passage_of(STROLLER)
    assert "可坐可躺" in answer_text(stroller, "推车宝宝能躺吗")
    assert "可坐可躺" in answer_text(stroller, "推车上宝宝可以躺着睡吗")  # 躺, not 上 (把手上)
    puree = _product(
        "K9",
        "商品:小禾家苹果香蕉果泥\n价格:45元\n适用:6月龄及以上\n"
        "注意事项:开袋后请立即食用，吃不完请冷藏并在24小时内吃完；请在成人看护下食用。",
        row=19,
    )
    assert "24小时" in answer_text(puree, "果泥打开了能放多久")  # 保存: 冷藏, not 适用6月龄


def test_the_field_stating_the_kind_of_value_asked_answers() -> None:
    diaper = _product(
        "K10",
        "商品:小禾家轻薄透气纸尿裤NB码\n价格:89元\n规格:84片/包\n适用:新生儿（体重0–5kg）",
        row=5,
    )
    assert (
        answer_text(diaper, "NB码能穿到多重") == "小禾家轻薄透气纸尿裤NB码：适用新生儿（体重0–5kg）"
    )
    assert answer_text(diaper, "NB码一包几片") == "小禾家轻薄透气纸尿裤NB码：规格84片/包"


def test_a_count_asked_of_the_unit_sold_multiplies_its_packs() -> None:
    wipes = _product(
        "W1",
        "商品:小禾家婴儿棉柔巾\n价格:49元\n规格:100抽×6包\n品类:湿巾",
        row=11,
    )
    assert (
        answer_text(wipes, "棉柔巾一箱多少抽") == "小禾家婴儿棉柔巾：规格100抽×6包（每箱共600抽）"
    )
    # one pack, or the packs themselves, are stated by the spec as written
    assert answer_text(wipes, "棉柔巾一包多少抽") == "小禾家婴儿棉柔巾：规格100抽×6包"
    assert answer_text(wipes, "棉柔巾一箱几包") == "小禾家婴儿棉柔巾：规格100抽×6包"
