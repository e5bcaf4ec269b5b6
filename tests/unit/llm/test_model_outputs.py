"""Real-world model output shapes (tests/fixtures/model_outputs): every one is parsed into
drafts or cleanly replaced by the labelled template fallback; no draft shows machine output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.audit.log import AuditLog, DraftCreated
from copilot.config import Settings
from copilot.drafting import Drafter, DraftResult, ReplyRequest
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.guardrails.natural_language import machine_output
from copilot.llm.fake import FakeBackend
from copilot.messages import render
from copilot.store.engine import Database
from tests.unit.drafting.conftest import NOW, FakeRetriever

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "model_outputs"
# fixture → ("parsed", None) or ("fallback", reason code)
EXPECTED: dict[str, tuple[str, str | None]] = {
    "fenced_json": ("parsed", None),
    "think_then_json": ("parsed", None),
    "trailing_text": ("parsed", None),
    "single_quotes_trailing_comma": ("parsed", None),
    "unknown_citation": ("parsed", None),
    "wrong_language": ("parsed", None),
    "one_good_one_code": ("parsed", None),
    "think_inside_text": ("parsed", None),
    "truncated_at_limit": ("fallback", "truncated"),
    "schema_echo_gemma": ("fallback", "schema_echo"),
    "plain_prose": ("fallback", "not_json"),
    "unclosed_think": ("fallback", "empty"),
    "text_field_is_json": ("fallback", "not_natural_language"),
    "no_suggestions": ("fallback", "invalid_fields"),
}


def draft(raw: str) -> DraftResult:
    drafter = Drafter.from_settings(
        Settings(), backend=FakeBackend([raw]), retriever=FakeRetriever(), clock=lambda: NOW
    )
    return drafter.reply(ReplyRequest(message="退货运费谁承担?"))


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_output_is_parsed_or_cleanly_falls_back(name: str) -> None:
    raw = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    outcome, reason = EXPECTED[name]
    result = draft(raw)
    assert result.drafts
    for shown in result.drafts:
        assert machine_output(shown.text) is None, shown.text
        assert all(f.rule != "natural_language" for f in shown.verdict.findings)
    if outcome == "parsed":
        assert result.backend == "fake" and result.model_output is None
    else:
        assert result.backend == FALLBACK_LABEL
        assert result.model_output.reason == reason
        assert result.model_output.model == "fake"


def test_unknown_citations_are_dropped_with_a_note() -> None:
    result = draft((FIXTURES / "unknown_citation.txt").read_text(encoding="utf-8"))
    assert [c.id for c in result.drafts[0].citations] == ["K1"]
    notes = [render(n, "en") for n in result.notes]
    assert any("K7" in n and "K9" in n for n in notes)
    assert any("K7" in n and "K9" in n for n in [render(n, "zh") for n in result.notes])


def test_wrong_language_is_flagged_for_a_person() -> None:
    result = draft((FIXTURES / "wrong_language.txt").read_text(encoding="utf-8"))
    assert result.drafts[0].needs_human
    assert any("not in Chinese" in render(n, "en") for n in result.notes)
    assert any("的语言不是中文,需人工确认" in render(n, "zh") for n in result.notes)


def test_machine_output_suggestions_are_dropped_and_the_rest_kept() -> None:
    result = draft((FIXTURES / "one_good_one_code.txt").read_text(encoding="utf-8"))
    assert len(result.drafts) == 1 and "小禾家" in result.drafts[0].text
    assert any("not natural language: dropped" in render(n, "en") for n in result.notes)
    assert any("不是自然语言(Markdown 代码块),已丢弃" in render(n, "zh") for n in result.notes)


def test_rejected_output_is_kept_redacted_and_never_shown() -> None:
    raw = '{"$defs": {"Suggestion": {}}, "note": "客户手机 13812345678"}'
    result = draft(raw)
    kept = result.model_output
    assert kept is not None and kept.reason == "schema_echo"
    assert "13812345678" not in kept.raw and "$defs" in kept.raw
    assert all("$defs" not in d.text for d in result.drafts)
    assert any("template drafts" in render(n, "en") for n in result.notes)


def test_rejected_output_goes_to_the_audit_log_redacted(db: Database) -> None:
    result = draft('{"$defs": {}, "note": "客户手机 13812345678"}')
    log = AuditLog(db)
    log.record(
        DraftCreated(
            draft_id="reply-1",
            task="reply",
            backend=result.backend,
            verdict=result.verdict.verdict,
            text=result.drafts[0].text,
            model_output_reason=result.rejected_reason,
            model_output=result.rejected_raw,
        )
    )
    (stored,) = list(log.events())
    assert isinstance(stored.event, DraftCreated)
    assert stored.event.model_output_reason.startswith("schema_echo: ")
    assert "$defs" in stored.event.model_output and "13812345678" not in stored.event.model_output


@pytest.mark.parametrize(
    "text",
    [
        "退货运费谁承担?",
        "退货运费谁承担呀",  # nearly the customer's words
        "1-3 suggested replies to a customer message",  # the schema's description, 1–3
    ],
)
def test_a_reply_that_repeats_the_customer_or_the_schema_is_no_draft(text: str) -> None:
    result = draft(json.dumps({"suggestions": [{"text": text, "citations": ["K1"]}]}))
    assert result.backend == FALLBACK_LABEL
    assert result.model_output is not None and result.model_output.reason == "copied_prompt"


def test_a_reply_that_quotes_the_question_and_answers_it_is_kept() -> None:
    text = "退货运费谁承担?因质量问题产生的退换货,运费由小禾家承担哦~"
    result = draft(json.dumps({"suggestions": [{"text": text, "citations": ["K1"]}]}))
    assert result.backend == "fake" and result.drafts[0].text == text
