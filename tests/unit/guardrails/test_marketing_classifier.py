from __future__ import annotations

import pytest

from copilot.guardrails.marketing_classifier import features, score_post, score_sentence


@pytest.mark.parametrize(
    ("text", "is_marketing"),
    [
        # English seeding: no price, but brand voice that adds up
        ("Gentle, fragrance-free wipes that parents swear by.", True),
        ("Cosy, breathable and easy to zip: our sleep sack is the bedtime upgrade.", True),
        ("Our rice cereal is made from a single organic grain.", True),
        # English promotions in their many shapes
        ("Weekend special: second item half price on all feeding bottles.", True),
        ("Points double this weekend! Every purchase earns twice the points.", True),
        ("Spend ¥199 and get a free gift with your order, while supplies last.", True),
        ("The sippy cup is back in stock! Order today before it sells out.", True),
        ("Price drop! The bottle warmer is now ¥99.", True),
        # English tips and UGC, including the words promotions borrow
        ("Sweaty neck means too warm, so take a layer off.", False),
        ("The group notice has our feeding chart. Save it to your phone for night feeds.", False),
        ("Brush gently with a soft brush after the bath.", False),
        ("Honest review: the kids sunscreen is a bit thick, but no rash on my son.", False),
        ("I bought the bottle warmer in March. It's quick, but the lid gets hot.", False),
        ("What's your favourite rainy-day activity with a toddler?", False),
        ("Our baby started daycare on Monday. Any tips for the first week?", False),
    ],
)
def test_english_table(text: str, is_marketing: bool) -> None:
    assert score_post(text).is_marketing is is_marketing


@pytest.mark.parametrize(
    ("sentence", "fired", "absent"),
    [
        ("Members get 20% off until midnight.", {"coupon", "urgency", "discount_soft"}, set()),
        ("Pre-order now and save $5.", {"new_arrival", "sale_en"}, set()),
        ("Take a layer off and save it for later.", set(), {"sale_en"}),
        ("Tiny hands, big appetite: dinner just got easier.", {"ad_copy_en"}, set()),
        ("We've used the wipes for six months.", {"review"}, {"ad_copy_en"}),
        # the headline question cue is for Chinese titles, not English hooks
        ("球队今晚能赢吗?", {"report"}, set()),
        ("Looking for a thoughtful gift?", {"ad_copy_en"}, {"report"}),
    ],
)
def test_sentence_explains_features(sentence: str, fired: set[str], absent: set[str]) -> None:
    features = set(score_sentence(sentence).features)
    assert fired <= features
    assert not absent & features


def test_brand_voice_phrases_add_up_per_distinct_phrase() -> None:
    one = score_sentence("A soft towel.")
    two = score_sentence("A soft, breathable towel.")
    repeated = score_sentence("A soft, soft, soft towel.")
    assert one.score < two.score
    assert repeated.score == one.score
    assert two.is_marketing and not one.is_marketing


@pytest.mark.parametrize(("name", "pattern"), [(f[0], f[3].pattern) for f in features()])
def test_patterns_are_lowercase(name: str, pattern: str) -> None:
    # sentences are lowercased before matching, so an uppercase literal could never match
    assert pattern == pattern.lower(), name


@pytest.mark.parametrize("text", ["FLASH SALE: Shop Now!", "Flash sale: shop now!"])
def test_case_does_not_matter(text: str) -> None:
    assert set(score_sentence(text).features) == {"call_to_buy", "sale_en"}
