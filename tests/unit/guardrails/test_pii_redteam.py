"""Personal data written the ways a second red-team round found missed: emoji between digit
groups, ➕V, 企鹅号, a bare room number after the building, English street addresses, the full
name after the surname, and a number announced in worded parts."""

from __future__ import annotations

import pytest

from copilot.guardrails import redact, redact_parts, scan_pii
from copilot.guardrails.pii_cn import resident_id_check

_ID_BODY = "44030519880815321"
_ID = _ID_BODY + resident_id_check(_ID_BODY)


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("手机 138🔸2233🔸4455 快递到了打给我", "CN_MOBILE", "138🔸2233🔸4455"),
        ("电话138★1234★5678", "CN_MOBILE", "138★1234★5678"),
        ("➕V xiaoyu0815mama 拉群", "WECHAT_ID", "xiaoyu0815mama"),
        ("企鹅号：87654321，群里不方便说", "QQ", "87654321"),
        ("寄到杭州西湖区文三路100号3幢502，门口放", "ADDRESS", "杭州西湖区文三路100号3幢502"),
        ("地址：中山路12号1201室", "ADDRESS", "中山路12号1201室"),
        ("Ship to Room 1208, 88 Jianguo Rd, Chaoyang", "ADDRESS", "88 Jianguo Rd"),
        ("I live at 221B Baker Street", "ADDRESS", "221B Baker Street"),
        ("本人姓王，叫王小丫，帮我查下单", "PERSON", "王小丫"),
        ("我姓李叫李娟", "PERSON", "李娟"),
        (f"实名信息:sfz{_ID}，麻烦帮我清关", "CN_RESIDENT_ID", _ID),
        (
            f"身份证号前六位{_ID[:6]}，中间{_ID[6:14]}，最后{_ID[14:]}",
            "CN_RESIDENT_ID",
            f"{_ID[:6]}，中间{_ID[6:14]}，最后{_ID[14:]}",
        ),
    ],
)
def test_found_at_the_users_span(text: str, kind: str, span: str) -> None:
    found = [(e.type, e.text, text[e.start : e.end]) for e in scan_pii(text)]
    assert (kind, span, span) in found


@pytest.mark.parametrize(
    "text",
    [
        "价格99💰199💰299元三档，哪个划算？",  # emoji between prices: no number forms
        "企鹅玩偶有货吗，货号12345678",  # 企鹅 not followed by its number
        "姓王叫车来",  # 车 never ends a name
        "Top 10 Drive Tips for new parents",  # a street type needs a street name before it
        "满199，最后1小时",  # 最后 joins no number that is personal
        f"订单ABC{_ID}",  # inside a longer code: only sfz may stand right before an ID
    ],
)
def test_not_personal_data(text: str) -> None:
    assert scan_pii(text) == []


def test_a_room_number_is_not_a_year() -> None:
    [address] = scan_pii("人民路1号2024年开业的门店")
    assert address.text == "人民路1号"


def test_a_number_sent_over_several_turns_is_redacted_in_each() -> None:
    assert redact_parts(["手机前七位1382233", "后四位4455", "谢谢"]) == [
        "手机前七位[手机号]",
        "[手机号]",  # the announcement inside the number goes with it
        "谢谢",
    ]
    assert redact_parts(["我手机138", "1234", "5678"]) == ["我手机[手机号]", "[手机号]", "[手机号]"]
    assert redact_parts(["my phone 138", "1234 5678"]) == ["my phone [PHONE]", "[PHONE]"]


def test_turns_without_data_across_them_read_as_alone() -> None:
    turns = ["电话13812345678", "12345678是快递单号", "订单号123456", "数量2"]
    assert redact_parts(turns) == [redact(turn).text for turn in turns]
    assert redact_parts(["身份证440305198808153218"]) == ["身份证[身份证号]"]
    assert redact_parts([]) == []
