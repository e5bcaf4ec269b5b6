from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from copilot.drafting.outputs import ReplyOutput
from copilot.errors import BackendError
from copilot.llm.backend import ChatPrompt
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.parsing import OutputParseError
from copilot.llm.stub import StubResponse, stub_server
from copilot.messages import render

GOOD = '{"suggestions": [{"text": "您好", "citations": ["K1"], "confidence": 0.9}]}'
PROMPT = ChatPrompt(prompt_id="reply", version="1", hash="h", system="系统", user="用户")


def backend(base_url: str, sleeps: list[float], **options: object) -> OpenAIBackend:
    return OpenAIBackend(
        base_url=base_url,
        model="stub-model",
        timeout_s=2.0,
        max_retries=2,
        sleep=sleeps.append,
        **options,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("script", "retries_slept"),
    [
        ([StubResponse(content=GOOD)], []),
        ([StubResponse(status=429), StubResponse(content=GOOD)], [0.5]),
        (
            [StubResponse(status=503), StubResponse(status=500), StubResponse(content=GOOD)],
            [0.5, 1.0],
        ),
        (
            [StubResponse(status=429, headers={"retry-after": "2"}), StubResponse(content=GOOD)],
            [2.0],
        ),
        ([StubResponse(content=f"好的:\n```json\n{GOOD}\n```")], []),
    ],
)
def test_generate_retries_and_parses(
    script: list[StubResponse], retries_slept: list[float]
) -> None:
    sleeps: list[float] = []
    with stub_server(script) as server:
        generation = backend(server.base_url, sleeps).generate(PROMPT, ReplyOutput)
        assert server.requests[0]["messages"][0] == {"role": "system", "content": "系统"}
        assert server.requests[0]["response_format"]["type"] == "json_schema"
        assert server.requests[0]["max_tokens"] == 800  # what llama.cpp and vLLM read
    assert generation.data["suggestions"][0]["citations"] == ["K1"]
    assert generation.usage.input_tokens == 12
    assert sleeps == retries_slept


@pytest.mark.parametrize(
    ("script", "error", "hint", "status", "attempts"),
    [
        ([StubResponse(status=500)] * 3, "HTTP 500 after 3 attempts", "retry later", 500, 3),
        ([StubResponse(status=429)] * 3, "HTTP 429 after 3 attempts", "rate-limited", 429, 3),
        ([StubResponse(status=401)], "API key", "SIYU_LLM_API_KEY", 401, 1),
        ([StubResponse(status=404)], "404", "SIYU_LLM_MODEL", 404, 1),
        (
            [StubResponse(delay_s=3.0, content=GOOD)],
            "no answer within 2s",
            "SIYU_LLM_TIMEOUT_S",
            None,
            1,
        ),
    ],
)
def test_errors_name_the_endpoint(
    script: list[StubResponse], error: str, hint: str, status: int | None, attempts: int
) -> None:
    with stub_server(script) as server, pytest.raises(BackendError) as caught:
        backend(server.base_url, []).generate(PROMPT, ReplyOutput)
    assert error in render(caught.value.message, "en")
    assert hint in render(caught.value.hint, "en")
    assert server.base_url in caught.value.where
    assert server.base_url in caught.value.endpoint and "stub-model" in caught.value.endpoint
    assert (caught.value.status, caught.value.attempts) == (status, attempts)


def test_a_503_names_status_endpoint_and_attempts_in_both_languages() -> None:
    with stub_server([StubResponse(status=503)] * 3) as server, pytest.raises(BackendError) as e:
        backend(server.base_url, []).generate(PROMPT, ReplyOutput)
    error = e.value
    assert error.to_dict("en") == {
        "code": "backend",
        "message": "endpoint answered HTTP 503 after 3 attempts: Error code: 503 - stub error",
        "hint": "retry later or lower concurrency; 429 means rate-limited",
        "where": f"{server.base_url} (model stub-model)",
        "endpoint": f"{server.base_url} (model stub-model)",
        "status": 503,
        "attempts": 3,
    }
    assert error.render("zh").startswith(f"{server.base_url} (model stub-model): 模型接口返回")
    assert "HTTP 503(共请求 3 次)" in error.render("zh")


def test_malformed_json_is_an_output_parse_error_with_raw_text() -> None:
    script = [StubResponse(content='{"suggestions": [ {"text": 这不是JSON')]
    with stub_server(script) as server, pytest.raises(OutputParseError) as caught:
        backend(server.base_url, []).generate(PROMPT, ReplyOutput)
    assert "这不是JSON" in caught.value.raw


@pytest.mark.parametrize(
    ("status", "body", "modes"),
    [
        (400, "response_format is not supported", ["json_schema", "json_object", None]),
        (
            500,
            "Input should be 'text' or 'json_object' (response_format.type)",
            ["json_schema", "json_object", None],
        ),
    ],
)
def test_server_without_json_schema_steps_down(status: int, body: str, modes: list) -> None:
    script = [
        StubResponse(status=status, content=body),
        StubResponse(status=status, content=body),
        StubResponse(content=GOOD),
    ]
    with stub_server(script) as server:
        llm = backend(server.base_url, [])
        assert llm.generate(PROMPT, ReplyOutput).data["suggestions"][0]["text"] == "您好"
        sent = [request.get("response_format", {}).get("type") for request in server.requests]
    assert sent == modes
    assert llm.structured == "text"


def test_unsupported_text_mode_is_a_clear_error() -> None:
    script = [StubResponse(status=400, content="tools are not supported")]
    with stub_server(script) as server, pytest.raises(BackendError, match="HTTP 400"):
        backend(server.base_url, [], structured="text").generate(PROMPT, ReplyOutput)


def test_tool_mode_reads_tool_call_arguments() -> None:
    with stub_server([StubResponse(content=GOOD)]) as server:
        backend(server.base_url, [], structured="tool").generate(PROMPT, ReplyOutput)
        assert server.requests[0]["tools"][0]["function"]["name"] == "ReplyOutput"


def test_connection_refused_is_fast_and_clear() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    with pytest.raises(BackendError) as caught:
        backend(f"http://127.0.0.1:{port}/v1", []).generate(PROMPT, ReplyOutput)
    assert render(caught.value.message, "en") == "cannot connect to the model endpoint"
    assert render(caught.value.message, "zh") == "无法连接模型接口"
    assert "SIYU_LLM_BASE_URL" in render(caught.value.hint, "en")
    assert (caught.value.status, caught.value.attempts) == (None, 1)
    assert time.perf_counter() - started < 2.0


def test_stream_passes_deltas_through() -> None:
    script = [StubResponse(chunks=["您", "好", "!"], delay_s=0.2, chunk_delay_s=0.2)]
    with stub_server(script) as server:
        deltas = list(backend(server.base_url, []).stream(PROMPT))
        assert server.requests[0]["stream"] is True
    assert deltas == ["您", "好", "!"]


def test_stream_errors_before_first_token_are_backend_errors() -> None:
    with stub_server([StubResponse(status=500)] * 3) as server, pytest.raises(BackendError):
        list(backend(server.base_url, []).stream(PROMPT))


def test_dead_endpoint_mid_stream_is_an_error_not_a_truncated_draft() -> None:
    script = [StubResponse(chunks=["您", "好", "!"], drop_after=2)]
    received: list[str] = []
    with stub_server(script) as server, pytest.raises(BackendError) as caught:
        received.extend(backend(server.base_url, []).stream(PROMPT))
    assert "broke after 2 characters" in render(caught.value.message, "en")
    assert "在输出 2 字后中断" in render(caught.value.message, "zh")


def test_models_without_a_system_role_get_the_instructions_in_the_user_message() -> None:
    with stub_server([StubResponse(content=GOOD)] * 2) as server:
        for model in ("gemma-3-270m", "stub-model"):
            OpenAIBackend(base_url=server.base_url, model=model).generate(PROMPT, ReplyOutput)
        gemma, other = (request["messages"] for request in server.requests)
    assert gemma == [{"role": "user", "content": "系统\n\n用户"}]
    assert [m["role"] for m in other] == ["system", "user"]


@pytest.mark.parametrize(
    ("model", "role", "limit", "temperature"),
    [
        ("stub-model", "system", "max_tokens", 0.3),
        ("o3-mini", "developer", "max_completion_tokens", 0.3),
        ("gpt-5-mini", "system", "max_completion_tokens", None),
        ("gpt-5-chat-latest", "system", "max_completion_tokens", 0.3),
    ],
)
def test_each_model_family_gets_its_token_limit_role_and_temperature(
    model: str, role: str, limit: str, temperature: float | None
) -> None:
    with stub_server([StubResponse(content=GOOD)]) as server:
        OpenAIBackend(base_url=server.base_url, model=model).generate(PROMPT, ReplyOutput)
        sent = server.requests[0]
    assert sent["model"] == model and sent["stream"] is False
    assert sent["messages"] == [
        {"role": role, "content": "系统"},
        {"role": "user", "content": "用户"},
    ]
    other = ({"max_tokens", "max_completion_tokens"} - {limit}).pop()
    assert sent[limit] == 800 and other not in sent
    assert sent.get("temperature") == temperature


def test_tool_mode_asks_for_that_tool_within_the_token_limit() -> None:
    with stub_server([StubResponse(content=GOOD)]) as server:
        backend(server.base_url, [], structured="tool").generate(PROMPT, ReplyOutput)
        sent = server.requests[0]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "ReplyOutput"}}
    assert sent["max_tokens"] == 800 and "response_format" not in sent


def test_an_answer_stopped_by_the_content_filter_is_a_backend_error() -> None:
    answer = StubResponse(content=GOOD, finish_reason="content_filter")
    with stub_server([answer]) as server, pytest.raises(BackendError) as caught:
        backend(server.base_url, []).generate(PROMPT, ReplyOutput)
    assert "content filter" in render(caught.value.message, "en")
    assert not isinstance(caught.value, OutputParseError)


@pytest.mark.parametrize("body", ['{"object": "chat.completion"}', '{"choices": []}', "[1]"])
def test_a_json_body_that_is_no_chat_completion_is_named_so(body: str) -> None:
    with stub_server([StubResponse(body=body)]) as server, pytest.raises(OutputParseError) as e:
        backend(server.base_url, []).generate(PROMPT, ReplyOutput)
    assert e.value.reason == "not_a_completion"
    assert "SIYU_LLM_BASE_URL" in render(e.value.hint, "en")


def test_the_stub_answers_several_requests_on_one_kept_alive_connection() -> None:
    with stub_server([StubResponse(content=GOOD)] * 3) as server:
        host, port = server.base_url.removeprefix("http://").split("/")[0].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        for _ in range(3):
            connection.request("POST", "/v1/chat/completions", body=b"{}")
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["choices"][0]["message"]["content"] == GOOD
        connection.close()
    assert len(server.requests) == 3
