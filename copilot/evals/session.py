"""Wires an eval run from settings: knowledge base, backend, judge, runner, and the run record."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from copilot.config import PACKAGE_DIR, Settings
from copilot.drafting import Drafter
from copilot.drafting.prompts import PromptLibrary
from copilot.errors import ConfigError
from copilot.evals.judge import EvalTools, Judge
from copilot.evals.results import CaseResult, RunRecord
from copilot.evals.runner import Runner, RunOptions, select
from copilot.evals.store import RunStore
from copilot.evals.suite import Suite
from copilot.evals.warmup import PrimedEmbedder, case_queries
from copilot.llm import Backend, TemplateBackend, TokenCounter, backend_from_settings
from copilot.retrieval import Ingestor, IngestReport, Retriever
from copilot.retrieval.store import VectorStore, open_store

BackendChoice = Literal["auto", "template", "openai"]


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
            "--backend openai 需要配置接口地址 / --backend openai needs an endpoint",
            where="SIYU_LLM_BASE_URL",
            hint="设置 SIYU_LLM_BASE_URL(和 SIYU_LLM_API_KEY)/ set SIYU_LLM_BASE_URL",
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


def prepare_knowledge(settings: Settings, store: VectorStore, suites: list[Suite]) -> IngestReport:
    """Make sure the store holds every knowledge folder the suites use (unchanged files skip)."""
    folders = list(dict.fromkeys(s.knowledge or settings.knowledge_dir for s in suites))
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise ConfigError(
            f"找不到知识库文件夹 / knowledge folder not found: {', '.join(missing)}",
            where=", ".join(str(s.path) for s in suites if str(s.knowledge) in missing),
            hint="knowledge: 路径相对于评测集文件 / knowledge: is relative to the suite file",
        )
    ingestor = Ingestor(store, settings.retrieval, batch_size=settings.embedding.batch_size)
    return ingestor.ingest(folders)


def run_suites(
    settings: Settings,
    suites: list[Suite],
    options: RunOptions,
    *,
    backend: Backend,
    store: VectorStore | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> RunRecord:
    """Run the selected cases of `suites` and return the (not yet stored) run record.

    `store` lets a caller that runs several times reuse one opened store (and its loaded
    embedding model); by default the store the settings name is opened.
    """
    settings.ensure_home()
    clock = time.perf_counter()
    started = datetime.now(ZoneInfo(settings.timezone))
    cases = select(suites, options.filter)
    store = store or open_store(settings)
    notices = [
        f"{p.source}: {p.message}" for p in prepare_knowledge(settings, store, suites).problems
    ]
    primed = PrimedEmbedder(store.embedder)
    query_store = VectorStore(store.client, store.name, primed)
    retriever = Retriever(query_store, settings.retrieval, settings.cache_dir / "keyword")
    drafter = Drafter.from_settings(settings, backend=backend, retriever=retriever)
    primed.prime(case_queries(drafter, cases))
    counter = TokenCounter(settings.llm.model, settings.cache_dir)
    judge = judge_for(settings)
    tools = EvalTools(counter, lambda: store.embedder, judge)
    if judge is None and any(a.base == "llm-rubric" for c in cases for a in c.assertions):
        notices.append("llm-rubric: 未配置裁判模型,相关断言已跳过 / no judge backend, skipped")
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
