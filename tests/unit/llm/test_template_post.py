from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from copilot.errors import ConfigError
from copilot.guardrails.claims import extract_claims
from copilot.llm.template import TemplateBackend
from copilot.llm.template_facts import fact_text, without_codes
from copilot.llm.template_voice import load_voice, parse_voice
from tests.conftest import FIXTURES

PRODUCT = (
    "商品:小禾家轻便婴儿推车\nSKU:XH-TC-01\n价格:1299元\n规格:整车约6.8kg\n品类:婴儿推车\n"
    "适用:0–36月龄（承重≤15kg）\n注意事项:宝宝乘坐时必须系好五点式安全带；停车时请踩下刹车。\n"
    "介绍:可坐可躺，一键收车，收车后可登机，四轮独立减震，配遮阳篷与雨罩。"
)
PROMO = (
    "2026年11月1日至11月11日双十一活动：全场满299减60；纸尿裤NB/S/M/L码（XH-ND-01至XH-ND-04）"
    "第二件半价；湿巾任选2包1件8折，与会员券同享。"
)
LABEL_ROW = re.compile(r"(商品|SKU|价格|规格|品类|适用|注意事项|介绍)[:：]")


def _evidence(text: str, doc_type: str = "product", cid: str = "K1") -> dict[str, Any]:
    return {"id": cid, "text": text, "doc_type": doc_type, "heading": "", "relevant": True}


def _post(kind: str, topic: str, day: str, evidence: list[dict[str, Any]]) -> str:
    context = {"task": "post", "language": "zh", "post_type": kind, "topic": topic}
    context |= {"date": day, "brief": "", "evidence": evidence}
    return str(TemplateBackend().items(context)[0]["text"])


def test_a_product_row_becomes_sentences_without_codes_or_labels() -> None:
    text = fact_text(_evidence(PRODUCT), load_voice("zh"), 90)
    assert text == (
        "小禾家轻便婴儿推车，可坐可躺，一键收车，收车后可登机，四轮独立减震，配遮阳篷与雨罩。"
        "整车约6.8kg，适合0–36月龄（承重≤15kg）。温馨提醒，宝宝乘坐时必须系好五点式安全带。"
    )


def test_an_english_product_row_reads_as_sentences() -> None:
    row = "Product: Lightweight Stroller\nSKU: XH-TC-01\nPrice: 1299\nSpec: about 6.8kg\n"
    row += "Suitable for: 0–36 months\nDescription: Sit or recline, one-hand fold."
    text = fact_text(_evidence(row), load_voice("en"), 90)
    assert (
        text
        == "The Lightweight Stroller. Sit or recline, one-hand fold. About 6.8kg, suitable for 0–36 months."
    )


def test_a_promotion_is_kept_whole_and_its_codes_dropped() -> None:
    text = fact_text(_evidence(PROMO, "promotion"), load_voice("zh"), 160)
    assert text.endswith("湿巾任选2包1件8折，与会员券同享。")
    assert "XH-" not in text and "（）" not in text and "…" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("买2罐1段奶粉（XH-MF-01，单价268元），9.5折", "买2罐1段奶粉（单价268元），9.5折"),
        ("湿巾（单价39元、XH-SJ-01）任选", "湿巾（单价39元）任选"),
        ("纸尿裤NB/S/M/L码（XH-ND-01至XH-ND-04）任选2包", "纸尿裤NB/S/M/L码任选2包"),
    ],
)
def test_codes_leave_no_empty_bracket_or_stray_comma(text: str, expected: str) -> None:
    assert without_codes(text, load_voice("zh")) == expected


def test_a_long_passage_ends_at_a_sentence_never_inside_one() -> None:
    text = fact_text(_evidence(PROMO, "promotion"), load_voice("zh"), 40)
    assert text == "2026年11月1日至11月11日双十一活动：全场满299减60。"


def test_heading_paths_never_reach_the_post() -> None:
    heading = "退换货政策 > 小禾家退换货政策 > 七天无理由退货"
    evidence = _evidence(f"{heading}\n自签收次日起7天内可申请七天无理由退货。", "policy")
    evidence["heading"] = heading
    text = _post("tips", "七天无理由退货", "2026-12-01", [evidence])
    assert " > " not in text and "自签收次日起7天内可申请七天无理由退货。" in text


@pytest.mark.parametrize("kind", ["tips", "seeding", "ugc", "promo"])
def test_a_week_of_posts_never_opens_the_same_way(kind: str) -> None:
    start = date(2026, 12, 1)
    posts = [
        _post(kind, topic, (start + timedelta(days=n)).isoformat(), [_evidence(PRODUCT)])
        for n, topic in enumerate(["婴儿推车", "奶瓶", "纸尿裤", "湿巾", "米粉", "润肤乳", "餐椅"])
    ]
    openers = [post.splitlines()[1] for post in posts]
    assert len(set(openers)) == 7
    for post in posts:
        assert "SKU" not in post and not LABEL_ROW.search(post) and "XH-" not in post


def test_the_same_topic_and_day_give_the_same_post() -> None:
    first = _post("seeding", "婴儿推车", "2026-12-01", [_evidence(PRODUCT)])
    assert first == _post("seeding", "婴儿推车", "2026-12-01", [_evidence(PRODUCT)])
    assert first.splitlines()[0].endswith("婴儿推车】")


def test_codes_in_the_topic_stay_out_of_the_title() -> None:
    text = _post("seeding", "婴儿推车 XH-TC-01", "2026-12-01", [_evidence(PRODUCT)])
    assert "XH-" not in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_voice_phrases_add_no_claims(language: str) -> None:
    voice = load_voice(language)
    phrases = [
        phrase
        for kind in ("tips", "seeding", "ugc", "promo")
        for field in ("titles", "openers", "closers")
        for phrase in getattr(getattr(voice.posts, kind), field)
    ]
    phrases += [p for bodies in voice.messages.playbooks.values() for p in bodies]
    stripped = [re.sub(r"\{[a-z_]+\}", "", phrase) for phrase in phrases]
    assert [p for p in stripped if extract_claims(p)] == []


def test_a_broken_voice_file_names_the_file_and_the_fields() -> None:
    with pytest.raises(ConfigError) as info:
        parse_voice(FIXTURES / "template_broken" / "zh.yaml")
    message = info.value.render()
    assert "zh.yaml" in message
    assert (
        "posts.tips.openers" in message and "posts.tips.opener" in message and "slogan" in message
    )


def test_a_voice_file_whose_language_does_not_match_its_name_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES.parent.parent / "prompts" / "template" / "zh.yaml").read_text(encoding="utf-8")
    path = tmp_path / "en.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="language"):
        parse_voice(path)


def test_repeats_and_off_topic_neighbours_are_left_out() -> None:
    day = "2026-11-16"
    member_day = "每月18日为小禾家会员日，当天付款的订单享双倍积分。"
    evidence = [
        _evidence(member_day, "policy", "K1"),
        _evidence("每月18日是小禾家会员日，当天付款的订单享双倍积分哦。", "faq", "K2"),
        _evidence("禾苗会员：积分1倍。禾穗会员：积分1.2倍。", "policy", "K3"),
    ]
    context = {"task": "post", "language": "zh", "post_type": "tips", "topic": "会员日"}
    context |= {"date": day, "brief": "", "evidence": evidence}
    item = TemplateBackend().items(context)[0]
    assert item["citations"] == ["K1"]
    assert member_day in item["text"] and "积分1.2倍" not in item["text"]


def test_a_passage_that_restates_a_kept_fact_and_adds_to_it_takes_its_place() -> None:
    faq = (
        "每月18日是小禾家会员日：当天下单享双倍积分，还可领取会员日专享满199减20券，仅限当天使用。"
    )
    policy = (
        "每月18日为小禾家会员日。当天付款的订单享双倍积分，即在等级倍率基础上再乘2：禾苗会员每1元得"
        "2积分，禾穗会员2.4积分，金禾会员3积分。会员日当天还可领取专享满199减20券，仅限当天使用。"
    )
    context = {"task": "post", "language": "zh", "post_type": "promo", "topic": "会员日"}
    context |= {"date": "2026-12-05", "brief": ""}
    context["evidence"] = [
        _evidence(faq, "faq", "K1"),
        _evidence(policy, "policy", "K2"),
    ]
    item = TemplateBackend().items(context)[0]
    assert item["text"].count("满199减20券") == 1 and "金禾会员3积分" in item["text"]
    assert item["citations"] == ["K1", "K2"]  # the first passage still cited first


def test_a_passage_restating_a_kept_fact_adds_nothing() -> None:
    context = {"task": "post", "language": "zh", "post_type": "seeding", "topic": "婴儿推车"}
    context |= {"date": "2026-12-05", "brief": ""}
    context["evidence"] = [_evidence(PRODUCT, cid="K1"), _evidence(PRODUCT + "。", cid="K2")]
    assert TemplateBackend().items(context)[0]["citations"] == ["K1"]
