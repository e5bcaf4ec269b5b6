"""`siyu reply --thread FILE.jsonl` and `--turn role:text`: earlier turns from the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import Settings

runner = CliRunner()


def reply(*args: str) -> tuple[int, str]:
    """(exit code, standard output); errors and notices go to standard error."""
    result = runner.invoke(app, ["reply", *args])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.stderr


def test_thread_file_and_turns_make_a_follow_up(fake_settings: Settings, tmp_path: Path) -> None:
    thread = tmp_path / "thread.jsonl"
    lines = [{"role": "customer", "text": "你好 13812345678"}, {"role": "agent", "text": "您好~"}]
    thread.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    code, out = reply(
        "那L码呢?", "--thread", str(thread), "--turn", "customer:纸尿裤M码多少钱", "--json"
    )
    assert code == 0, out
    body = json.loads(out)
    assert "结合了之前 3 轮对话" in body["notes"]
    assert "按追问理解为:纸尿裤L码多少钱" in body["notes"]
    assert body["customer_message"] == "那L码呢?" and "13812345678" not in out


def test_only_the_configured_number_of_turns_is_used(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIYU_API_THREAD_TURNS", "1")
    from copilot.config import get_settings

    get_settings.cache_clear()
    turns = ["--turn", "customer:宝宝7公斤穿什么码", "--turn", "agent:M码哦"]
    code, out = reply("那多少钱?", *turns, "--json")
    assert code == 0, out
    notes = json.loads(out)["notes"]
    assert "结合了之前 1 轮对话" in notes and not any("追问" in n for n in notes)


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (None, ["--turn", "宝宝几公斤"], "应为 customer:文字 或 agent:文字"),
        (None, ["--turn", "bot:在的"], "对话中的一轮无效"),
        ('{"role": "customer", "text": "hi"}\nnot json\n', [], "thread.jsonl:2"),
        ('{"role": "customer", "text": ""}\n', [], "对话中的一轮无效"),
    ],
)
def test_bad_turns_are_clear_errors(
    fake_settings: Settings, tmp_path: Path, content: str | None, args: list[str], expected: str
) -> None:
    if content is not None:
        path = tmp_path / "thread.jsonl"
        path.write_text(content, encoding="utf-8")
        args = [*args, "--thread", str(path)]
    code, out = reply("那M码呢?", *args)
    assert code != 0 and expected in out and "Traceback" not in out


def test_the_endpoint_gets_the_turns_redacted_and_fenced(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copilot.config import get_settings
    from copilot.llm.stub import StubResponse, stub_server

    answer = '{"suggestions": [{"text": "您好,L码89元一包。", "citations": ["K1"]}]}'
    with stub_server(default=StubResponse(content=answer)) as server:
        monkeypatch.setenv("SIYU_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("SIYU_LLM_MODEL", "stub-model")
        get_settings.cache_clear()
        turns = ["--turn", "customer:我手机13812345678,纸尿裤M码多少钱", "--turn", "agent:89元一包"]
        code, out = reply("那L码呢?", *turns, "--json")
    assert code == 0, out
    (request,) = server.requests
    sent = json.dumps(request, ensure_ascii=False)
    assert '<turn role=\\"customer\\">我手机[手机号],纸尿裤M码多少钱</turn>' in sent
    assert '<turn role=\\"agent\\">89元一包</turn>' in sent
    assert "13812345678" not in sent and "13812345678" not in out
    assert json.loads(out)["prompt"]["version"] == "1.4.0"
