from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import pytest

from copilot.guardrails import redact, scan_pii
from copilot.guardrails.pii import RECOGNIZERS
from copilot.guardrails.pii_cn import resident_id_check
from copilot.guardrails.recognizer import (
    Pattern,
    PatternSet,
    digit_count,
    gs1_digit,
    luhn_digit,
    opens_after_non_digit,
)
from tests.unit.guardrails.conftest import run


def found(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in scan_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证11010519491231002X", [("CN_RESIDENT_ID", "11010519491231002X")]),
        ("证件号 110105 19491231 002X 谢谢", [("CN_RESIDENT_ID", "110105 19491231 002X")]),
        (
            "身份证１１０１０５１９４９１２３１００２Ｘ",
            [("CN_RESIDENT_ID", "１１０１０５１９４９１２３１００２Ｘ")],
        ),
        ("身份证110105194912310021", []),  # wrong check digit
        ("手机13812345678", [("CN_MOBILE", "13812345678")]),
        ("打给+86 138-1234-5678", [("CN_MOBILE", "+86 138-1234-5678")]),
        ("联系１３８ １２３４ ５６７８吧", [("CN_MOBILE", "１３８ １２３４ ５６７８")]),
        ("电话138\u200b1234\u200b5678", [("CN_MOBILE", "138\u200b1234\u200b5678")]),
        ("订单号13812345678", []),
        ("尾号6229的卡", []),
        ("号码138****5678", []),
        ("座机010-62345678", [("CN_LANDLINE", "010-62345678")]),
        ("卡号6222 0212 3456 7890 128", [("BANK_CARD", "6222 0212 3456 7890 128")]),
        ("卡号4111111111111111", [("BANK_CARD", "4111111111111111")]),
        ("卡号4111111111111112", []),  # Luhn fails
        ("条码6901234567892", []),
        ("发邮件到zhang.wei@example.com谢谢", [("EMAIL", "zhang.wei@example.com")]),
        ("加微信：wxid_abc12345", [("WECHAT_ID", "wxid_abc12345")]),
        ("vx: lily_2024", [("WECHAT_ID", "lily_2024")]),
        ("QQ号：123456789", [("QQ", "123456789")]),
        ("粤B·12345停在门口", [("CN_PLATE", "粤B·12345")]),
        ("护照E12345678", [("PASSPORT", "E12345678")]),
        ("型号E12345678", []),
        (
            "寄到北京市朝阳区建国路88号3栋2单元501室",
            [("ADDRESS", "北京市朝阳区建国路88号3栋2单元501室")],
        ),
        ("收件人王芳电话", [("PERSON", "王芳")]),
        ("Call me at (415) 555-0132 please", [("PHONE", "(415) 555-0132")]),
        ("my ssn is 123-45-6789", [("US_SSN", "123-45-6789")]),
        ("ssn 666-12-3456", []),  # never-issued area
        ("server 192.168.1.20 is down", [("IP_ADDRESS", "192.168.1.20")]),
        ("version 1.2.3 released", []),
        ("订单号 20261111123456789012 已发货", []),
        ("满299减50，到手价199元", []),
        # 400/800 service lines are business numbers, not personal data
        ("客服热线400-000-0000", []),
        ("拨打 400 820 8820 咨询", []),
        ("热线电话4001234567", []),
        ("服务电话800-820-8820", []),
        ("+86 400-000-0000", []),
        ("call 1-800-555-0199 toll free", []),
        # ...while numbers that only look alike are still personal
        ("电话 401-000-0000", [("PHONE", "401-000-0000")]),
        ("电话 180 0555 0199", [("CN_MOBILE", "180 0555 0199")]),
        ("My phone is 415-555-0123", [("PHONE", "415-555-0123")]),
    ],
)
def test_scan_table(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("我叫王小红", ["王小红"]),
        ("我是王小红，想问下发货时间", ["王小红"]),
        ("本人王小红", ["王小红"]),
        ("姓名：李雷", ["李雷"]),
        ("收件人王芳电话", ["王芳"]),
        ("联系人张伟 18612345678", ["张伟"]),
        ("我叫欧阳小红呀", ["欧阳小红"]),
        ("我叫王小红女士", ["王小红"]),
        # common self-descriptions are not names
        ("我叫快递", []),
        ("我是会员", []),
        ("我是新手妈妈", []),
        ("我是金卡会员", []),
        ("我是高级会员", []),
        ("我是黄金会员", []),
        ("我叫车来取", []),
        ("我是宁波人", []),
        ("我是程序员", []),
        ("我是全职妈妈", []),
        ("我是第一次买", []),
        ("我是周末买的", []),
        ("本人已签收", []),
        ("本人向客服反映", []),
        ("收件人王小姐", []),
    ],
)
def test_person_in_context_table(text: str, names: list[str]) -> None:
    assert [e.text for e in scan_pii(text) if e.type == "PERSON"] == names


def test_every_entity_says_why() -> None:
    entity = scan_pii("手机13812345678")[0]
    assert "cn_mobile" in entity.reason and "手机" in entity.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的手机是13812345678，住在上海市浦东新区张江路100号", "我的手机是[手机号]，住在[地址]"),
        ("我叫王小红,电话13800138000", "我叫[姓名],电话[手机号]"),
        (
            "email me at jane.doe@example.com about my invoice",
            "email me at [EMAIL] about my invoice",
        ),
        ("Call (415) 555-0132, card 4111111111111111", "Call [PHONE], card [CARD_NUMBER]"),
        ("My name is Jane Smith", "My name is [NAME]"),
        ("邮箱 jane.doe@example.com 发票发这里", "邮箱 [邮箱] 发票发这里"),
        ("no personal data here", "no personal data here"),
        ("", ""),
    ],
)
def test_redact_table(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("zh", "call [手机号] now"), ("en", "call [PHONE] now")]
)
def test_redact_language_can_be_given(language: Literal["zh", "en"], expected: str) -> None:
    assert redact("call 13812345678 now", language).text == expected


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("1" * 50_000, set()),
        ("a" * 50_000, set()),
        ("王" * 50_000, set()),
        ("1." * 25_000, set()),
        ("a@" * 25_000, set()),
        ("一三八" * 20_000, set()),  # one 60,000-digit run is no phone number
        ("1\ufe0f\u20e3 " * 20_000, set()),
        ("路1号" * 10_000, {"ADDRESS"}),
    ],
)
def test_adversarial_input_is_handled(text: str, types: set[str]) -> None:
    assert {e.type for e in scan_pii(text)} == types


@pytest.mark.parametrize(
    ("text", "fields", "severities"),
    [
        ("您的手机13812345678已登记", {}, ["block"]),
        ("您的手机13812345678已登记", {"phone": "138 1234 5678"}, []),
        ("您的手机138.1234.5678已登记", {"phone": "一三八一二三四五六七八"}, []),
        ("您的手机一三八一二三四五六七八已登记", {}, ["block"]),
        ("亲爱的会员，生日快乐", {}, []),
        ("如需帮助请拨打客服热线400-000-0000。", {}, []),
        ("Please call our hotline 400-000-0000.", {}, []),
        ("请拨打客服热线400-000-0000或联系13812345678", {}, ["block"]),
    ],
)
def test_pii_rule_table(text: str, fields: dict[str, str], severities: list[str]) -> None:
    verdict = run(text, "pii", fields=fields)
    assert [f.severity for f in verdict.findings] == severities


@pytest.mark.parametrize(
    ("check", "body", "expected"),
    [
        (luhn_digit, "7992739871", "3"),  # the textbook Luhn example 79927398713
        (luhn_digit, "411111111111111", "1"),  # test card 4111 1111 1111 1111
        (gs1_digit, "400638133393", "1"),  # EAN-13 4006381333931
        (resident_id_check, "11010519491231002", "X"),  # GB 11643 sample 11010519491231002X
    ],
)
def test_check_digits_of_published_numbers(
    check: Callable[[str], str], body: str, expected: str
) -> None:
    assert check(body) == expected


_CARD_11 = "4123456789" + luhn_digit("4123456789")  # the shortest unbroken card number
_ID_17_X = "11010519491231002" + resident_id_check("11010519491231002")  # 17 digits and X


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        (f"卡号{_CARD_11}", _CARD_11, "BANK_CARD"),
        ("电话010-1234567", "010-1234567", "CN_LANDLINE"),
        ("phone 555 0199", "555 0199", "PHONE"),
        ("ssn 123-45-6789", "123-45-6789", "US_SSN"),
        ("QQ 12345", "12345", "QQ"),
        ("护照 E1234567", "E1234567", "PASSPORT"),
        ("车牌粤BAB123", "粤BAB123", "CN_PLATE"),
        (f"身份证{_ID_17_X}", _ID_17_X, "CN_RESIDENT_ID"),
        ("手机13812345678", "13812345678", "CN_MOBILE"),
    ],
)
def test_a_recognizer_reads_texts_with_its_fewest_digits(
    text: str, value: str, entity: str
) -> None:
    """Each example holds exactly the fewest digits its recognizer accepts (`min_digits`): a text
    with fewer is skipped, so a larger bound would lose these."""
    [recognizer] = [r for r in RECOGNIZERS if r.entity == entity]
    assert recognizer.min_digits == digit_count(text)
    assert found(text) == [(entity, value)]


def test_digit_count_counts_ascii_digits_only() -> None:
    assert digit_count("电话138 1234-5678，一三八") == 11
    assert digit_count("") == 0


_JOINT_PATTERNS = [p for r in RECOGNIZERS for p in r.patterns if opens_after_non_digit(p.regex)]


@pytest.mark.parametrize(
    "text",
    [
        "身份证110105 19491231 002X，手机+86 138-1234-5678，卡号6222 0212 3456 7890 128",
        "call (555) 123-4567 or +44 20 7946 0958, ssn 123-45-6789, 555.123.4567 x12",
        "座机(010)62345678转-12，护照E12345678，0755 1234 5678，123456789 1234567890",
        "2026-11-30 12:00 订单13812345678901234567 138 1234 5678 12",
        "",
    ],
)
def test_pattern_set_finds_what_each_pattern_finds_alone(text: str) -> None:
    """One pass of the combined regex gives every pattern the matches its own `finditer` gives:
    same starts, ends and value spans, in pattern order."""
    alone = [
        (index, match.start(), *match.span("v" if "v" in match.re.groupindex else 0))
        for index, pattern in enumerate(_JOINT_PATTERNS)
        for match in re.finditer(pattern.regex, text)
    ]
    assert PatternSet(_JOINT_PATTERNS).find(text) == alone


def test_the_number_patterns_are_read_together() -> None:
    """Every pattern of the number recognizers opens after a non-digit (else it would need a
    pass of its own), and a pattern that does not is refused."""
    numbers = {"CN_RESIDENT_ID", "BANK_CARD", "CN_MOBILE", "CN_LANDLINE", "US_SSN", "PHONE"}
    assert all(
        opens_after_non_digit(p.regex)
        for r in RECOGNIZERS
        if r.entity in numbers
        for p in r.patterns
    )
    with pytest.raises(ValueError, match="does not open after a non-digit"):
        PatternSet([Pattern("plain", r"[0-9]{3}", 0.5)])
