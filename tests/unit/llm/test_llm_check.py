"""`siyu llm check` against the loopback stub server: probes, latency, recommendations, and
clear messages for dead, slow and unconfigured endpoints."""

from __future__ import annotations

import json
import socket
import time

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import get_settings
from copilot.llm.stub import StubResponse, stub_server

REPLY = '{"suggestions": [{"text": "您好!单笔实付满99元就包邮哦~", "citations": ["K1"]}]}'


def run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("SIYU_LLM_BASE_URL", url)
    monkeypatch.setenv("SIYU_LLM_MODEL", "stub")
    monkeypatch.setenv("SIYU_LLM_TIMEOUT_S", "5")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["llm", "check", *args])
    return result.exit_code, result.stdout


def test_check_reports_what_works_and_recommends_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = [
        StubResponse(content="蓝色"),
        StubResponse(chunks=["蓝", "色"], delay_s=0.1),
        StubResponse(content='{"answer": "蓝色"}'),
        StubResponse(content='```json\n{"answer": "蓝色"}\n```'),
        StubResponse(content=REPLY),
        StubResponse(content="蓝色"),  # no tool call
    ]
    with stub_server(script) as server:
        code, out = run(monkeypatch, server.base_url, "--json")
        sent = [r.get("response_format", {}).get("type") for r in server.requests]
    assert code == 0, out
    report = json.loads(out)
    statuses = {p["name"]: p["status"] for p in report["probes"]}
    assert statuses == {
        "models": "ok",
        "text": "ok",
        "stream": "ok",
        "json_schema": "ok",
        "json_object": "fail",  # fenced: not plain JSON
        "grounded_reply": "ok",
        "tools": "fail",
    }
    assert sent[:5] == [None, None, "json_schema", "json_object", "json_schema"]
    assert report["models"] == ["stub"] and report["first_token_ms"] >= 100
    assert report["recommended"]["SIYU_LLM_STRUCTURED"] == "json_schema"
    assert int(report["recommended"]["SIYU_LLM_TIMEOUT_S"]) >= 10
    assert report["problems"] == []


def test_check_prints_a_table_and_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_LANGUAGE", "en")
    with stub_server(default=StubResponse(content="蓝色")) as server:
        code, out = run(monkeypatch, server.base_url)
    assert code == 0
    assert "grounded_reply" in out and "SIYU_LLM_STRUCTURED=text" in out
    assert "did not pass" in out  # plain text is no cited reply


@pytest.mark.parametrize(
    ("lang", "problem"), [("zh", "无法连接模型接口"), ("en", "cannot connect")]
)
def test_dead_endpoint_is_a_clear_failure(
    monkeypatch: pytest.MonkeyPatch, lang: str, problem: str
) -> None:
    monkeypatch.setenv("SIYU_LANGUAGE", lang)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out = run(monkeypatch, f"http://127.0.0.1:{port}/v1", "--json")
    assert code == 1
    report = json.loads(out)
    assert not report["reachable"]
    assert problem in report["problems"][0]


def test_slow_endpoint_stays_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    with stub_server(default=StubResponse(content="蓝色", delay_s=2.0)) as server:
        started = time.monotonic()
        code, out = run(monkeypatch, server.base_url, "--json", "--budget", "4")
        elapsed = time.monotonic() - started
    report = json.loads(out)
    assert code == 0 and elapsed < 8
    assert "skipped" in {p["status"] for p in report["probes"]}


def test_unconfigured_endpoint_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["llm", "check"])
    assert result.exit_code != 0
    assert "SIYU_LLM_BASE_URL" in result.stdout + result.stderr
