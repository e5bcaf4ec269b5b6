from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from copilot.errors import BackendError, ConfigError
from copilot.evals import Runner, RunOptions, load_suite
from copilot.evals.checks import Outcome
from copilot.evals.runner import select
from copilot.llm import CachedBackend, FakeBackend, ResponseCache
from copilot.messages import language, render
from tests.unit.evals.conftest import FakeTools, make_draft, make_result, write

SUITE = """\
suite: r
task: reply
cases:
  - id: ok
    vars: {message: 退货运费谁承担？}
    assert: [{type: contains, value: 运费}, {type: cites-source}]
  - id: fails
    vars: {message: 退货运费谁承担？}
    assert: [{type: contains, value: 全额退款}]
  - id: weighted
    threshold: 0.6
    vars: {message: 退货运费谁承担？}
    assert:
      - {type: contains, value: 运费, weight: 3}
      - {type: contains, value: 全额退款, weight: 1}
  - id: judged-only
    vars: {message: 退货运费谁承担？}
    assert: [{type: llm-rubric, value: 礼貌}]
"""
REPLY = {"suggestions": [{"text": "质量问题的运费由小禾家承担。", "citations": ["K1"]}]}


class ScriptedDrafter:
    """Answers reply() per message: a result, an exception, or a wait on an event."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.days: list[Any] = []

    def on(self, day: Any) -> ScriptedDrafter:
        self.days.append(day)
        return self

    def reply(self, request: Any) -> Any:
        answer = self.answers[request.message]
        if isinstance(answer, threading.Event):
            answer.wait(5)
            return make_result(make_draft("late"))
        if isinstance(answer, Exception):
            raise answer
        return answer


def _suite(tmp_path: Path, text: str = SUITE):
    return load_suite(write(tmp_path, "s.yaml", text))


def test_statuses_scores_and_accounting(tmp_path: Path, drafter_on_fakes) -> None:
    backend = FakeBackend(default=REPLY, name="gpt-4o-mini")
    cases = _suite(tmp_path).cases
    seen: list[str] = []
    results = Runner(
        drafter_on_fakes(backend),
        FakeTools(),
        RunOptions(concurrency=3),
        lambda r: seen.append(r.case_id),
    ).run(cases)
    assert [(r.case_id, r.status) for r in results] == [
        ("ok", "pass"),
        ("fails", "fail"),
        ("weighted", "pass"),
        ("judged-only", "skipped"),
    ]
    assert sorted(seen) == sorted(r.case_id for r in results)
    assert results[2].score == 0.75
    ok = results[0]
    assert ok.citations == [["knowledge/faq.csv"]] and ok.prompt and ok.prompt.id == "reply"
    assert ok.input_tokens > 0 and ok.cost is not None and ok.cost > 0
    assert "全额退款" in render(results[1].failing[0].reason)


def test_judge_outcome_counts_when_configured(tmp_path: Path, drafter_on_fakes) -> None:
    cases = select([_suite(tmp_path)], "judged")
    tools = FakeTools(judge=Outcome(True, 0.9, "judge: fine"))
    (result,) = Runner(drafter_on_fakes(FakeBackend(default=REPLY)), tools, RunOptions()).run(cases)
    assert result.status == "pass" and result.assertions[0].reason == "judge: fine"


def test_crashing_case_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    text = SUITE.replace(
        "  - id: fails\n    vars: {message: 退货运费谁承担？}",
        "  - id: fails\n    vars: {message: boom}",
    )
    drafter = ScriptedDrafter(
        {
            "退货运费谁承担？": make_result(make_draft("运费", sources=("a",))),
            "boom": ZeroDivisionError("x"),
        }
    )
    results = Runner(drafter, FakeTools(), RunOptions()).run(_suite(tmp_path, text).cases)  # type: ignore[arg-type]
    assert [r.status for r in results] == ["pass", "error", "pass", "skipped"]
    assert results[1].error == "ZeroDivisionError: x"


def test_each_case_is_drafted_on_the_day_it_happens(tmp_path: Path) -> None:
    text = SUITE.replace("task: reply\n", "task: reply\ntoday: 2026-11-26\n").replace(
        "  - id: fails\n", "  - id: fails\n    today: 2026-12-05\n"
    )
    drafter = ScriptedDrafter({"退货运费谁承担？": make_result(make_draft("运费"))})
    Runner(drafter, FakeTools(), RunOptions(concurrency=1)).run(_suite(tmp_path, text).cases)  # type: ignore[arg-type]
    assert [str(day) for day in drafter.days] == [
        "2026-11-26",
        "2026-12-05",
        "2026-11-26",
        "2026-11-26",
    ]


def test_slow_case_times_out(tmp_path: Path) -> None:
    release = threading.Event()
    drafter = ScriptedDrafter({"退货运费谁承担？": release})
    cases = select([_suite(tmp_path)], "^r/ok")
    (result,) = Runner(drafter, FakeTools(), RunOptions(timeout_s=0.2)).run(cases)  # type: ignore[arg-type]
    release.set()
    assert result.status == "error" and render(result.error, "en") == "timed out after 0.2 s"
    assert render(result.error, "zh") == "超过 0.2 秒仍未完成"


def test_backend_dying_mid_run_keeps_completed_and_rerun_resumes_from_cache(
    tmp_path: Path, drafter_on_fakes
) -> None:
    suite = _suite(tmp_path)
    cases = [
        c.model_copy(update={"request": {"message": f"退货运费谁承担？ {i}"}})
        for i, c in enumerate(suite.cases[:3])
    ]
    cache = ResponseCache(tmp_path / "cache.sqlite")
    dying = FakeBackend(
        [REPLY, BackendError("connection refused", where="http://127.0.0.1:9")], name="m"
    )
    first = Runner(
        drafter_on_fakes(CachedBackend(dying, cache)), FakeTools(), RunOptions(concurrency=1)
    ).run(cases)
    assert [r.status for r in first] == ["pass", "error", "error"]
    assert "connection refused" in render(first[1].error)
    healthy = FakeBackend(default=REPLY, name="m")
    second = Runner(
        drafter_on_fakes(CachedBackend(healthy, cache)), FakeTools(), RunOptions(concurrency=1)
    ).run(cases)
    assert [r.cached for r in second] == [True, False, False]
    assert len(healthy.calls) == 2


def test_repeat_runs_each_case_n_times(tmp_path: Path, drafter_on_fakes) -> None:
    cases = select([_suite(tmp_path)], "^r/ok$")
    results = Runner(
        drafter_on_fakes(FakeBackend(default=REPLY)), FakeTools(), RunOptions(repeat=3)
    ).run(cases)
    assert [r.key for r in results] == ["r/ok", "r/ok#1", "r/ok#2"]


@pytest.mark.parametrize(
    ("pattern", "message"), [("(", "not a valid regex"), ("zzz", "matched no case")]
)
def test_bad_filters(tmp_path: Path, pattern: str, message: str) -> None:
    with language("en"), pytest.raises(ConfigError, match=message):
        select([_suite(tmp_path)], pattern)
