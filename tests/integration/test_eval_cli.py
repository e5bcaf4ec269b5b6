"""`siyu eval` as a real process against a real OpenAI-compatible HTTP server.

The server is a scripted stand-in for a model that follows its prompt: it cites the first
evidence passage only while the system prompt tells it to list citations. Editing a copy of the
prompts (SIYU_PROMPTS_DIR) so it no longer asks for citations must make `siyu eval --baseline
last` exit 1 and name the regressed cases; an unchanged rerun must make no backend calls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copilot.llm.stub import StubResponse, StubServer
from tests.conftest import REPO

pytestmark = pytest.mark.integration

CITE_RULE = "citations(所用资料的 id 列表,如 K1)"
EVIDENCE_ID = re.compile(r'<evidence id="(K\d+)"')
SUITE = """\
suite: cited-replies
task: reply
cases:
  - {id: free-shipping, vars: {message: 满多少包邮？}, assert: [{type: cites-source}]}
  - {id: refund-time, vars: {message: 退款多久到账？}, assert: [{type: cites-source}]}
  - {id: member-day, vars: {message: 会员日是哪天？}, assert: [{type: cites-source}]}
  - {id: polite, vars: {message: 你好}, assert: [{type: contains, value: 您好}]}
"""


class PromptFollowingServer(StubServer):
    """Answers like a model that obeys the citation rule of its system prompt."""

    def next_response(self, request: dict[str, Any]) -> StubResponse:
        super().next_response(request)
        system, user = (m["content"] for m in request["messages"][:2])
        ids = EVIDENCE_ID.findall(user)
        cites = ids[:1] if CITE_RULE in system else []
        answer = {"suggestions": [{"text": "您好，已为您查到相关说明。", "citations": cites}]}
        return StubResponse(content=json.dumps(answer, ensure_ascii=False))


@pytest.fixture
def server() -> Iterator[PromptFollowingServer]:
    stub = PromptFollowingServer().start()
    yield stub
    stub.stop()


def siyu_eval(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "siyu"), "eval", *args],
        cwd=REPO,
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_broken_prompt_is_a_regression(
    tmp_path: Path, siyu_home: Path, server: PromptFollowingServer
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", prompts)
    suite = tmp_path / "cited.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    env = {
        "SIYU_HOME": str(siyu_home),
        "SIYU_PROMPTS_DIR": str(prompts),
        "SIYU_EMBEDDING_PROVIDER": "fake",
        "SIYU_LLM_BASE_URL": server.base_url,
        "SIYU_LLM_API_KEY": "test-key",
        "SIYU_LLM_MODEL": "stub-model",
        "SIYU_LLM_MAX_RETRIES": "0",
        "SIYU_LANGUAGE": "zh",
    }
    first = siyu_eval(env, str(suite), "-j", "4", "--report-dir", str(tmp_path / "r1"))
    assert first.returncode == 0, first.stdout + first.stderr
    calls = len(server.requests)
    assert calls == 4

    rerun = siyu_eval(env, str(suite), "--baseline", "last")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(server.requests) == calls, "an unchanged rerun must be served from the cache"
    assert "0 次后端调用,4 次缓存命中" in rerun.stdout

    reply = prompts / "reply.zh.yaml"
    text = reply.read_text(encoding="utf-8")
    assert CITE_RULE in text
    reply.write_text(text.replace(CITE_RULE, "给出答案"), encoding="utf-8")

    broken = siyu_eval(env, str(suite), "--baseline", "last", "--report-dir", str(tmp_path / "r2"))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert len(server.requests) == calls + 4, "a changed prompt must not be served from the cache"
    regressed = [
        line.strip()
        for line in broken.stdout.splitlines()
        if line.strip().startswith("- `cited-replies/")
    ]
    assert regressed == [
        "- `cited-replies/free-shipping` pass→fail cites-source 1.0→0.0 (没有引用)",
        "- `cited-replies/refund-time` pass→fail cites-source 1.0→0.0 (没有引用)",
        "- `cited-replies/member-day` pass→fail cites-source 1.0→0.0 (没有引用)",
    ]
    junit = (tmp_path / "r2" / "junit.xml").read_text(encoding="utf-8")
    assert junit.count("<failure") == 3
    html = (tmp_path / "r2" / "report.html").read_text(encoding="utf-8")
    assert "regressed" in html and "cited-replies/refund-time" in html
