from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import Settings, bundled_dir, get_settings
from copilot.llm.stub import StubResponse, stub_server

runner = CliRunner()


def run(*args: str) -> tuple[int, dict | str]:
    result = runner.invoke(app, list(args))
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout + result.stderr


def test_reply_json_is_cited_template_mode(fake_settings: Settings) -> None:
    code, out = run("reply", "你们的退货运费谁承担?", "--json")
    assert code == 0 and isinstance(out, dict), out
    assert out["task"] == "reply" and out["backend"] == "模板模式"
    assert out["prompt"]["id"] == "reply" and out["prompt"]["version"]
    assert out["verdict"]["verdict"] == "pass" and out["verdict"]["findings"] == []
    assert {"text", "citations", "confidence", "needs_human"} <= set(out["drafts"][0])


def test_reply_uses_the_configured_endpoint(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = '{"suggestions": [{"text": "您好,运费由小禾家承担。", "citations": ["K1"]}]}'
    with stub_server(default=StubResponse(content=answer)) as server:
        monkeypatch.setenv("SIYU_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("SIYU_LLM_MODEL", "stub-model")
        get_settings.cache_clear()
        code, out = run("reply", "退货运费谁承担?", "--json")
        assert len(server.requests) == 1
        again, cached = run("reply", "退货运费谁承担?", "--json")
        assert len(server.requests) == 1  # unchanged prompt, model and inputs: from the cache
        assert again == 0 and isinstance(cached, dict) and cached["usage"]["cached"]
    assert code == 0 and isinstance(out, dict), out
    assert out["backend"] == "stub-model"
    assert out["drafts"][0]["text"] == "您好,运费由小禾家承担。"


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["reply", ""], "客户消息为空", "the customer message is empty"),
        (["message", "--playbook", "wedding"], "未知剧本 'wedding'", "unknown playbook 'wedding'"),
        (
            ["message", "--playbook", "birthday", "--fields", "王芳"],
            "字段格式应为 name=值",
            "expected name=value",
        ),
        (["post", "--type", "tips", "--topic", "奶粉", "--at", "tomorrow"], "ISO", "ISO"),
    ],
)
def test_bad_input_is_a_clear_error(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch, args: list[str], zh: str, en: str
) -> None:
    for lang, message in (("zh", zh), ("en", en)):
        monkeypatch.setenv("SIYU_LANGUAGE", lang)
        code, out = run(*args)
        assert code != 0 and message in str(out), (lang, out)


def test_post_and_message_render(fake_settings: Settings) -> None:
    code, out = run("post", "--type", "tips", "--topic", "奶粉冲调", "--json")
    assert code == 0 and isinstance(out, dict) and out["task"] == "post"
    code, text = run(
        "message",
        "--playbook",
        "birthday",
        "--fields",
        "name=王芳",
        "--brief",
        "生日8折券",
        "--consent",
        "birthday_greeting",
    )
    assert code == 0 and "王芳" in str(text) and "模板模式" in str(text)


def test_prompts_dir_setting_overrides_bundled_prompts(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for path in bundled_dir("prompts").glob("reply.*.yaml"):
        text = path.read_text(encoding="utf-8").replace('version: "1.4.0"', 'version: "2.0.0-team"')
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("SIYU_PROMPTS_DIR", str(tmp_path))
    get_settings.cache_clear()
    code, out = run("reply", "退货运费谁承担?", "--json")
    assert code == 0 and isinstance(out, dict) and out["prompt"]["version"] == "2.0.0-team"
