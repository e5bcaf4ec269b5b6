"""HTTP API benchmark: the API's overhead over the in-process drafter, and template-mode replies
from concurrent clients driven by locust (a real load tool, in its own process).

    python -m benchmarks.api_load [--users 20] [--seconds 30] [--requests 200] [--workers 2]

A temporary SIYU_HOME gets the bundled demo knowledge base with the bundled embedder. Figures:
- overhead: p95 of sequential POST /v1/replies (the /v1 application served by uvicorn on
  127.0.0.1 in this process) minus p95 of the same replies drafted in-process (the same
  messages, warm caches);
- load: locust with N users and no think time for S seconds against `siyu api` with one
  process, then with --workers processes: requests/s, p50/p95/p99, errors, the server's CPU
  time per reply, and the ratio of the two throughputs.
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import uvicorn
from fastapi import FastAPI

from benchmarks.api_messages import MESSAGES
from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import Settings
from copilot.drafting import ReplyRequest

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass
class LoadResult:
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def prepared_copilot(home: Path, *, embedder: str | None = None) -> Copilot:
    """A Copilot on the demo knowledge base, warm (drafter and indexes loaded)."""
    overrides: dict[str, object] = {"api": {"rate_per_minute": 1_000_000, "burst": 1_000_000}}
    if embedder:
        overrides["embedding"] = {"provider": embedder}
    app = Copilot.from_settings(Settings(home=home, **overrides))  # type: ignore[arg-type]
    app.ensure_knowledge()
    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Copilot) -> Iterator[str]:
    """The /v1 API of `app` served by uvicorn on loopback; yields its base URL."""
    web = FastAPI()
    web.mount("/v1", build_api(app, require_keys=False))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def api_process(
    home: Path, workers: int, *, embedder: str | None = None
) -> Iterator[tuple[str, int]]:
    """`siyu api --workers N` on loopback over `home` (rate limits off), in its own process
    group; yields its base URL and process id once /healthz answers."""
    port = _free_port()
    env = {**os.environ, "SIYU_HOME": str(home), "SIYU_API_RATE_PER_MINUTE": "1000000",
           "SIYU_API_BURST": "1000000"}  # fmt: skip
    if embedder:
        env["SIYU_EMBEDDING_PROVIDER"] = embedder
    command = [sys.executable, "-c", "from copilot.cli import app; app()", "api",
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"siyu api exited: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("siyu api did not start")
            time.sleep(0.2)
        yield url, server.pid
    finally:
        server.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its living children."""
    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_load(host: str, users: int, seconds: int, workdir: Path) -> LoadResult:
    """Locust headless against `host`; the figures from its stats CSV."""
    prefix = workdir / "locust"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host,
         "--csv", str(prefix), "--loglevel", "WARNING"],
        check=False, capture_output=True, text=True, timeout=seconds + 120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    with (workdir / "locust_stats.csv").open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "/v1/replies")
    return LoadResult(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rps=float(row["Requests/s"]),
        p50_ms=float(row["50%"]),
        p95_ms=float(row["95%"]),
        p99_ms=float(row["99%"]),
    )


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def overhead(app: Copilot, host: str, n: int) -> tuple[float, float]:
    """(p95 in-process, p95 over HTTP) in ms for the same n replies, sequentially."""
    messages = [MESSAGES[i % len(MESSAGES)] for i in range(n)]
    local = []
    for message in messages:
        started = time.perf_counter()
        app.drafter.reply(ReplyRequest(message=message))
        local.append((time.perf_counter() - started) * 1000)
    remote = []
    with httpx.Client(base_url=host, timeout=30) as client:
        for message in messages:
            started = time.perf_counter()
            client.post("/v1/replies", json={"message": message}).raise_for_status()
            remote.append((time.perf_counter() - started) * 1000)
    return _p95(local), _p95(remote)


def load_figures(home: Path, workers: int, args: argparse.Namespace, workdir: Path) -> LoadResult:
    """Locust against `siyu api --workers N` over `home`; prints and returns the figures."""
    with api_process(home, workers) as (url, pid):
        cpu = tree_cpu(pid)
        result = run_load(url, args.users, args.seconds, workdir)
        per_reply = (tree_cpu(pid) - cpu) * 1000 / max(1, result.requests)
    print(
        f"siyu api, {workers} worker process{'es' if workers > 1 else ''}, {args.users} "
        f"concurrent clients, {args.seconds} s: {result.requests} replies, {result.failures} "
        f"errors, {result.rps:.1f} req/s, p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} "
        f"ms, p99 {result.p99_ms:.0f} ms (target p95 ≤ 300 ms, 0 errors); server CPU "
        f"{per_reply:.1f} ms per reply, load average {os.getloadavg()[0]:.1f}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200, help="for the overhead figure")
    parser.add_argument("--workers", type=int, default=2, help="worker processes to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="siyu-api-bench-") as tmp:
        home = Path(tmp) / "home"
        app = prepared_copilot(home)
        with serving(app) as host:
            cpu = time.process_time()
            local, remote = overhead(app, host, args.requests)
            per_reply = (time.process_time() - cpu) * 1000 / (2 * args.requests)
            print(f"reply p95 in-process {local:.1f} ms, over HTTP {remote:.1f} ms: "
                  f"API overhead {remote - local:.1f} ms (target ≤ 30 ms); CPU {per_reply:.1f} "
                  f"ms per reply (mean of both), load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        one = load_figures(home, 1, args, Path(tmp))
        many = load_figures(home, args.workers, args, Path(tmp))
        print(f"{args.workers} workers vs 1 process: {many.rps / one.rps:.2f}× req/s, p95 "
              f"{many.p95_ms:.0f} vs {one.p95_ms:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
