"""Consent rule edge cases found by mutation testing: fixes, short values, repeated values."""

from __future__ import annotations

from typing import Any

from copilot.guardrails import Verdict
from copilot.messages import render
from tests.unit.guardrails.conftest import run

TEXT = "您好王芳，王芳的生日礼已备好。回复TD退订"


def message(**fields: Any) -> Verdict:
    return run(TEXT, "consent", task="message", **fields)


def test_unknown_purpose_lists_the_known_ones() -> None:
    [finding] = message(purpose="sms_blast", consents=["sms_blast"]).findings
    assert render(finding.message, "en") == "unknown purpose 'sms_blast'"
    known = "birthday_greeting, location_use, marketing_personalisation, order_history_use"
    assert render(finding.fix, "en") == f"use one of: {known}"
    assert render(finding.fix, "zh") == f"使用以下用途之一: {known}"


def test_missing_consent_says_not_to_send() -> None:
    [finding] = message(purpose="birthday_greeting", consents=[]).findings
    assert render(finding.message, "en") == "the customer has not consented to birthday_greeting"
    assert render(finding.fix, "zh") == "不要发送;先取得客户明示同意"
    assert render(finding.fix, "en") == "do not send; obtain explicit consent first"


def test_one_character_values_are_not_looked_for() -> None:
    # 王 and 好 occur in the text, but a single character says nothing about the customer
    fields = {"surname": "王", "city": "好"}
    assert (
        message(purpose="birthday_greeting", consents=["birthday_greeting"], fields=fields).findings
        == []
    )


def test_unpermitted_value_is_pointed_at_its_first_occurrence() -> None:
    verdict = message(purpose="location_use", consents=["location_use"], fields={"name": "王芳"})
    [finding] = verdict.findings
    assert (finding.start, finding.end, finding.text) == (2, 4, "王芳")
    assert TEXT[finding.start : finding.end] == "王芳"
