"""Marketing rule edge cases found by mutation testing: window bounds, timezones, spans, wording."""

from __future__ import annotations

from typing import Any

from copilot.config import GuardrailSettings
from copilot.guardrails import Verdict, check
from copilot.guardrails.marketing_classifier import score_post
from copilot.guardrails.models import Finding, MarketingSummary
from copilot.messages import render
from tests.unit.guardrails.conftest import NOON, draft

PROMO = "双11限时秒杀！满299减50，今晚8点直播间下单。"
TIPS = "冬天皮肤干？洗脸水温别太高，35度左右最合适。洁面后三分钟内涂保湿霜。"
MIXED = "冬天皮肤干？洁面后涂保湿霜。今晚8点直播间下单。"  # one promotional sentence of three
SENT_AT = "2026-11-10T10:00:00+08:00"
TIPS_FIX_EN = "rewrite it as a tips or UGC post: drop prices, discounts and calls to buy"
WINDOW_FIX_EN = "post a tips or UGC post instead and move the promotion to a later day"


def post(
    text: str,
    *,
    post_type: str | None = None,
    past: list[dict[str, Any]] | None = None,
    **settings: Any,
) -> Verdict:
    """Check a community post of group g1 sent at SENT_AT, with the marketing rule only."""
    fields = {"task": "post", "community": "g1", "post_type": post_type, "scheduled_at": SENT_AT}
    item = draft(text, history=past or [], **fields)
    return check(item, GuardrailSettings(rules=["marketing"], **settings), now=NOON)


def at(when: str, text: str, community: str | None = None) -> dict[str, Any]:
    return {"scheduled_at": when, "text": text, "community": community}


def only(verdict: Verdict) -> Finding:
    assert len(verdict.findings) == 1, verdict.findings
    return verdict.findings[0]


def test_summary_carries_the_score_and_shares_rounded_to_three_places() -> None:
    past = [at("2026-11-08T10:00:00+08:00", TIPS), at("2026-11-09T10:00:00+08:00", TIPS)]
    verdict = post(MIXED, post_type="promo", past=past, marketing_cap=0.5)
    assert verdict.findings == []
    score = score_post(MIXED).score
    assert score > 0.5
    assert verdict.marketing == MarketingSummary(
        is_marketing=True, score=score, sentence_share=0.333, window_share=0.333
    )


def test_history_without_timezone_is_read_as_local_time() -> None:
    verdict = post(PROMO, post_type="promo", past=[at("2026-11-09T10:00:00", TIPS)])
    assert verdict.marketing.window_share == 0.5


def test_history_in_another_timezone_is_compared_by_instant() -> None:
    # 05:00 UTC is 13:00 in Shanghai: after the draft, so outside its window.
    verdict = post(PROMO, post_type="promo", past=[at("2026-11-10T05:00:00+00:00", TIPS)])
    assert verdict.marketing.window_share == 1.0


def test_other_communities_do_not_dilute_the_window_unless_configured() -> None:
    past = [at(f"2026-11-0{d}T10:00:00+08:00", TIPS, "other") for d in range(5, 9)]
    assert post(PROMO, post_type="promo", past=past).marketing.window_share == 1.0
    pooled = post(PROMO, post_type="promo", past=past, marketing_same_community_only=False)
    assert pooled.findings == [] and pooled.marketing.window_share == 0.2


def test_post_exactly_one_window_ago_has_left_the_window() -> None:
    past = [at("2026-11-03T10:00:00+08:00", PROMO), at("2026-11-05T10:00:00+08:00", TIPS)]
    assert post(PROMO, post_type="promo", past=past).marketing.window_share == 0.5


def test_post_planned_for_the_same_moment_is_in_the_window() -> None:
    past = [at(SENT_AT, PROMO)] + [at(f"2026-11-0{d}T10:00:00+08:00", TIPS) for d in (5, 6, 7)]
    assert post(PROMO, post_type="promo", past=past).marketing.window_share == 0.4


def test_share_exactly_at_the_cap_passes() -> None:
    past = [at(f"2026-11-09T0{h}:00:00+08:00", PROMO if h < 2 else TIPS) for h in range(9)]
    verdict = post(PROMO, post_type="promo", past=past)  # 3 of 10 = 30%
    assert verdict.findings == [] and verdict.marketing.window_share == 0.3


def test_first_promotion_in_an_empty_window_names_exact_figures_and_spans_the_promo() -> None:
    finding = only(post(MIXED, post_type="promo", marketing_cap=0.6))
    assert (finding.rule, finding.severity) == ("marketing", "block")
    assert (finding.start, finding.end, finding.text) == (0, len(MIXED), MIXED)
    assert (
        render(finding.message, "zh") == "7 天内营销内容占比当前 0%,发布后将达 100%,超过 60% 上限"
    )
    assert render(finding.message, "en") == (
        "marketing share in the rolling 7-day window is 0% and would reach 100%, above the 60% cap"
    )
    assert render(finding.fix, "en") == WINDOW_FIX_EN


def test_long_promotion_is_quoted_up_to_sixty_characters() -> None:
    text = PROMO * 3
    finding = only(post(text, post_type="promo"))
    assert (finding.start, finding.end) == (0, len(text))
    assert finding.text == text[:60]


def test_tips_post_over_the_window_cap_gets_the_tips_fix() -> None:
    text = "宝宝喝水小知识。学饮杯惊喜价九块九，私我下单！"
    finding = only(post(text, post_type="tips", tips_sentence_cap=0.5))
    assert finding.text == "学饮杯惊喜价九块九，私我下单！"
    assert render(finding.message, "en").startswith("(declared tips, scored promotional")
    assert render(finding.fix, "en") == TIPS_FIX_EN


def test_ugc_post_over_the_sentence_cap_points_at_its_first_promotional_sentence() -> None:
    text = "洗脸水温别太高。限时特价。"
    finding = only(post(text, post_type="ugc", marketing_cap=1.0))
    assert (finding.rule, finding.severity) == ("marketing", "block")
    assert (finding.start, finding.end, finding.text) == (8, 13, "限时特价。")
    assert text[finding.start : finding.end] == finding.text
    assert render(finding.message, "zh").startswith("(声明为 ugc,内容评分为促销")
    assert render(finding.message, "zh").endswith("ugc 帖中营销句占 50%,超过 30% 上限")
    assert render(finding.fix, "en") == TIPS_FIX_EN


def test_sentence_share_exactly_at_the_cap_passes() -> None:
    text = "洗脸水温别太高。限时特价。"
    assert post(text, post_type="tips", marketing_cap=1.0, tips_sentence_cap=0.5).findings == []


def test_tips_post_not_promotional_overall_still_names_its_sentence_share() -> None:
    text = TIPS + "会员专享8折。"  # one sentence of four: 25%, the post itself is not promotional
    finding = only(post(text, post_type="tips", tips_sentence_cap=0.2))
    assert finding.text == "会员专享8折。"
    assert render(finding.message, "zh") == "tips 帖中营销句占 25%,超过 20% 上限"


def test_sentence_cap_message_gives_whole_percentages() -> None:
    finding = only(post("限时特价。", post_type="tips", marketing_cap=1.0, tips_sentence_cap=0.6))
    assert render(finding.message, "zh").endswith("tips 帖中营销句占 100%,超过 60% 上限")
    assert render(finding.message, "en").endswith(
        "100% of the sentences of this tips post are marketing, above the 60% cap"
    )
