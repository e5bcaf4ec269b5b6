from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copilot.guardrails.normalize import _t2s, _t2s_trigger, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１３８ＡＢＣ", "138ABC"),
        ("1\u200b3\u200c8\u200d1\u2060\ufeff2\u180e3\u00ad4", "1381234"),
        ("1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e3", "138"),
        ("①③⑧⓪", "1380"),
        ("❶❸❽⓿", "1380"),
        ("𝟏𝟑𝟖", "138"),
        ("٣٨", "38"),
        ("🔟", "10"),
        ("一三八", "138"),
        ("幺三八", "138"),
        ("1三8", "138"),
        ("一 三 八", "1 3 8"),
        ("九十九", "99"),
        ("一百九十九元", "199元"),
        ("一百零五", "105"),
        ("两万五", "25000"),
        ("三千五", "3500"),
        ("二〇二六年", "2026年"),
        ("九块九", "9.9元"),
        ("两块五毛", "2.5元"),
        ("電話號碼", "电话号码"),
        ("兩萬", "20000"),
        ("壹叁捌", "138"),
        # numerals before 折/成 are a share, not more digits of the price before them
        ("¥199八折", "¥199八折"),
        ("¥199九五折", "¥199九五折"),
        ("九十九八折", "99八折"),
        ("199八成新", "199八成新"),
        ("1三8成都", "138成都"),
        # lone numerals and idioms stay words
        ("一张券", "一张券"),
        ("十分感谢", "十分感谢"),
        ("万一千万", "万一千万"),
        ("乱七八糟", "乱七八糟"),
        ("三五天", "三五天"),
        ("一五一十", "一五一十"),
        ("plain ascii 138.1234", "plain ascii 138.1234"),
    ],
)
def test_normalize_table(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("138.1234.5678", "13812345678"),
        ("138/1234/5678", "13812345678"),
        ("1 3 8 1 2 3 4 5 6 7 8", "13812345678"),
        ("138\r\n1234\n5678", "13812345678"),
        ("前三位138 后八位12345678", "前三位13812345678"),
        ("138，后面是12345678", "13812345678"),
        ("110105 19491231 002X", "11010519491231002X"),
        # a whole number is not glued to the next one, nor digits across words
        ("13812345678 2件", "13812345678 2件"),
        ("138 1234 5678 2件", "13812345678 2件"),
        ("订单 123 金额 99", "订单 123 金额 99"),
        ("138****5678", "138****5678"),
    ],
)
def test_join_digits_table(text: str, expected: str) -> None:
    assert normalize(text).join_digits().text == expected


@pytest.mark.parametrize(
    ("text", "pattern", "original"),
    [
        ("电話：１３８\u200b一二三四五六七八。", r"\d{11}", "１３８\u200b一二三四五六七八"),
        ("价格一百九十九元整", r"199元", "一百九十九元"),
        ("号码 1\ufe0f\u20e33\ufe0f\u20e3 完", r"13", "1\ufe0f\u20e33\ufe0f\u20e3"),
        ("前三位138 后八位12345678", r"\d{11}", "138 后八位12345678"),
    ],
)
def test_spans_map_back_to_the_original(text: str, pattern: str, original: str) -> None:
    norm = normalize(text).join_digits()
    match = re.search(pattern, norm.text)
    assert match is not None
    start, end = norm.to_original(match.start(), match.end())
    assert text[start:end] == original


def test_sub_composes_offsets() -> None:
    norm = normalize("邮箱ａｂｃ艾特qq点com").sub(re.compile("艾特"), "@")
    match = re.search(r"abc@qq", norm.text)
    assert match is not None
    start, end = norm.to_original(*match.span())
    assert norm.original[start:end] == "ａｂｃ艾特qq"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_offset_map_is_ordered_and_in_bounds(text: str) -> None:
    for norm in (normalize(text), normalize(text).join_digits()):
        spans = [norm.to_original(i, i + 1) for i in range(len(norm.text))]
        assert all(0 <= s < e <= len(text) for s, e in spans)
        assert [s for s, _ in spans] == sorted(s for s, _ in spans)
        assert norm.to_original(0, len(norm.text))[1] <= len(text)


_NUMERAL_SOUP = (
    "0123456789零〇一二两三四五六七八九幺十百千万拾佰仟壹贰参块毛元 .-/,\n\u200b①\ufe0f\u20e3X"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_NUMERAL_SOUP, max_size=40))
def test_numeral_soup_normalises_and_maps_back(text: str) -> None:
    for norm in (normalize(text), normalize(text).join_digits()):
        assert all(0 <= norm.to_original(i, i + 1)[0] < len(text) for i in range(len(norm.text)))


def test_texts_without_a_t2s_trigger_character_are_left_as_they_are() -> None:
    """The characters that let the script step skip OpenCC: any other character, alone or in
    any company, converts to itself, so skipping loses nothing."""
    trigger = _t2s_trigger()
    assert trigger is not None
    others = [
        chr(code)
        for code in range(0x80, 0x30000)
        if not 0xD800 <= code < 0xE000 and trigger.match(chr(code)) is None
    ]
    text = "\n".join(others)
    assert _t2s().convert(text) == text
    # phrase entries that change although none of their characters does alone
    for phrase, simplified in (("深沈", "深沉"), ("回覆", "回复"), ("捏坏", "捏坯")):
        assert trigger.search(phrase) is not None
        assert normalize(f"他{phrase}了").text == f"他{simplified}了"
    assert normalize("電話號碼").text == "电话号码"
