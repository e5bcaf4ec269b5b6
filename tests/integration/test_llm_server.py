"""The OpenAI-compatible backend against real servers: llama-cpp-python serving SmolLM2-135M
and Gemma 3 270M, both shipped as Python packages (the `llama` extra).

The models are tiny and write poor text; these tests check the protocol path (request, JSON
mode, streaming, cut-off answers, `siyu llm check`) and that whatever they write reaches a person
only as a parsed, checked draft or as the labelled template fallback — never as raw output.
Each model drafts one reply, one post and one message (a short smoke run keeps CI time small).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import Settings, get_settings
from copilot.drafting import Drafter, DraftResult, MessageRequest, PostRequest, ReplyRequest
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.guardrails.natural_language import machine_output
from copilot.llm.local_server import MODELS, serve
from copilot.llm.openai_backend import OpenAIBackend
from copilot.retrieval.fixed import FixedRetriever
from tests.integration.passages import FAQ

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=sorted(MODELS))
def llama(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(base URL, model alias) of a running llama.cpp server, one per packaged model."""
    pytest.importorskip("llama_cpp", reason="pip install -e '.[llama]'")
    name = str(request.param)
    folder = tmp_path_factory.mktemp(name)
    with serve(name, folder, n_ctx=2048, timeout_s=120) as url:
        yield url, MODELS[name].alias


def drafter(url: str, model: str, max_output_tokens: int = 200) -> Drafter:
    settings = Settings(llm={"base_url": url, "model": model, "context_tokens": 2048})
    backend = OpenAIBackend(
        base_url=url,
        model=model,
        timeout_s=240,
        temperature=0.0,
        max_output_tokens=max_output_tokens,
    )
    return Drafter.from_settings(settings, backend=backend, retriever=FixedRetriever([FAQ]))


def assert_shown_as_drafts_only(result: DraftResult, model: str) -> None:
    """Parsed drafts from the model, or the labelled fallback with the answer kept apart."""
    assert result.drafts
    for draft in result.drafts:
        assert machine_output(draft.text) is None, draft.text
        assert all(f.rule != "pipeline" for f in draft.verdict.findings)  # guardrails ran
    if result.backend == FALLBACK_LABEL:
        assert result.model_output is not None and result.model_output.model == model
    else:
        assert result.backend == model and result.model_output is None
    assert result.usage.input_tokens > 0


def test_smoke_reply_post_message(llama: tuple[str, str]) -> None:
    url, model = llama
    d = drafter(url, model)
    results = [
        d.reply(ReplyRequest(message="你们的退货运费谁承担?")),
        d.post(PostRequest(post_type="tips", topic="退换货须知", k=1)),
        d.message(
            MessageRequest(playbook="birthday", fields={"name": "王芳"}, brief="生日当月9折", k=1)
        ),
    ]
    for result in results:
        assert_shown_as_drafts_only(result, model)
    backend = d.engine.backend
    assert isinstance(backend, OpenAIBackend)
    # llama.cpp rejects response_format json_schema (HTTP 500): the backend stepped down to
    # JSON mode, whose schema the server turns into a grammar.
    assert backend.structured == "json_object"


def protocol_model(model: str) -> None:
    """Streaming and cut-off answers are protocol paths: one model covers them (CI time)."""
    if model != MODELS["smollm2"].alias:
        pytest.skip("covered with SmolLM2")


def test_streaming_passes_deltas_and_ends_in_a_checked_result(llama: tuple[str, str]) -> None:
    url, model = llama
    protocol_model(model)
    stream = drafter(url, model).stream_reply(ReplyRequest(message="退货运费谁出?"))
    deltas = list(stream)
    assert len(deltas) > 3
    assert_shown_as_drafts_only(stream.result(), model)


def test_cut_off_json_falls_back_to_labelled_template_drafts(llama: tuple[str, str]) -> None:
    url, model = llama
    protocol_model(model)
    result = drafter(url, model, max_output_tokens=4).reply(ReplyRequest(message="退货运费?"))
    assert result.backend == FALLBACK_LABEL
    assert result.model_output is not None and result.model_output.reason == "truncated"
    assert "小禾家" in result.drafts[0].text  # the template drafter answered from K1


def test_llm_check_probes_the_configured_endpoint(
    llama: tuple[str, str], fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, model = llama
    for name, value in {
        "SIYU_LLM_BASE_URL": url,
        "SIYU_LLM_MODEL": model,
        "SIYU_LLM_CONTEXT_TOKENS": "2048",
        "SIYU_LLM_MAX_OUTPUT_TOKENS": "200",
        "SIYU_LLM_TIMEOUT_S": "240",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["llm", "check", "--json", "--budget", "60"])
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["reachable"] and model in report["models"]
    assert report["elapsed_s"] <= 60
    statuses = {probe["name"]: probe["status"] for probe in report["probes"]}
    assert statuses["text"] == "ok" and statuses["json_object"] == "ok"
    assert statuses["json_schema"] == "fail"  # llama-cpp-python answers HTTP 500
    assert report["recommended"]["SIYU_LLM_STRUCTURED"] == "json_object"
    assert report["first_token_ms"] is not None
    assert next(p for p in report["probes"] if p["name"] == "grounded_reply")["status"] != "skipped"
