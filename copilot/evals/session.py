"""The eval run of every face: backend, judge, runner, the run record, the baseline comparison
and the reports, on the knowledge base and drafters an application (the Copilot) provides."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from copilot.config import PACKAGE_DIR, Settings
from copilot.drafting import Drafter
from copilot.drafting.prompts import PromptLibrary
from copilot.errors import ConfigError
from copilot.evals.compare import Comparison, compare
from copilot.evals.html_report import write_reports
from copilot.evals.judge import EvalTools, Judge
from copilot.evals.results import CaseResult, RunRecord
from copilot.evals.runner import Runner, RunOptions, select
from copilot.evals.store import RunStore
from copilot.evals.suite import Suite
from copilot.evals.warmup import PrimedEmbedder, case_queries
from copilot.llm import Backend, TemplateBackend, TokenCounter, backend_from_settings
from copilot.messages import Text, join, msg

if TYPE_CHECKING:
    from copilot.retrieval import Ingestor, IngestReport
    from copilot.retrieval.embedder import SiyuEmbedding

BackendChoice = Literal["auto", "template", "openai"]


class EvalHost(Protocol):
    """What an eval run takes from the application: its settings, the knowledge base's ingestor,
    the run store, and drafters on that knowledge base."""

    @property
    def settings(self) -> Settings: ...

    @property
    def ingestor(self) -> Ingestor: ...

    @property
    def eval_runs(self) -> RunStore: ...

    def drafter_for(
        self, backend: Backend, query_embedder: SiyuEmbedding | None = None
    ) -> Drafter: ...


class EvalRequest(BaseModel):
    """One eval run as a face asks for it; unset limits come from the settings."""

    model_config = ConfigDict(extra="forbid")

    suites: list[Suite]
    backend: BackendChoice = "auto"
    concurrency: int | None = None
    timeout_s: float | None = None
    repeat: int = 1
    filter: str | None = None
    cache: bool = True
    baseline: str | None = None
    save_baseline: bool = False
    report_dir: Path | None = None


class EvalOutcome(BaseModel):
    """A finished run: its record (stored at `saved`), the baseline diff, the written reports."""

    model_config = ConfigDict(extra="forbid")

    record: RunRecord
    comparison: Comparison | None
    saved: Path
    reports: list[Path]


def git_revision(folder: Path = PACKAGE_DIR.parent) -> str:
    """`git describe --always --dirty` of the checkout, or "unknown" outside one."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def backend_for(settings: Settings, choice: BackendChoice, cache: bool) -> Backend:
    """The drafting backend: template, the configured endpoint, or whichever is configured."""
    if choice == "template" or (choice == "auto" and not settings.llm.base_url):
        return TemplateBackend()
    if not settings.llm.base_url:
        raise ConfigError(
            msg("--backend openai 需要配置接口地址", "--backend openai needs an endpoint"),
            where="SIYU_LLM_BASE_URL",
            hint=msg(
                "设置 SIYU_LLM_BASE_URL(和 SIYU_LLM_API_KEY)",
                "set SIYU_LLM_BASE_URL (and SIYU_LLM_API_KEY)",
            ),
        )
    llm = settings.llm.model_copy(update={"cache": settings.llm.cache and cache})
    return backend_from_settings(settings.model_copy(update={"llm": llm}))


def judge_for(settings: Settings) -> Judge | None:
    """The llm-rubric judge: SIYU_EVALS_JUDGE_* if set, else the drafting endpoint, else none."""
    evals, llm = settings.evals, settings.llm
    if evals.judge_base_url:
        llm = llm.model_copy(
            update={
                "base_url": evals.judge_base_url,
                "model": evals.judge_model or llm.model,
                "api_key": evals.judge_api_key or llm.api_key,
                "temperature": 0.0,
            }
        )
    elif not llm.base_url:
        return None
    backend = backend_from_settings(settings.model_copy(update={"llm": llm}))
    return Judge(backend, PromptLibrary(settings.prompts_dir))


def prepare_knowledge(settings: Settings, ingestor: Ingestor, suites: list[Suite]) -> IngestReport:
    """Make sure the store holds every knowledge folder the suites use (unchanged files skip)."""
    folders = list(dict.fromkeys(s.knowledge or settings.knowledge_dir for s in suites))
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise ConfigError(
            msg("找不到知识库文件夹", "knowledge folder not found") + f": {', '.join(missing)}",
            where=", ".join(str(s.path) for s in suites if str(s.knowledge) in missing),
            hint=msg("knowledge: 路径相对于评测集文件", "knowledge: is relative to the suite file"),
        )
    return ingestor.ingest(folders)


def run_evals(
    host: EvalHost,
    request: EvalRequest,
    *,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> EvalOutcome:
    """Run the request's suites, store the run (and the baseline when asked), compare it with
    the baseline it names, and write the reports to its report folder."""
    settings, runs = host.settings, host.eval_runs
    options = RunOptions(
        concurrency=request.concurrency or settings.evals.concurrency,
        timeout_s=request.timeout_s or settings.evals.timeout_s,
        repeat=request.repeat,
        filter=request.filter,
    )
    reference = runs.resolve(request.baseline) if request.baseline else None
    # repeats exist to sample a model several times; cached answers would make them identical
    backend = backend_for(settings, request.backend, cache=request.cache and request.repeat == 1)
    record = run_suites(
        host, request.suites, options, backend=backend, on_start=on_start, on_result=on_result
    )
    saved = runs.save(record)
    comparison = compare(reference, record, settings.evals.tolerance) if reference else None
    if request.save_baseline:
        runs.save_baseline(record)
    reports = write_reports(request.report_dir, record, comparison) if request.report_dir else []
    return EvalOutcome(record=record, comparison=comparison, saved=saved, reports=reports)


def run_suites(
    host: EvalHost,
    suites: list[Suite],
    options: RunOptions,
    *,
    backend: Backend,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunRecord:
    """Run the selected cases of `suites` on the host's knowledge base and return the (not yet
    stored) run record."""
    settings = host.settings
    settings.ensure_home()
    clock = time.perf_counter()
    started = datetime.now(ZoneInfo(settings.timezone))
    cases = select(suites, options.filter)
    ingestor = host.ingestor
    notices: list[Text] = [
        join([p.source, p.message], ": ")
        for p in prepare_knowledge(settings, ingestor, suites).problems
    ]
    embedder = ingestor.store.embedder
    primed = PrimedEmbedder(embedder)
    drafter = host.drafter_for(backend, primed)
    primed.prime(case_queries(drafter, cases))
    counter = TokenCounter(settings.llm.model, settings.cache_dir)
    judge = judge_for(settings)
    tools = EvalTools(counter, lambda: embedder, judge)
    if judge is None and any(a.base == "llm-rubric" for c in cases for a in c.assertions):
        notices.append(
            msg(
                "llm-rubric: 未配置裁判模型,相关断言已跳过", "llm-rubric: no judge backend, skipped"
            )
        )
    setup = time.perf_counter() - clock
    if on_start:
        on_start(len(cases) * options.repeat)
    results = Runner(drafter, tools, options, on_result).run(cases)
    prompts = {
        f"{r.prompt.id}.{r.prompt.language}": f"{r.prompt.version}#{r.prompt.hash}"
        for r in results
        if r.prompt
    }
    return RunRecord(
        run_id=RunStore.new_id(started),
        started_at=started,
        seconds=round(time.perf_counter() - clock, 3),
        setup_seconds=round(setup, 3),
        git_rev=git_revision(),
        backend="template" if backend.is_template else str(settings.llm.base_url),
        model=backend.name,
        prompts=dict(sorted(prompts.items())),
        suites=[s.name for s in suites],
        options=options.model_dump(),
        notices=notices,
        cases=results,
    )
