"""The eval runner: cases in, case results out — concurrently, each under a timeout.

A case that raises is recorded as an error and the run goes on; a backend that dies mid-run
turns the remaining cases into errors while completed ones are kept (and cached, so a rerun
resumes where it stopped).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from copilot.drafting import Drafter, DraftResult
from copilot.errors import BackendError, ConfigError, CopilotError
from copilot.evals.assertions import evaluate
from copilot.evals.checks import Tools
from copilot.evals.results import CaseResult, CaseStatus
from copilot.evals.suite import REQUESTS, Case, Suite
from copilot.messages import msg


class RunOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concurrency: int = Field(4, ge=1, le=64)
    timeout_s: float = Field(60.0, gt=0)
    repeat: int = Field(1, ge=1, le=100)
    filter: str | None = Field(None, description="regex over 'suite/case-id description'")


def select(suites: list[Suite], pattern: str | None) -> list[Case]:
    """Every case of the suites, or those whose 'suite/id description' matches `pattern`."""
    cases = [case for suite in suites for case in suite.cases]
    if not pattern:
        return cases
    try:
        wanted = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(
            msg("--filter 不是有效的正则", "--filter is not a valid regex") + f": {exc}",
            where="--filter",
            hint=msg("例如 --filter 'cs-replies/ship'", "e.g. --filter 'cs-replies/ship'"),
        ) from exc
    chosen = [c for c in cases if wanted.search(f"{c.key} {c.description}".strip())]
    if not chosen:
        raise ConfigError(
            msg(f"--filter {pattern!r} 没有匹配任何用例", f"--filter {pattern!r} matched no case"),
            where="--filter",
            hint=msg("用例名形如 ", "cases are named like ")
            + (cases[0].key if cases else "suite/id"),
        )
    return chosen


def _input_text(request: dict[str, Any]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in request.items())


class Runner:
    """Runs cases through a drafter and grades them; `on_result` sees each as it finishes."""

    def __init__(
        self,
        drafter: Drafter,
        tools: Tools,
        options: RunOptions,
        on_result: Callable[[CaseResult], None] | None = None,
    ) -> None:
        self.drafter, self.tools, self.options = drafter, tools, options
        self.on_result = on_result

    def run(self, cases: list[Case]) -> list[CaseResult]:
        jobs = [(case, n) for case in cases for n in range(self.options.repeat)]
        results: dict[int, CaseResult] = {}
        with ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            futures = {
                pool.submit(self.run_case, case, n): index for index, (case, n) in enumerate(jobs)
            }
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                if self.on_result:
                    self.on_result(result)
        return [results[index] for index in range(len(jobs))]

    def run_case(self, case: Case, repeat: int = 0) -> CaseResult:
        base = CaseResult(
            suite=case.suite,
            case_id=case.id,
            description=case.description,
            task=case.task,
            where=case.where,
            repeat=repeat,
            status="error",
            input=case.request,
        )
        try:
            draft = self._draft_within_timeout(case)
        except CopilotError as exc:
            error = msg(exc.render("zh"), exc.render("en"))
            return base.model_copy(update={"error": error})
        except Exception as exc:  # a crashing case is recorded, the run goes on
            return base.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})
        return self.grade(case, draft, base)

    def _draft_within_timeout(self, case: Case) -> DraftResult:
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                request = REQUESTS[case.task].model_validate(case.request)
                box["result"] = getattr(self.drafter.on(case.today), case.task)(request)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=work, daemon=True, name=f"eval-{case.key}")
        worker.start()
        worker.join(self.options.timeout_s)
        if worker.is_alive():
            seconds = f"{self.options.timeout_s:g}"
            raise BackendError(
                msg(f"超过 {seconds} 秒仍未完成", f"timed out after {seconds} s"), code="timeout"
            )
        if "error" in box:
            raise box["error"]
        result: DraftResult = box["result"]
        return result

    def grade(self, case: Case, draft: DraftResult, base: CaseResult) -> CaseResult:
        """Apply the case's assertions to a draft result."""
        input_text = _input_text(case.request)
        outcomes = [evaluate(spec, draft, input_text, self.tools) for spec in case.assertions]
        counted = [a for a in outcomes if not a.skipped]
        weight = sum(a.weight for a in counted)
        score = sum(a.score * a.weight for a in counted) / weight if weight else 0.0
        status: CaseStatus
        if not counted:
            status = "skipped"
        elif case.threshold is not None:
            status = "pass" if score >= case.threshold else "fail"
        else:
            status = "pass" if all(a.passed for a in counted) else "fail"
        return base.model_copy(
            update={
                "status": status,
                "score": round(score, 4),
                "assertions": outcomes,
                "outputs": [d.text for d in draft.drafts],
                "verdicts": [d.verdict.verdict for d in draft.drafts],
                "citations": [[c.source for c in d.citations] for d in draft.drafts],
                "prompt": draft.prompt,
                "backend": draft.backend,
                "input_tokens": draft.usage.input_tokens,
                "output_tokens": draft.usage.output_tokens,
                "cached": draft.usage.cached,
                "cost": draft.cost,
                "latency_ms": draft.latency_ms,
            }
        )
