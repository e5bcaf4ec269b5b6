from __future__ import annotations

from typing import Any

import pytest

from copilot.guardrails.marketing_classifier import score_post, split_sentences
from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired, run

PROMO = "双11限时秒杀！满299减50，今晚8点直播间下单。"
TIPS = "冬天皮肤干？洗脸水温别太高，35度左右最合适。洁面后三分钟内涂保湿霜。"


@pytest.mark.parametrize(
    ("text", "is_marketing"),
    [
        (PROMO, True),
        ("新品首发，会员专享8折，点击链接抢购：https://shop.example.com", True),
        ("Flash sale: 30% off everything, today only. Shop now!", True),
        ("这款连衣裙采用真丝面料，版型显瘦，尽显优雅气质。", True),
        (TIPS, False),
        ("买了两件，质量很好，物流也快，价格199元挺值的。", False),
        ("球队宣布主教练下课，比赛结果令人失望", False),
        ("How to store coffee beans: keep them airtight and away from light.", False),
        ("", False),
    ],
)
def test_classifier_table(text: str, is_marketing: bool) -> None:
    assert score_post(text).is_marketing is is_marketing


def test_sentences_keep_offsets() -> None:
    text = "第一句。第二句！\nThird?"
    assert [text[s:e] for s, e in split_sentences(text)] == ["第一句。", "第二句！", "Third?"]


def history(*texts: str, community: str | None = None) -> list[dict[str, Any]]:
    return [
        {"scheduled_at": f"2026-11-0{i + 5}T10:00:00+08:00", "text": t, "community": community}
        for i, t in enumerate(texts)
    ]


@pytest.mark.parametrize(
    ("text", "post_type", "past", "severities"),
    [
        (PROMO, "promo", history(TIPS, TIPS, TIPS, TIPS), []),  # 1 of 5 = 20%
        (PROMO, "promo", history(TIPS, PROMO, TIPS), ["block"]),  # 2 of 4 = 50%
        (PROMO, "promo", history(PROMO, PROMO, community="other"), ["block"]),  # 1 of 1
        (TIPS, "tips", history(PROMO, PROMO), []),  # a tips post lowers the share
        (TIPS + PROMO, "tips", history(TIPS, TIPS, TIPS, TIPS, TIPS), ["block"]),
    ],
)
def test_marketing_rule_table(
    text: str, post_type: str, past: list[dict[str, Any]], severities: list[str]
) -> None:
    verdict = run(
        text,
        "marketing",
        task="post",
        community="g1",
        post_type=post_type,
        scheduled_at="2026-11-10T10:00:00+08:00",
        history=past,
    )
    assert rules_fired(verdict, "marketing") == severities


def test_window_block_names_both_shares_and_suggests_tips() -> None:
    verdict = run(
        PROMO,
        "marketing",
        task="post",
        community="g1",
        scheduled_at="2026-11-10T10:00:00+08:00",
        history=history(TIPS, PROMO, TIPS),
    )
    finding = verdict.findings[0]
    for lang in ("zh", "en"):
        message = render(finding.message, lang)  # type: ignore[arg-type]
        assert "33%" in message and "50%" in message and "30%" in message
    assert "干货" in render(finding.fix, "zh")
    assert render(finding.fix, "en") == (
        "post a tips or UGC post instead and move the promotion to a later day"
    )
    assert verdict.marketing.window_share == 0.5


# Seven posts in the week before 2026-11-12, two of them promotions: 28.6%, just under 30%.
WINDOW = [
    {"scheduled_at": f"2026-11-{day:02d}T09:00:00+08:00", "text": text}
    for day, text in zip(range(6, 13), [PROMO, PROMO, *[TIPS] * 5], strict=True)
]


@pytest.mark.parametrize(
    "text",
    [
        "学饮杯今天只要９９，私我",
        "学饮杯九十九包邮，群里接龙",
        "学饮杯九块九，戳我",
        "学饮杯9️⃣9️⃣包邮，扫码下单",
        "学饮杯99 RMB，私我",
        "学饮杯99r，私我",
        "学饮杯九十九圆，私我",
        "惊喜价，私我",
        "学饮杯限\u200b时特\u200b价，私我",
        "學飲杯限時特價，搶購",
    ],
)
def test_evasive_promotions_are_scored_as_marketing(text: str) -> None:
    assert score_post(text).is_marketing


@pytest.mark.parametrize("declared", ["tips", "seeding", None])
def test_undeclared_promotion_near_the_cap_is_blocked(declared: str | None) -> None:
    verdict = run("学饮杯九块九，私我下单", "marketing", task="post", community="g1",
                  post_type=declared, scheduled_at="2026-11-12T10:00:00+08:00", history=WINDOW)  # fmt: skip
    assert "block" in rules_fired(verdict, "marketing")
    assert verdict.marketing.is_marketing


def test_declared_promo_always_counts() -> None:
    verdict = run("学饮杯到货了。", "marketing", task="post", community="g1", post_type="promo",
                  scheduled_at="2026-11-12T10:00:00+08:00", history=WINDOW)  # fmt: skip
    assert rules_fired(verdict, "marketing") == ["block"]
    assert verdict.marketing.is_marketing and verdict.marketing.window_share == 0.375


def test_tips_post_scored_promotional_says_so() -> None:
    text = "宝宝喝水小知识。学饮杯惊喜价九块九，私我下单！"
    verdict = run(text, "marketing", task="post", community="g1", post_type="tips",
                  scheduled_at="2026-11-12T10:00:00+08:00", history=WINDOW)  # fmt: skip
    window = verdict.findings[0]
    assert render(window.message, "zh").startswith("(声明为 tips")
    assert render(window.message, "en").startswith("(declared tips, scored promotional")
    assert "声明为" not in render(window.message, "en")
    assert text[window.start : window.end] == window.text == "学饮杯惊喜价九块九，私我下单！"
    assert "干货" in render(window.fix, "zh") and "tips or UGC" in render(window.fix, "en")
