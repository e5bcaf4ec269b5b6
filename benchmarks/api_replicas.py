"""Server replicas benchmark: template-mode replies for 40 concurrent clients from one
`siyu serve` replica, then from two sharing one PostgreSQL and one Chroma server.

    python -m benchmarks.api_replicas --database-url postgresql+psycopg://… \\
        --chroma-url http://127.0.0.1:8000 [--clients 40] [--seconds 30] \\
        [--balance round-robin|least-outstanding]

PostgreSQL and `chroma run` are started beforehand, as in the README's "Scaling out" section
(the URLs also come from SIYU_DATABASE_URL / SIYU_CHROMA_URL). Two real `siyu serve` processes
(bundled embedder, demo knowledge base, each its own SIYU_HOME) run for both phases; the one
replica phase sends every request to the first. The clients are one process of their own
(`benchmarks.http_load`: asyncio streams, a keep-alive connection per client and replica, so the
load tool takes little of the CPU the replicas are measured on) that spreads requests over the
replicas as a load balancer would (`--balance`: each client in turn, or to the replica with the
fewest replies in flight), with no think time; it reports every
latency, so p95 is over all requests. Figures per phase: replies/s, p50/p95, errors, server CPU
(seconds and per reply), the client's CPU while it sends (seconds and per reply) and the load
average; then the ratio (target ≥ 1.6× replies/s with p95 not worse). Replicas only add
throughput while cores are free: on a busy machine compare the server CPU per reply, which shows
what sharing the stores costs each reply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import get_args

import httpx

from benchmarks.api_messages import MESSAGES
from benchmarks.http_load import Balance, Server, closed_loop, post_json
from copilot.llm.local_server import free_port, start_process, stop_process

WARM_UP_REPLIES = 16


@dataclass
class Phase:
    replicas: int
    replies: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    server_cpu_s: float
    stores_cpu_s: float | None
    client_cpu_s: float
    load: float

    def per_reply_ms(self, cpu_s: float) -> float:
        return 1000 * cpu_s / max(1, self.replies)

    def line(self) -> str:
        stores = (
            ""
            if self.stores_cpu_s is None
            else f"PostgreSQL + Chroma CPU {self.stores_cpu_s:.1f} s "
            f"({self.per_reply_ms(self.stores_cpu_s):.1f} ms a reply), "
        )
        return (
            f"{self.replicas} replica{'s' if self.replicas > 1 else ''}: {self.replies} replies, "
            f"{self.errors} errors, {self.rps:.1f} req/s, p50 {self.p50_ms:.0f} ms, "
            f"p95 {self.p95_ms:.0f} ms; server CPU {self.server_cpu_s:.1f} s "
            f"({self.per_reply_ms(self.server_cpu_s):.1f} ms a reply), {stores}"
            f"client CPU {self.client_cpu_s:.1f} s ({self.per_reply_ms(self.client_cpu_s):.2f} ms a "
            f"reply), load average {self.load:.1f}"
        )


# the client process


def _replied(status: int, body: bytes) -> bool:
    return status == 200 and bool(json.loads(body).get("draft_ids"))


def client_main(urls: list[str], clients: int, seconds: float, balance: Balance) -> None:
    """Each reply's request sent to the replica `balance` chooses, as a load balancer would;
    each distinct request's bytes built once for every replica."""
    servers = [Server.parse(url) for url in urls]
    requests = [
        {server: post_json(server, "/v1/replies", {"message": message}) for server in servers}
        for message in MESSAGES
    ]
    cpu = time.process_time()
    result = asyncio.run(closed_loop(requests, clients, seconds, _replied, balance))
    print(json.dumps({**asdict(result), "cpu_s": time.process_time() - cpu}))


# the servers


def _stat(pid: int | str) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _tree_cpu_seconds(pid: int) -> float:
    """CPU of `pid` and of its live children (PostgreSQL's backends, one per connection)."""
    total = _cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(entry.name)[1]) == pid:
                    total += _cpu_seconds(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
    return total


@contextmanager
def replica(home: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """One `siyu serve` on a free loopback port, ready (warm); yields its URL and pid."""
    port = free_port()
    home.mkdir(parents=True)
    siyu = str(Path(sys.executable).with_name("siyu"))
    process = start_process(
        [siyu, "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/healthz",
        home / "serve.log",
        timeout_s=600,
        env={**env, "SIYU_HOME": str(home)},
    )
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop_process(process)


def run_phase(
    urls: list[str],
    pids: list[int],
    stores: list[int],
    clients: int,
    seconds: float,
    balance: Balance,
) -> Phase:
    for n in range(WARM_UP_REPLIES):
        url = urls[n % len(urls)]
        httpx.post(f"{url}/v1/replies", json={"message": MESSAGES[n % len(MESSAGES)]}, timeout=60)
    cpu = sum(_cpu_seconds(pid) for pid in pids)
    stores_cpu = sum(_tree_cpu_seconds(pid) for pid in stores)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.api_replicas", "--client", *urls,
         "--clients", str(clients), "--seconds", str(seconds), "--balance", balance],
        check=True, capture_output=True, text=True, timeout=seconds + 300,
    )  # fmt: skip
    server_cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu
    stores_cpu = sum(_tree_cpu_seconds(pid) for pid in stores) - stores_cpu
    result = json.loads(out.stdout)
    latencies = sorted(result["latencies_ms"])
    quantiles = statistics.quantiles(latencies, n=20)
    return Phase(
        replicas=len(urls),
        replies=len(latencies) - result["errors"],
        errors=result["errors"],
        rps=(len(latencies) - result["errors"]) / result["elapsed_s"],
        p50_ms=statistics.median(latencies),
        p95_ms=quantiles[18],
        server_cpu_s=server_cpu,
        stores_cpu_s=stores_cpu if stores else None,
        client_cpu_s=result["cpu_s"],
        load=os.getloadavg()[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("SIYU_DATABASE_URL"))
    parser.add_argument("--chroma-url", default=os.environ.get("SIYU_CHROMA_URL"))
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--store-pids",
        type=int,
        nargs="*",
        default=[],
        help="pids of the Chroma server and the PostgreSQL postmaster on this machine (their CPU "
        "is reported too)",
    )
    parser.add_argument(
        "--balance",
        choices=get_args(Balance),
        default="round-robin",
        help="how the load balancer picks a replica: in turn per client, or the one with the "
        "fewest replies in flight (nginx least_conn, HAProxy leastconn)",
    )
    parser.add_argument("--client", nargs="+", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.clients, args.seconds, args.balance)
        return
    if not args.database_url or not args.chroma_url:
        raise SystemExit(
            "pass --database-url and --chroma-url (or set SIYU_DATABASE_URL and SIYU_CHROMA_URL): "
            "PostgreSQL and `chroma run` as in the README's Scaling out section"
        )
    env = {
        **os.environ,
        "SIYU_DATABASE_URL": args.database_url,
        "SIYU_CHROMA_URL": args.chroma_url,
        "SIYU_UI_DEMO_CUSTOMERS": "0",
        "SIYU_API_RATE_PER_MINUTE": "1000000",
        "SIYU_API_BURST": "1000000",
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
    }
    env.pop("SIYU_LLM_BASE_URL", None)  # template mode
    with tempfile.TemporaryDirectory(prefix="siyu-replicas-bench-") as tmp, ExitStack() as stack:
        started = [stack.enter_context(replica(Path(tmp) / name, env)) for name in ("a", "b")]
        urls, pids = [url for url, _ in started], [pid for _, pid in started]
        one = run_phase(
            urls[:1], pids[:1], args.store_pids, args.clients, args.seconds, args.balance
        )
        print(one.line(), flush=True)
        two = run_phase(urls, pids, args.store_pids, args.clients, args.seconds, args.balance)
        print(two.line(), flush=True)
    ratio = two.rps / one.rps
    print(
        f"two replicas vs one, {args.clients} concurrent clients: {ratio:.2f}× req/s "
        f"(target ≥ 1.6×: {'met' if ratio >= 1.6 else 'missed'}), p95 {two.p95_ms:.0f} ms vs "
        f"{one.p95_ms:.0f} ms ({'not worse' if two.p95_ms <= one.p95_ms else 'worse'}); "
        f"server CPU a reply {two.per_reply_ms(two.server_cpu_s):.1f} vs "
        f"{one.per_reply_ms(one.server_cpu_s):.1f} ms"
    )


if __name__ == "__main__":
    main()
