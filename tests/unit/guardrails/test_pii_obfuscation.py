"""Personal data written the way people dodge filters is still found, at the user's own span.

Property tests generate valid numbers (mobile, resident ID with its check character, bank card
with its Luhn digit), write every digit in a random script (ASCII, full-width, Chinese and
financial numerals, 幺, circled, dingbat, keycap emoji, mathematical bold) with random
separators or invisible characters between groups, and check the number is found exactly there.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copilot.guardrails import redact, scan_pii
from copilot.guardrails.pii_cn import resident_id_check
from copilot.guardrails.recognizer import luhn_digit

_CHINESE = "〇一二三四五六七八九"
_FINANCIAL = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
_DINGBAT = "⓿❶❷❸❹❺❻❼❽❾"
_WRITERS = (
    lambda d: d,
    lambda d: chr(ord(d) + 0xFEE0),  # full-width
    lambda d: _CHINESE[int(d)],
    lambda d: "幺" if d == "1" else _CHINESE[int(d)],
    lambda d: _FINANCIAL[int(d)],
    lambda d: _CIRCLED[int(d)],
    lambda d: _DINGBAT[int(d)],
    lambda d: f"{d}\ufe0f\u20e3",  # keycap emoji
    lambda d: chr(0x1D7CE + int(d)),  # mathematical bold
)
_SEPARATORS = ("", " ", ".", "-", "/", "\n", "\r\n", " - ", "\u200b", "\u180e", "\u2060")


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
).map(lambda m: (m, (3, 4, 4)))


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, tuple[int, ...]]:
    region = draw(st.sampled_from(("110101", "310115", "440305", "330106", "510107")))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 11, 30)))
    body = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + resident_id_check(body), (6, 8, 4)


@st.composite
def bank_cards(draw: st.DrawFn) -> tuple[str, tuple[int, ...]]:
    length = draw(st.sampled_from((16, 19)))
    body = "62" + draw(st.text("0123456789", min_size=length - 3, max_size=length - 3))
    return body + luhn_digit(body), (4, 4, 4, 4, 3) if length == 19 else (4, 4, 4, 4)


@st.composite
def obfuscated(draw: st.DrawFn, number: tuple[str, tuple[int, ...]]) -> str:
    value, groups = number
    if draw(st.booleans()):  # one script for the whole number, or a mix digit by digit
        writer = draw(st.sampled_from(_WRITERS))
        digits = [writer(d) if d.isdigit() else d for d in value]
    else:
        digits = [draw(st.sampled_from(_WRITERS))(d) if d.isdigit() else d for d in value]
    separator = draw(st.sampled_from(_SEPARATORS))
    if draw(st.integers(0, 4)) == 0:  # one character at a time
        return separator.join(digits) if separator in ("", " ", "\u200b") else "".join(digits)
    parts, position = [], 0
    for size in groups:
        parts.append("".join(digits[position : position + size]))
        position += size
    return separator.join(parts)


def _found_at(text: str, start: int, written: str, kind: str) -> None:
    hits = [(e.type, e.start, e.end) for e in scan_pii(text)]
    assert (kind, start, start + len(written)) in hits, (text, hits)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_obfuscated_mobile_is_found_at_its_span(data: st.DataObject) -> None:
    written = data.draw(obfuscated(data.draw(mobiles)))
    prefix = data.draw(st.sampled_from(("我的手机", "电话:", "有事打 ", "快递到了打我电话")))
    _found_at(f"{prefix}{written}，谢谢", len(prefix), written, "CN_MOBILE")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_obfuscated_resident_id_is_found_at_its_span(data: st.DataObject) -> None:
    written = data.draw(obfuscated(data.draw(resident_ids())))
    prefix = data.draw(st.sampled_from(("身份证", "证件号：", "实名用 ")))
    _found_at(f"{prefix}{written}，谢谢", len(prefix), written, "CN_RESIDENT_ID")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_obfuscated_bank_card_is_found_at_its_span(data: st.DataObject) -> None:
    written = data.draw(obfuscated(data.draw(bank_cards())))
    prefix = data.draw(st.sampled_from(("卡号", "退款打到这张卡 ", "银行卡：")))
    _found_at(f"{prefix}{written}，谢谢", len(prefix), written, "BANK_CARD")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("电话138.1234.5678", "CN_MOBILE", "138.1234.5678"),
        ("电话138/1234/5678", "CN_MOBILE", "138/1234/5678"),
        ("手机 1 3 8 1 2 3 4 5 6 7 8 谢谢", "CN_MOBILE", "1 3 8 1 2 3 4 5 6 7 8"),
        ("我电话一三八一二三四五六七八", "CN_MOBILE", "一三八一二三四五六七八"),
        ("打我电话幺三八幺二三四五六七八", "CN_MOBILE", "幺三八幺二三四五六七八"),
        ("电话：１３８一二三四５６７８", "CN_MOBILE", "１３８一二三四５６７８"),
        ("電話：壹叁捌壹貳叁肆伍陸柒捌", "CN_MOBILE", "壹叁捌壹貳叁肆伍陸柒捌"),
        ("手机138\u180e1234\u180e5678", "CN_MOBILE", "138\u180e1234\u180e5678"),
        ("电话①③⑧①②③④⑤⑥⑦⑧", "CN_MOBILE", "①③⑧①②③④⑤⑥⑦⑧"),
        ("电话138\n12345678", "CN_MOBILE", "138\n12345678"),
        ("手机号前三位138 后八位12345678", "CN_MOBILE", "138 后八位12345678"),
        ("号码分开发：138，后面是12345678", "CN_MOBILE", "138，后面是12345678"),
        # the cue nearest the number wins over an earlier 快递 / 订单
        ("我的快递还没到，电话13812345678", "CN_MOBILE", "13812345678"),
        ("订单一直没发货，麻烦联系我手机13812345678", "CN_MOBILE", "13812345678"),
        ("邮箱 wang.fang at example dot com", "EMAIL", "wang.fang at example dot com"),
        ("邮箱wangfang[at]example[dot]com", "EMAIL", "wangfang[at]example[dot]com"),
        ("邮箱wangfang(at)163(dot)com", "EMAIL", "wangfang(at)163(dot)com"),
        ("邮箱 wangfang 艾特 qq 点 com", "EMAIL", "wangfang 艾特 qq 点 com"),
        ("邮箱wangfang圈a163.com", "EMAIL", "wangfang圈a163.com"),
        ("加V：mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("加v mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("V信 mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("薇信号mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("绿泡泡：mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("微信号：mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("wx：mama_xiaoyu2020", "WECHAT_ID", "mama_xiaoyu2020"),
        ("卡号6222/0210/0112/3456/789", "BANK_CARD", "6222/0210/0112/3456/789"),
        ("信用卡 6901234567892", "BANK_CARD", "6901234567892"),  # a card word beats GS1
    ],
)
def test_obfuscation_table(text: str, kind: str, value: str) -> None:
    assert [(e.type, e.text) for e in scan_pii(text)] == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        "商品编码6901234567892",
        "条码 6901234567892 是正品吗",
        "这个6901234567892是什么",  # valid GS1 check digit, no card word
        "订单号码13812345678",  # 订单 overlaps 号码: the code word wins
        "快递单号 SF1234567890123",
        "号码138****5678",
        "price 99 199 299 399",
        "2026.11.30 13:00 开始",
        "look at the dots . . .",
        "我买了一三五件",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert scan_pii(text) == []


def test_keycap_digits_are_redacted_whole() -> None:
    text = "电话1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣谢谢"
    assert redact(text).text == "电话[手机号]谢谢"


_SOUP = "0123456789零〇一二两三四五六七八九幺十百千万块 .-/,\n\u200b①\ufe0f\u20e3X电话卡号身份证@at艾特点com加Vvx"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_SOUP, max_size=60))
def test_any_mix_of_numerals_and_cues_scans_and_redacts(text: str) -> None:
    entities = scan_pii(text)
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert all(a.end <= b.start for a, b in pairwise(entities))
    redact(text)
