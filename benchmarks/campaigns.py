"""Customer and campaign benchmarks: import, RFM, campaign throughput, SIGKILL + resume.

    python -m benchmarks.campaigns [--customers 100000] [--orders 1000000] [--campaign 10000]

Targets: import 100k customers + 1M orders ≤ 60 s and ≤ 2 GB peak RSS; RFM ≤ 5 s; a 10k
campaign in 模板模式 ≥ 150 drafts/s; against a loopback OpenAI-compatible server with 200 ms
latency and concurrency 16 ≥ 50 drafts/s (ratio against concurrency 1 printed); a killed
campaign resumes with 0 duplicates and 0 missing. Data is generated (fixed seed) in a temp dir.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from copilot.audit.log import AuditLog
from copilot.campaigns.campaign import Campaigns
from copilot.campaigns.playbooks import PlaybookSpec, SegmentRule
from copilot.campaigns.searcher import MemoSearcher
from copilot.config import Settings
from copilot.customers.catalog import load_catalog
from copilot.customers.consent import ConsentRegistry
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.customers.rfm import Segmenter
from copilot.drafting import Drafter
from copilot.retrieval import Retriever
from copilot.store.engine import Database

REPO = Path(__file__).resolve().parent.parent
CATALOG = load_catalog(REPO / "knowledge" / "products.csv")
ANSWER = {"suggestions": [{"text": "好久不见！每月18日会员日，会员下单享双倍积分，有空来逛逛。回复TD退订",
                           "citations": [], "confidence": 0.8, "needs_human": False}]}  # fmt: skip
EVERYONE = PlaybookSpec(
    id="bench", name="基准", drafting="member_day", purpose="marketing_personalisation",
    segment=SegmentRule(), offers={"default": "每月18日会员日当天付款享双倍积分"},
    guardrails={"customer_marketing_cap": 100},  # the benchmark reruns over the same customers
)  # fmt: skip


def generate(folder: Path, customers: int, orders: int) -> list[Path]:
    DemoGenerator(list(CATALOG.values()), seed=7).write(folder, customers=customers, orders=orders)
    return [folder / f"{n}.csv" for n in ("customers", "orders", "consents")]


def child_import(db_url: str, files: list[str]) -> None:
    """Runs in a child process so its peak RSS is its own."""
    started, cpu = time.perf_counter(), time.process_time()
    report = Importer(Database(db_url), purposes=Settings().guardrails.purpose_fields).run(
        [Path(f) for f in files], dry_run=False, errors_path=Path(files[0]).with_name("errors.csv")
    )
    rows = {f.kind: f.new + f.existing for f in report.files}
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows}))


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
    """(stdout, peak RSS in MB) of a child process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0, out
    return out, usage.ru_maxrss / 1024


def bench_import(work: Path, customers: int, orders: int) -> str:
    files = generate(work / "big", customers, orders)
    url = f"sqlite:///{work / 'big.db'}"
    out, rss = measured([sys.executable, __file__, "--child-import", url, *map(str, files)])
    result = json.loads(out.strip().splitlines()[-1])
    print(f"import {result['rows']}: {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU "
          f"(target ≤ 60 s), "
          f"peak RSS {rss:.0f} MB (target ≤ 2048 MB)")  # fmt: skip
    return url


def bench_rfm(url: str) -> None:
    db = Database(url)
    started, cpu = time.perf_counter(), time.process_time()
    with db.begin() as conn:
        report = Segmenter(Settings().customers, CATALOG).run(conn, date.today())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"RFM over {len(report.scores):,} customers: {seconds:.2f} s wall, {cpu:.2f} s CPU "
          f"(target ≤ 5 s) {report.counts}")  # fmt: skip


class SlowOpenAI(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that answers after 200 ms."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.2)
        body = json.dumps({
            "id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": json.dumps(ANSWER, ensure_ascii=False)}}],
            "usage": {"prompt_tokens": 300, "completion_tokens": 60, "total_tokens": 360},
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def campaigns_for(url: str, settings: Settings) -> Campaigns:
    db = Database(url)
    audit = AuditLog(db)
    registry = ConsentRegistry(db, audit, settings.guardrails.purpose_fields)
    drafter = Drafter.from_settings(
        settings, retriever=MemoSearcher(Retriever.from_settings(settings))
    )
    return Campaigns(db, audit, registry, drafter, CATALOG, settings.customers, settings.guardrails)


def timed_run(campaigns: Campaigns, campaign_id: str, concurrency: int) -> tuple[float, int, dict]:
    started = time.perf_counter()
    summary = campaigns.run(EVERYONE, campaign_id, concurrency=concurrency)
    return time.perf_counter() - started, sum(summary.counts.values()), summary.counts


def bench_template(url: str) -> None:
    c = campaigns_for(url, Settings())
    c.audience(EVERYONE, "warm")  # load embedder and caches outside the timing
    seconds, n, counts = timed_run(c, "template", 8)
    print(f"campaign 模板模式 {n:,} drafts: {n / seconds:.0f} drafts/s (target ≥ 150) {counts}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the benchmark server on port {port} did not start")


def serve_openai(port: int) -> None:
    """Runs in its own process so the server does not share the campaign's interpreter lock."""
    ThreadingHTTPServer(("127.0.0.1", port), SlowOpenAI).serve_forever()


def bench_llm(work: Path, size: int) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve-openai", str(port)])
    wait_for_port(port)
    base = f"http://127.0.0.1:{port}/v1"
    rates = {}
    try:
        for concurrency, customers in ((1, 60), (16, size)):
            files = generate(work / f"llm{concurrency}", int(customers * 1.2), customers * 5)
            url = f"sqlite:///{work / f'llm{concurrency}.db'}"
            Importer(Database(url), purposes=Settings().guardrails.purpose_fields).run(
                files, dry_run=False, errors_path=work / "e.csv"
            )
            settings = Settings(
                llm={"base_url": base, "api_key": "bench", "cache": False, "max_retries": 0,
                     "structured": "json_object"},
            )  # fmt: skip
            seconds, n, counts = timed_run(campaigns_for(url, settings), "llm", concurrency)
            rates[concurrency] = n / seconds
            print(f"campaign LLM 200 ms, concurrency {concurrency}: {n} drafts, "
                  f"{rates[concurrency]:.1f} drafts/s {counts}")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    print(f"  concurrency 16 vs 1: {rates[16] / rates[1]:.1f}× (target ≥ 50 drafts/s)")


def bench_kill(url: str, home: Path) -> None:
    """SIGKILL a template campaign over the same store at a random point, then resume."""
    db_path = Path(url.removeprefix("sqlite:///"))
    books = home / "knowledge" / "playbooks"
    books.mkdir(parents=True, exist_ok=True)
    (books / "bench.yaml").write_text(json.dumps(EVERYONE.model_dump(), ensure_ascii=False))
    (home / "knowledge" / "products.csv").write_bytes(
        (REPO / "knowledge/products.csv").read_bytes()
    )
    env = {**os.environ, "SIYU_DATABASE_URL": url, "SIYU_HOME": str(home),
           "SIYU_KNOWLEDGE_DIR": str(home / "knowledge")}  # fmt: skip
    run = [sys.executable, "-c", "from copilot.cli import app; app()", "campaign", "run",
           "-p", "bench", "--campaign", "killed"]  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        audience = conn.execute(
            "SELECT count(*) FROM campaign_results WHERE campaign_id='template'"
        )
        target = random.Random(1).randint(1, max(int(audience.fetchone()[0] * 0.9), 2))
    victim = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = 0
    while done < target and victim.poll() is None:
        time.sleep(0.005)
        with sqlite3.connect(db_path) as conn:
            done = conn.execute(
                "SELECT count(*) FROM campaign_results WHERE campaign_id='killed'"
            ).fetchone()[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    subprocess.run([*run, "--resume"], env=env, check=True, capture_output=True)
    with sqlite3.connect(db_path) as conn:
        planned = json.loads(
            conn.execute("SELECT audience FROM campaigns WHERE id='killed'").fetchone()[0]
        )
        stored = [
            r[0]
            for r in conn.execute(
                "SELECT customer_id FROM campaign_results WHERE campaign_id='killed'"
            )
        ]
        audit = Counter(
            r[0]
            for r in conn.execute(
                "SELECT subject FROM audit_events WHERE kind='draft_created' AND subject LIKE 'killed:%'"
            )
        )
    missing = len(set(planned) - set(stored))
    dupes = sum(n - 1 for n in audit.values()) + len(stored) - len(set(stored))
    print(f"SIGKILL after {done:,}/{len(planned):,} drafts, resumed: "
          f"{dupes} duplicates, {missing} missing (target 0 / 0)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--campaign", type=int, default=10_000, help="customers in the campaign")
    parser.add_argument("--llm-campaign", type=int, default=1_000)
    parser.add_argument("--child-import", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--serve-openai", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only-llm", action="store_true", help="run only the LLM benchmark")
    args = parser.parse_args()
    if args.serve_openai:
        serve_openai(args.serve_openai)
        return
    if args.child_import:
        child_import(args.child_import[0], args.child_import[1:])
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="siyu-bench-") as tmp:
        work = Path(tmp)
        os.environ["SIYU_HOME"] = str(work / "home")
        if args.only_llm:
            bench_llm(work, args.llm_campaign)
            return
        url = bench_import(work, args.customers, args.orders)
        bench_rfm(url)
        # 85% of customers consent to marketing, so this many give a ~campaign-sized audience
        files = generate(work / "camp", int(args.campaign / 0.85), args.campaign * 5)
        camp_url = f"sqlite:///{work / 'camp.db'}"
        Importer(Database(camp_url), purposes=Settings().guardrails.purpose_fields).run(
            files, dry_run=False, errors_path=work / "e.csv"
        )
        bench_template(camp_url)
        bench_kill(camp_url, work / "home")
        bench_llm(work, args.llm_campaign)


if __name__ == "__main__":
    main()
