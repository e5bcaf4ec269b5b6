"""Endpoints that misbehave (stub server on loopback): every case ends in labelled template
drafts plus a message naming the endpoint and the setting to check, never an exception that
loses the draft, never the raw answer as a draft."""

from __future__ import annotations

import pytest

from copilot.config import Settings
from copilot.drafting import Drafter, ReplyRequest
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.stub import StubResponse, stub_server
from copilot.messages import render
from tests.unit.drafting.conftest import NOW, FakeRetriever

HTML = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
BAD_UTF8 = (
    b'{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"\xff\xfe\xc3("},"finish_reason":"stop"}]}'
)
GOOD = '{"suggestions": [{"text": "您好!质量问题的退换货运费由小禾家承担。", "citations": ["K1"]}]}'


def drafter(url: str, timeout_s: float = 2.0) -> Drafter:
    backend = OpenAIBackend(base_url=url, model="stub", timeout_s=timeout_s, max_retries=0)
    return Drafter.from_settings(
        Settings(), backend=backend, retriever=FakeRetriever(), clock=lambda: NOW
    )


@pytest.mark.parametrize(
    ("answer", "reason", "setting"),
    [
        (StubResponse(content=""), "empty", "SIYU_LLM_STRUCTURED"),
        (StubResponse(content="  \n\t "), "empty", "SIYU_LLM_STRUCTURED"),
        (StubResponse(content="好" * 100_000), "too_long", "SIYU_LLM_STRUCTURED"),
        (StubResponse(body_bytes=BAD_UTF8), "not_a_completion", "SIYU_LLM_BASE_URL"),
        (
            StubResponse(body=HTML, content_type="text/html"),
            "not_a_completion",
            "SIYU_LLM_BASE_URL",
        ),
        (StubResponse(body=HTML), "not_a_completion", "SIYU_LLM_BASE_URL"),
        (StubResponse(content=GOOD, delay_s=3.0), "timeout", "SIYU_LLM_TIMEOUT_S"),
    ],
)
def test_bad_answers_give_labelled_fallback_naming_endpoint_and_setting(
    answer: StubResponse, reason: str, setting: str
) -> None:
    with stub_server([answer]) as server:
        result = drafter(server.base_url).reply(ReplyRequest(message="退货运费谁承担?"))
    assert result.backend == FALLBACK_LABEL
    assert result.model_output is not None and result.model_output.reason == reason
    for lang in ("zh", "en"):
        message = render(result.model_output.message, lang)  # type: ignore[arg-type]
        assert server.base_url in message and setting in message
    assert result.drafts and "小禾家" in result.drafts[0].text  # the template drafter's reply
    assert any(setting in render(note, "en") for note in result.notes)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (StubResponse(chunks=['{"sugg', "estions"], chunk_delay_s=3.0), "timeout"),
        (StubResponse(chunks=['{"sugg', "estions", '": ['], drop_after=2), "stream_broken"),
    ],
)
def test_a_stream_that_hangs_or_dies_ends_in_the_fallback(
    answer: StubResponse, reason: str
) -> None:
    with stub_server([answer]) as server:
        stream = drafter(server.base_url).stream_reply(ReplyRequest(message="退货运费谁承担?"))
        shown = "".join(stream)
        result = stream.result()
    assert shown == '{"sugg' if reason == "timeout" else shown == '{"suggestions'
    assert result.backend == FALLBACK_LABEL
    assert result.model_output is not None and result.model_output.reason == reason
    assert result.model_output.raw.startswith('{"sugg')


def test_streamed_reasoning_is_not_shown_and_the_answer_is_parsed() -> None:
    chunks = ["<thi", "nk>客户问运费", "……</th", "ink>", GOOD[:20], GOOD[20:]]
    with stub_server([StubResponse(chunks=chunks)]) as server:
        stream = drafter(server.base_url).stream_reply(ReplyRequest(message="退货运费谁承担?"))
        shown = "".join(stream)
        result = stream.result()
        assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert shown == GOOD
    assert result.backend == "stub" and result.drafts[0].citations[0].id == "K1"


def test_cut_off_answer_is_retried_once_with_twice_the_room() -> None:
    script = [StubResponse(content=GOOD[:30], finish_reason="length"), StubResponse(content=GOOD)]
    with stub_server(script) as server:
        result = drafter(server.base_url).reply(ReplyRequest(message="退货运费谁承担?"))
        limits = [request["max_tokens"] for request in server.requests]
    assert limits == [800, 1600]
    assert result.backend == "stub" and result.model_output is None


def test_cut_off_twice_falls_back() -> None:
    script = [StubResponse(content=GOOD[:30], finish_reason="length")] * 2
    with stub_server(script) as server:
        result = drafter(server.base_url).reply(ReplyRequest(message="退货运费谁承担?"))
    assert result.model_output is not None and result.model_output.reason == "truncated"
    assert "SIYU_LLM_MAX_OUTPUT_TOKENS" in render(result.model_output.message, "en")


def test_reasoning_tokens_stay_out_of_output_tokens() -> None:
    answer = StubResponse(content=f"<think>想一想</think>{GOOD}", reasoning_tokens=40)
    with stub_server([answer]) as server:
        result = drafter(server.base_url).reply(ReplyRequest(message="退货运费谁承担?"))
    assert (result.usage.output_tokens, result.usage.reasoning_tokens) == (8, 40)
    assert "想一想" not in result.drafts[0].text
