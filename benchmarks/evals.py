"""Eval runner benchmark: 1,000 cases in template mode, concurrency and cache against a server.

    python -m benchmarks.evals [--data FOLDER] [--cases 1000] [--jobs 2]
                               [--server-cases 48] [--delay 0.1]

Cases: every case of the shipped suites (evals/), topped up to --cases with real Chinese
customer-service utterances (DataCLUE CIC test_public) as reply cases with the CS suite's default
assertions — distinct queries, so no shortcut from repeated questions. Everything runs through
the app's `run_suites` in a temporary SIYU_HOME with the bundled knowledge base (ingested before timing).

Targets: 1,000 template-mode cases ≤ 60 s on 2 cores; against a loopback OpenAI-compatible server
that answers after 100 ms, `-j 8` ≥ 6× faster than `-j 1` (the peer is the same run at -j 1);
a cached rerun makes 0 calls to the server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.data_folder import data_dir

if TYPE_CHECKING:
    from copilot.evals import Suite

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads; steadier on 2 cores

REPO = Path(__file__).resolve().parent.parent
ANSWER = '{"suggestions": [{"text": "您好，已为您查到相关说明。", "citations": ["K1"]}]}'
DEFAULT_ASSERT = [
    {"type": "grounded"},
    {"type": "no-pii"},
    {"type": "verdict-is", "value": ["pass", "warn"]},
]


def utterances(data: Path, count: int) -> list[str]:
    path = data_dir(data, "dataclue_cic/test_public.json") / "dataclue_cic" / "test_public.json"
    seen: dict[str, None] = {}
    if count <= 0:
        return []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["sentence"].strip()
            if text:
                seen.setdefault(text, None)
            if len(seen) >= count:
                break
    return list(seen)


def build_suites(data: Path, total: int) -> list[Suite]:
    from copilot.evals import AssertionSpec, Case, Suite, load_suites

    suites = load_suites([REPO / "evals"])
    shipped = sum(len(s.cases) for s in suites)
    extra = utterances(data, max(0, total - shipped))
    specs = [AssertionSpec.model_validate(a) for a in DEFAULT_ASSERT]
    cic = [
        Case(
            suite="cic-replies",
            id=f"cic-{n:04d}",
            description="",
            task="reply",
            request={"message": text},
            assertions=specs,
            where=f"dataclue_cic/test_public.json#{n}",
        )
        for n, text in enumerate(extra)
    ]
    suites.append(Suite(name="cic-replies", path=data, task="reply", knowledge=None, cases=cic))
    return suites


def reply_suite(count: int) -> Suite:
    from copilot.evals import AssertionSpec, Case, Suite

    questions = ["满多少包邮？", "退款多久到账？", "会员日是哪天？", "积分会过期吗？"]
    cases = [
        Case(
            suite="server",
            id=f"s-{n:03d}",
            description="",
            task="reply",
            request={"message": f"{questions[n % len(questions)]} #{n}"},
            assertions=[AssertionSpec(type="cites-source")],
            where="benchmark",
        )
        for n in range(count)
    ]
    return Suite(name="server", path=REPO, task="reply", knowledge=None, cases=cases)


def template_run(home: Path, data: Path, total: int, jobs: int) -> None:
    from copilot.app import Copilot
    from copilot.config import Settings
    from copilot.evals import RunOptions, run_suites
    from copilot.llm import TemplateBackend
    from copilot.messages import render

    settings = Settings(home=home)
    suites = build_suites(data, total)
    started = time.perf_counter()
    first = Copilot.from_settings(settings)
    run_suites(first, [reply_suite(1)], RunOptions(), backend=TemplateBackend())
    print(
        f"first-run ingest of the demo knowledge base + 1 case: {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    app = Copilot.from_settings(settings)  # opens the store afresh, as a new process would
    record = run_suites(app, suites, RunOptions(concurrency=jobs), backend=TemplateBackend())
    seconds = time.perf_counter() - started
    s = record.summary()
    verdict = "met" if seconds <= 60 else f"MISSED by {seconds - 60:.1f} s"
    print(
        f"template mode: {s.total} cases, -j {jobs}: {seconds:.1f} s "
        f"({s.total / seconds:.0f} cases/s), {s.passed} passed, {s.failed} failed, "
        f"{s.errors} errors  target ≤ 60 s: {verdict}"
    )
    for case in record.cases:
        if case.status != "pass":
            reasons = "; ".join(render(a.reason) for a in case.failing) or render(case.error)
            print(f"  {case.status}: {case.key} ({case.where}) {reasons[:160]}")


def serve(delay: float, log: Path) -> None:
    """Child-process mode: a loopback server that answers after `delay` and logs each call."""
    from copilot.llm.stub import StubResponse, StubServer

    class LoggingServer(StubServer):
        def next_response(self, request: dict[str, Any]) -> StubResponse:
            with log.open("a", encoding="utf-8") as handle:
                handle.write("call\n")
            return super().next_response(request)

    server = LoggingServer(default=StubResponse(content=ANSWER, delay_s=delay)).start()
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


def server_calls(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def server_runs(home: Path, count: int, delay: float) -> None:
    """The server runs in its own process, as a real endpoint would, so its work does not
    compete with the runner for this interpreter's GIL."""
    from copilot.app import Copilot
    from copilot.config import LLMSettings, Settings
    from copilot.evals import RunOptions, backend_for, run_suites
    from copilot.llm import TemplateBackend

    log = home / "calls.log"
    home.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.evals", "--serve", str(log), "--delay", str(delay)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = (child.stdout.readline() if child.stdout else "").strip()
        llm = LLMSettings(base_url=base_url, api_key="bench", model="stub", max_retries=0)
        settings = Settings(home=home, llm=llm)
        suites = [reply_suite(count)]
        app = Copilot.from_settings(settings)  # one store: every run below shares the model
        run_suites(app, suites[:1], RunOptions(filter="s-000$"), backend=TemplateBackend())
        timings: dict[int, tuple[float, float]] = {}
        for jobs in (1, 8):
            backend = backend_for(settings, "openai", cache=False)
            started = time.perf_counter()
            record = run_suites(app, suites, RunOptions(concurrency=jobs), backend=backend)
            total = time.perf_counter() - started
            cases_phase = record.seconds - record.setup_seconds
            timings[jobs] = (total, cases_phase)
            print(
                f"server {delay * 1000:.0f} ms, {count} cases, -j {jobs}: {total:.2f} s whole run, "
                f"{cases_phase:.2f} s running cases (setup {record.setup_seconds:.2f} s: knowledge "
                f"check, query embeddings), {record.summary().errors} errors"
            )
        whole, runner = timings[1][0] / timings[8][0], timings[1][1] / timings[8][1]
        verdict = "met" if runner >= 6 else f"MISSED by {6 - runner:.1f}×"
        print(f"speed-up -j 8 vs -j 1 (peer), running cases: {runner:.1f}×  target ≥ 6×: {verdict}")
        print(f"speed-up -j 8 vs -j 1 (peer), whole run incl. setup: {whole:.1f}×")
        cached = backend_for(settings, "openai", cache=True)
        run_suites(app, suites, RunOptions(concurrency=8), backend=cached)
        before = server_calls(log)
        started = time.perf_counter()
        record = run_suites(app, suites, RunOptions(concurrency=8), backend=cached)
        calls = server_calls(log) - before
        print(
            f"cached rerun: {calls} server calls, {record.summary().cached}/{count} cached, "
            f"{time.perf_counter() - started:.2f} s  target 0 calls: {'met' if calls == 0 else 'MISSED'}"
        )
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--server-cases", type=int, default=96)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.delay, args.serve)
        return
    print(f"cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        template_run(Path(tmp) / "template", args.data, args.cases, args.jobs)
        server_runs(Path(tmp) / "server", args.server_cases, args.delay)


if __name__ == "__main__":
    main()
