"""Every playbook's offer per member tier agrees with the membership policy's tier benefits."""

from __future__ import annotations

import re

import pytest

from copilot.campaigns.playbooks import DEFAULT_OFFER, PlaybookSpec, load_playbooks
from copilot.config import Settings
from tests.conftest import REPO

GUARD = Settings().guardrails
POLICY = REPO / "knowledge" / "policies" / "membership.md"
# The benefit terms an offer can state: coupons, discounts, point rates, named perks.
TERM = re.compile(
    r"满\d+减\d+|\d+(?:\.\d+)?折|双倍积分|\d+(?:\.\d+)?积分|最高抵扣\d+元|每月\d+日|"
    r"运费险|专属客服|新品试用优先"
)
TIERS_LINE = re.compile(r"为(\S{2})会员")


def _tiers(policy: str) -> list[str]:
    section = policy.split("## 会员等级", 1)[1].split("##", 1)[0]
    return list(dict.fromkeys(TIERS_LINE.findall(section)))


def policy_terms(policy: str, tiers: list[str]) -> dict[str, set[str]]:
    """The benefit terms the policy grants each tier. A clause naming tiers applies to them, and
    the clauses after it in the same sentence inherit them; a sentence naming no tier applies
    to every tier."""
    granted: dict[str, set[str]] = {tier: set() for tier in tiers}
    for sentence in re.split(r"[。\n]", policy):
        applies = set(tiers)
        for clause in re.split(r"[，；：,;:]", sentence):
            named = {tier for tier in tiers if tier in clause}
            applies = named or applies
            for tier in applies:
                granted[tier].update(TERM.findall(clause))
    return granted


@pytest.fixture(scope="module")
def granted() -> dict[str, set[str]]:
    policy = POLICY.read_text(encoding="utf-8")
    return policy_terms(policy, _tiers(policy))


def _conflicts(spec: PlaybookSpec, granted: dict[str, set[str]]) -> list[str]:
    problems = []
    for tier, offer in spec.offers.items():
        allowed = set().union(*granted.values()) if tier == DEFAULT_OFFER else granted.get(tier)
        if allowed is None:
            problems.append(f"{spec.id}: {tier} is not a tier of the membership policy")
            continue
        problems += [f"{spec.id}/{tier}: {t}" for t in TERM.findall(offer) if t not in allowed]
    return problems


def test_the_policy_names_three_tiers() -> None:
    assert _tiers(POLICY.read_text(encoding="utf-8")) == ["禾苗", "禾穗", "金禾"]


def test_bundled_playbook_offers_match_the_policy_tier_benefits(
    granted: dict[str, set[str]],
) -> None:
    books = load_playbooks(REPO / "knowledge" / "playbooks", GUARD.purpose_fields, GUARD)
    assert [p for spec in books.values() for p in _conflicts(spec, granted)] == []


def test_tier_benefit_playbooks_state_an_offer_for_every_tier() -> None:
    books = load_playbooks(REPO / "knowledge" / "playbooks", GUARD.purpose_fields, GUARD)
    for name in ("birthday", "member_day"):
        assert set(books[name].offers) == {"禾苗", "禾穗", "金禾", DEFAULT_OFFER}


@pytest.mark.parametrize(
    ("offers", "problem"),
    [
        ({"金禾": "生日当月满199减30券", DEFAULT_OFFER: "生日券"}, "birthday/金禾: 满199减30"),
        ({"禾苗": "生日当月8折券", DEFAULT_OFFER: "生日券"}, "birthday/禾苗: 8折"),
        ({"金卡": "试用装1份", DEFAULT_OFFER: "生日券"}, "金卡 is not a tier"),
        ({"禾穗": "每1元得3积分", DEFAULT_OFFER: "双倍积分"}, "birthday/禾穗: 3积分"),
    ],
)
def test_an_offer_the_policy_does_not_grant_that_tier_is_caught(
    granted: dict[str, set[str]], offers: dict[str, str], problem: str
) -> None:
    spec = PlaybookSpec.model_validate(
        {
            "id": "birthday",
            "name": "生日祝福",
            "drafting": "birthday",
            "purpose": "birthday_greeting",
            "segment": {},
            "offers": offers,
        }
    )
    assert any(problem in found for found in _conflicts(spec, granted))


def test_offer_for_picks_the_tier_and_falls_back_to_the_default() -> None:
    books = load_playbooks(REPO / "knowledge" / "playbooks", GUARD.purpose_fields, GUARD)
    birthday = books["birthday"]
    assert "8折券" in birthday.offer_for("金禾会员") and "满199减30" not in birthday.offer_for(
        "金禾"
    )
    assert "满199减30券" in birthday.offer_for(" 禾苗 ")
    assert birthday.offer_for("金卡会员") == birthday.offers[DEFAULT_OFFER]
    assert birthday.offer_for(None) == birthday.offers[DEFAULT_OFFER]
    assert books["post_purchase"].offer_for("金禾") == ""
