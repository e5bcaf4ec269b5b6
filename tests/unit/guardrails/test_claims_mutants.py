"""Claim extraction edge cases found by mutation testing: number forms, keys, overlaps, dates."""

from __future__ import annotations

import pytest

from copilot.guardrails.claims import extract_claims, to_number
from tests.unit.guardrails.conftest import rules_fired, run


def keys(text: str) -> set[tuple[object, ...]]:
    """The keys of the single claim in `text`."""
    claims = extract_claims(text)
    assert len(claims) == 1, claims
    return set(claims[0].keys)


def texts(text: str) -> list[tuple[str, str]]:
    return [(claim.kind, claim.text) for claim in extract_claims(text)]


@pytest.mark.parametrize(("token", "value"), [("一百", 100), ("三百", 300), ("两千", 2000)])
def test_round_chinese_numbers_end_on_their_unit(token: str, value: float) -> None:
    assert to_number(token) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85折", {("pct", 85.0)}),
        ("10折", {("pct", 100.0)}),  # no discount, not 1折
        ("9折", {("pct", 90.0)}),
        ("省15%", {("pct", 85.0), ("pct", 15.0)}),
        ("30% off", {("pct", 70.0), ("pct", 30.0)}),
        ("百分之二十", {("pct", 20.0)}),
        ("RMB 199", {("money", 199.0)}),
        ("立减30", {("money", 30.0)}),
        ("立减15%", {("pct", 85.0), ("pct", 15.0)}),  # a share off, not 15 yuan
        ("满299减50", {("full_reduce", 299.0, 50.0), ("money", 299.0), ("money", 50.0)}),
        ("1月1日", {("date", 1.0, 1.0)}),
        ("12月31日", {("date", 12.0, 31.0)}),
    ],
)
def test_claim_keys_for_each_way_of_writing(text: str, expected: set[tuple[object, ...]]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize("text", ["12月32日", "13月1日", "0月5日"])
def test_impossible_dates_are_no_claims(text: str) -> None:
    assert extract_claims(text) == []


def test_one_discount_does_not_ground_ten_zhe() -> None:
    verdict = run("全场10折。", "grounding", evidence=["全场1折起"])
    assert rules_fired(verdict, "grounding") == ["block"]


def test_full_reduce_in_the_evidence_grounds_each_of_its_amounts() -> None:
    verdict = run("订单满299元可立减50元。", "grounding", evidence=["满299减50"])
    assert rules_fired(verdict, "grounding") == []


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("3.5斤", [("qty", "3.5斤")]),  # the longer reading wins over the date 3.5
        ("30% off", [("off", "30% off")]),
        ("199元8折", [("money", "199元"), ("discount", "8折")]),  # adjacent claims both count
        ("满299减50，全场8折", [("full_reduce", "满299减50"), ("discount", "8折")]),
        ("12月32日前下单，全场8折", [("discount", "8折")]),  # after an impossible date
    ],
)
def test_overlapping_and_adjacent_claims(text: str, claims: list[tuple[str, str]]) -> None:
    assert texts(text) == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("一天搞定，真的", [("qty", "一天")]),  # at the start: nothing before it makes it idiom
        ("连用一周", [("qty", "一周")]),  # after a verb it is a duration
        ("这一罐", [("qty", "一罐")]),  # a count of cans, whatever comes before
    ],
)
def test_one_plus_unit_is_idiom_only_after_a_determiner(
    text: str, claims: list[tuple[str, str]]
) -> None:
    assert texts(text) == claims
