from __future__ import annotations

from typing import Any

import pytest

from copilot.guardrails.marketing_classifier import score_post, split_sentences
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
    assert "33%" in finding.message and "50%" in finding.message and "30%" in finding.message
    assert "干货" in finding.fix
    assert verdict.marketing.window_share == 0.5
