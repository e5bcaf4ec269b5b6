from __future__ import annotations

import pytest

from copilot.config import EmbeddingSettings, Settings
from copilot.drafting.prompts import PromptLibrary
from copilot.errors import BackendError
from copilot.evals.judge import NO_JUDGE, EvalTools, Judge
from copilot.evals.session import backend_for, judge_for
from copilot.llm import FakeBackend, TemplateBackend, TokenCounter
from copilot.messages import render
from copilot.retrieval.embedder import embedder_from_settings
from tests.conftest import REPO

VERDICT = {"passed": True, "score": 0.8, "reason": "引用了资料,语气礼貌"}


def tools(backend: FakeBackend | None, siyu_home) -> EvalTools:  # type: ignore[no-untyped-def]
    judge = Judge(backend, PromptLibrary(REPO / "prompts")) if backend else None
    fake = embedder_from_settings(EmbeddingSettings(provider="fake"))
    return EvalTools(TokenCounter("gpt-4o-mini", siyu_home / "cache"), lambda: fake, judge)


@pytest.mark.parametrize(
    ("rubric", "language_marker"), [("回复要礼貌", "严格、公正"), ("Be polite", "rubric")]
)
def test_judge_renders_the_judge_prompt_in_the_rubric_language(
    siyu_home, rubric: str, language_marker: str
) -> None:
    backend = FakeBackend(default=VERDICT, name="judge-model")
    outcome = tools(backend, siyu_home).judge(rubric, "message: 运费?", "您好,满99元包邮。")
    assert (outcome.passed, outcome.score, outcome.skipped) == (True, 0.8, False)
    assert outcome.details == {"rubric": rubric, "judge": "judge-model", "score": 0.8}
    (call,) = backend.calls
    assert (
        rubric in call.user
        and "满99元包邮" in call.user
        and language_marker in call.system + call.user
    )


def test_judge_failure_is_a_failed_assertion_with_the_reason(siyu_home) -> None:
    backend = FakeBackend([BackendError("connection refused")])
    outcome = tools(backend, siyu_home).judge("礼貌", "in", "out")
    assert (
        not outcome.passed
        and not outcome.skipped
        and "connection refused" in render(outcome.reason)
    )


def test_no_judge_is_skipped_with_a_notice(siyu_home) -> None:
    outcome = tools(None, siyu_home).judge("礼貌", "in", "out")
    assert outcome.skipped and outcome.reason == NO_JUDGE


def test_similarity_uses_the_embedder(siyu_home) -> None:
    t = tools(None, siyu_home)
    assert t.similarity("满99元包邮", "满99元包邮") == pytest.approx(1.0, abs=1e-5)
    assert t.similarity("满99元包邮", "会员日是每月18日") < 0.9
    assert t.count_tokens("hello world") == 2


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"llm": {"base_url": "http://127.0.0.1:9/v1", "model": "m"}}, "m"),
        ({"evals": {"judge_base_url": "http://127.0.0.1:9/v1", "judge_model": "judge"}}, "judge"),
    ],
)
def test_judge_backend_choice(siyu_home, env: dict, expected: str | None) -> None:
    judge = judge_for(Settings(**env))
    assert (judge.backend.name if judge else None) == expected


def test_backend_choice(siyu_home) -> None:
    assert isinstance(backend_for(Settings(), "auto", cache=True), TemplateBackend)
    configured = Settings(llm={"base_url": "http://127.0.0.1:9/v1", "model": "m"})
    assert backend_for(configured, "auto", cache=True).name == "m"
    assert isinstance(backend_for(configured, "template", cache=True), TemplateBackend)
