"""Marketing cap red-team: promotions dressed as tips/UGC/seeding posts, and tips posts that only
look like promotions. The community's window holds 2 promotions in 7 posts (28.6%), so a draft
counted as marketing takes it over the 30% cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from copilot.config import GuardrailSettings
from copilot.errors import ConfigError
from copilot.guardrails import Verdict, check, datafiles
from copilot.guardrails import marketing_classifier as mc
from copilot.guardrails.marketing_classifier import score_post
from tests.unit.guardrails.conftest import NOON, draft

PROMOS = ["双11限时秒杀！满299减50，今晚8点直播间下单。", "新品首发，会员专享8折，点击链接抢购。"]
TIPS = [
    "冬天皮肤干？洗脸水温别太高，35度左右最合适。",
    "宝宝辅食添加要由少到多，一次只加一种新食物。",
    "奶瓶用后及时清洗，每天煮沸消毒一次。",
    "纸尿裤尺码按体重选，腰围留一指宽。",
    "洗澡水温37到40度，先放冷水再放热水。",
]
HISTORY = [
    {"scheduled_at": f"2026-11-{day:02d}T10:00:00+08:00", "text": text}
    for day, text in zip(range(4, 11), PROMOS + TIPS, strict=True)
]


def post(text: str, post_type: str | None) -> Verdict:
    """Check a post of group g1 at 11:00 after a window at 2/7, with the marketing rule only."""
    item = draft(
        text,
        task="post",
        community="g1",
        post_type=post_type,
        scheduled_at="2026-11-10T11:00:00+08:00",
        history=HISTORY,
    )
    return check(item, GuardrailSettings(rules=["marketing"]), now=NOON)


def blocked(verdict: Verdict) -> bool:
    return any(f.rule == "marketing" and f.severity == "block" for f in verdict.findings)


@pytest.mark.parametrize(
    ("text", "post_type"),
    [
        ("学饮杯好价 lai le ~ 69 bao you，si wo", "tips"),  # pinyin calls to buy
        ("奶瓶今天有好价，xia dan 就送奶嘴", "seeding"),
        ("学饮杯🉐️💰6️⃣9️⃣", "tips"),  # emoji price: keycaps next to a money bag
        ("辅食碗💰三十九，要的宝妈小窗", "ugc"),
        ("群友福利：学饮杯免费领，只需付邮费", "ugc"),  # a free item for the postage
        ("米粉免费领，付邮就行", "tips"),
        ("辅食机 299 → 199，库存有限", "tips"),  # a price drop and urgency
        ("护臀膏 59->39，先到先得", "seeding"),
        ("纸尿裤拍二发三，售完为止", "tips"),  # deal mechanics
        ("本周奶粉做活动，会员专属价", "tips"),  # a sale event at an exclusive price
        ("奶瓶现价四十九", "ugc"),
        ("辅 食 碗 团 购 开 始", "tips"),  # characters spaced apart
    ],
)
def test_a_promotion_declared_otherwise_is_counted_and_blocked(
    text: str, post_type: str | None
) -> None:
    verdict = post(text, post_type)
    assert verdict.marketing.is_marketing
    assert verdict.marketing.window_share == 0.375  # 3 of 8
    assert blocked(verdict)


@pytest.mark.parametrize(
    "text",
    [
        "提醒：本周六群活动改到线上，想参加的宝妈接龙报名，分享带娃经验。",
        "周日线下育儿讲座，想来的宝妈接龙签到。",
        "小程序里可以看学饮杯的使用说明视频，装配不会的看一下",
        "奶瓶价格从几十到两百都有，关键看材质是不是PPSU，贵的不一定好。",
        "宝宝体重从5→7公斤，说明奶量够了。",
        "洗澡水从40降到37度再抱宝宝进去。",
        "社区医院免费领叶酸，带上医保卡就行。",
    ],
)
def test_a_tips_post_that_only_looks_like_a_promotion_passes(text: str) -> None:
    verdict = post(text, "tips")
    assert not verdict.marketing.is_marketing
    assert verdict.marketing.sentence_share == 0.0
    assert verdict.findings == []


@pytest.mark.parametrize(
    "text",
    [
        "小程序里可以看学饮杯的使用说明视频，装配不会的看一下",
        "打开小程序看安装视频",
        "学饮杯到货了，私我",
        "惊喜价",
        "学饮杯上新",
        "奶瓶59元",
    ],
)
def test_a_one_sentence_post_is_marketing_exactly_when_its_sentence_is(text: str) -> None:
    scored = score_post(text)
    assert len(scored.sentences) == 1
    assert scored.is_marketing == scored.sentences[0].is_marketing


def test_a_post_whose_every_sentence_is_marketing_counts_as_marketing() -> None:
    verdict = post("宝宝喝水小知识在这里。学饮杯惊喜价九块九。私我下单！", "tips")
    assert verdict.marketing.is_marketing
    assert verdict.marketing.sentence_share == pytest.approx(2 / 3, abs=0.001)
    ruled = post("学饮杯惊喜价九块九。私我下单！", "tips")
    assert ruled.marketing.sentence_share == 1.0 and ruled.marketing.is_marketing


@pytest.fixture
def lexicon_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point the guardrail data folder at `tmp_path` and reload the lexicon around the test."""
    monkeypatch.setattr(datafiles, "DATA_DIR", tmp_path)
    mc.features.cache_clear()
    mc.score_post.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    mc.features.cache_clear()
    mc.score_post.cache_clear()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("features:\n  - {name: bad, weight: 1.0, max_hits: 1, patterns: ['(']}\n", "bad"),
        ("features:\n  - {name: x, weight: 1.0, max_hits: 1, colour: red}\n", "colour"),
        ("features:\n  - {name: x, weight: 1.0, max_hits: 0, terms: [a]}\n", "max_hits"),
        ("features: []\n", "features"),
    ],
)
def test_a_broken_lexicon_raises_a_config_error_naming_the_entry(
    lexicon_dir: Path, body: str, field: str
) -> None:
    (lexicon_dir / "marketing.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        mc.features()
    assert "marketing.yaml" in str(caught.value.where)
    assert field in str(caught.value.where) + str(caught.value)


def test_terms_are_literal_and_words_stand_alone(lexicon_dir: Path) -> None:
    (lexicon_dir / "marketing.yaml").write_text(
        "features:\n  - {name: cta, weight: 2.0, max_hits: 1, terms: ['a.b'], words: ['si ?wo']}\n",
        encoding="utf-8",
    )
    assert mc.score_sentence("a.b").features == ("cta",)
    assert mc.score_sentence("axb").features == ()  # a term's dot is a dot, not any character
    assert mc.score_sentence("快 si wo").features == ("cta",)
    assert mc.score_sentence("siwon").features == ()  # inside a longer word


def test_a_post_at_the_sentence_threshold_is_marketing_at_an_even_chance(lexicon_dir: Path) -> None:
    (lexicon_dir / "marketing.yaml").write_text(
        "features:\n"
        "  - {name: a, weight: 0.6, max_hits: 1, terms: [a]}\n"
        "  - {name: b, weight: 0.7, max_hits: 1, terms: [b]}\n"
        "  - {name: c, weight: 0.2, max_hits: 1, terms: [c]}\n"
        "  - {name: d, weight: 1.5, max_hits: 1, terms: [d]}\n",
        encoding="utf-8",
    )
    one = score_post("d")  # one sentence at the threshold
    assert one.sentences[0].is_marketing and one.is_marketing and one.score == 0.5
    three = score_post("a。b。c。")  # 0.6 + 0.7 + 0.2 adds up to 1.4999999999999998 in floats
    assert three.is_marketing and three.score == 0.5


def test_a_label_never_counts_against_marketing() -> None:
    label = score_post("【干货分享】学饮杯惊喜价")
    assert label.is_marketing and label.sentences[0].features == ("price",)
    plain = score_post("干货分享：学饮杯惊喜价")  # the same word in the text itself still counts
    assert not plain.is_marketing and "tips" in plain.sentences[0].features
    assert score_post("【限时特价】学饮杯").is_marketing  # a label may add to the score
