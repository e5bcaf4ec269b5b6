"""Campaign workers benchmark: one `siyu campaign run` worker against three on one campaign,
with the OpenAI-compatible stub answering after 200 ms, then the time for a killed worker's
customers to be drafted by the others.

    python -m benchmarks.campaign_workers --database-url postgresql+psycopg://postgres@host/postgres \\
        [--customers 6000] [--concurrency 16] [--lease 10] [--skip-kill]

PostgreSQL runs beforehand (README "Scaling out"); the URL (also SIYU_DATABASE_URL) names a
role that may create databases: each phase gets a fresh copy of one database of synthetic demo
customers (`siyu customers demo`), playbook member_day. The stub model runs in this process on
loopback; each worker is a real process with its own SIYU_HOME (fake embedder, empty knowledge
base: the figures are drafting, consent, guardrails and the store, not retrieval).

Drafts/s are counted from the moment every worker of the phase holds a lease (start-up — imports,
the audience — is printed apart) to the last result. CPU (user + system) is given per draft for
each process: the workers, this process (the stub model, and the progress polls until every
worker holds a lease; none after) and the PostgreSQL server with its backends (when it runs on
this machine) — once for the steady part the drafts/s count, once for the whole phase, start-up
included. The kill phase SIGKILLs one of three workers once a fifth of the campaign is written
and times, by the database's clock, until the customers it held are leased again and written by
the others (target: within the lease + 10 s).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, create_engine, text

from copilot.config import Settings
from copilot.customers.catalog import load_catalog
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.llm.stub import StubResponse, StubServer, stub_server
from copilot.store.engine import Database

REPO = Path(__file__).resolve().parent.parent
SIYU = [sys.executable, "-c", "from copilot.cli import app; app()"]
PLAYBOOK = "member_day"
TEMPLATE_DB = "siyu_bench_workers"
ANSWER = {
    "suggestions": [
        {
            "text": "会员日到啦，本周会员专享好物等你来挑，欢迎来店里看看。回复TD退订",
            "citations": [],
            "confidence": 0.8,
            "needs_human": False,
        }
    ]
}


class Cpu(NamedTuple):
    """CPU seconds of the workers, of this process (the stub model and the progress polls) and
    of the PostgreSQL server (None when it runs on another machine)."""

    workers: float
    stub: float
    store: float | None

    def __sub__(self, other: object) -> Cpu:
        assert isinstance(other, Cpu)
        store = None if self.store is None or other.store is None else self.store - other.store
        return Cpu(self.workers - other.workers, self.stub - other.stub, store)

    def per_draft(self, drafts: int) -> str:
        def ms(seconds: float) -> float:
            return 1000 * seconds / drafts

        parts = [
            f"workers {ms(self.workers):.2f}",
            f"stub model and this script {ms(self.stub):.2f}",
        ]
        if self.store is not None:
            parts.append(f"PostgreSQL {ms(self.store):.2f}")
        total = self.workers + self.stub + (self.store or 0.0)
        return ", ".join(parts) + f", in all {ms(total):.2f} ms"


@dataclass
class Phase:
    workers: int
    audience: int
    steady_drafts: int
    steady_s: float
    wall_s: float
    startup_s: float
    cpu: Cpu  # the whole phase, start-up included
    steady_cpu: Cpu  # from the moment every worker held a lease

    @property
    def rate(self) -> float:
        return self.steady_drafts / self.steady_s

    def line(self) -> str:
        return (
            f"{self.workers} worker(s): {self.rate:.1f} drafts/s ({self.steady_drafts} drafts in "
            f"{self.steady_s:.1f} s once all held leases; start-up {self.startup_s:.1f} s, "
            f"whole run {self.wall_s:.1f} s for {self.audience}); CPU a draft once all held "
            f"leases: {self.steady_cpu.per_draft(self.steady_drafts)}; whole run, start-up "
            f"included: {self.cpu.per_draft(self.audience)}"
        )


def url_of(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + name


def fresh_database(admin: Engine, name: str, template: str | None = None) -> None:
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        copy = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f"CREATE DATABASE {name}{copy}"))


def build_template(admin: Engine, server: str, customers: int, folder: Path) -> None:
    fresh_database(admin, TEMPLATE_DB)
    catalog = load_catalog(REPO / "knowledge" / "products.csv")
    DemoGenerator(list(catalog.values()), seed=11).write(
        folder, customers=customers, orders=10 * customers
    )
    db = Database(url_of(server, TEMPLATE_DB))
    files = [folder / f"{n}.csv" for n in ("customers", "orders", "consents")]
    Importer(db, purposes=Settings().guardrails.purpose_fields).run(
        files, dry_run=False, errors_path=folder / "errors.csv"
    )
    db.dispose()


def start_workers(
    count: int, url: str, stub: StubServer, home: Path, concurrency: int, lease: int
) -> list[subprocess.Popen[bytes]]:
    processes = []
    for n in range(count):
        env = {
            **os.environ,
            "SIYU_HOME": str(home / f"w{n}"),
            "SIYU_DATABASE_URL": url,
            "SIYU_LLM_BASE_URL": stub.base_url,
            "SIYU_LLM_MODEL": "stub",
            "SIYU_EMBEDDING_PROVIDER": "fake",
            "SIYU_CUSTOMERS_CAMPAIGN_LEASE_SECONDS": str(lease),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
        }
        cmd = [*SIYU, "campaign", "run", "-p", PLAYBOOK, "--campaign", "bench"]
        cmd += ["--concurrency", str(concurrency), "--json"]
        processes.append(
            subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        )
    return processes


def progress(engine: Engine) -> tuple[int, int, int]:
    """(results written, audience, workers holding a live lease), in one round trip."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM campaign_results WHERE campaign_id = 'bench'), "
                "(SELECT count(*) FROM campaign_claims WHERE campaign_id = 'bench'), "
                "(SELECT count(DISTINCT worker) FROM campaign_claims WHERE campaign_id = 'bench' "
                "AND done_at IS NULL AND lease_until >= now() AT TIME ZONE 'UTC')"
            )
        ).one()
    written, audience, workers = (int(n) for n in row)
    return written, audience, workers


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu(postmaster: int | None) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live children (backends,
    background processes) and the children it has reaped (backends of closed connections)."""
    if postmaster is None:
        return 0.0
    ticks = sum(int(field) for field in _stat(postmaster)[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def local_postmaster(admin: Engine) -> int | None:
    """The PostgreSQL server's pid when it runs on this machine (its CPU is reported), else
    None."""
    with admin.connect() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        return int(_stat(backend)[1])
    except OSError:
        return None


def run_phase(
    count: int, server: str, admin: Engine, stub: StubServer, args: argparse.Namespace
) -> Phase:
    name = f"siyu_bench_w{count}"
    fresh_database(admin, name, TEMPLATE_DB)
    url = url_of(server, name)
    engine = create_engine(url)
    postmaster = local_postmaster(admin)

    def own_and_store() -> tuple[float, float | None]:
        return time.process_time(), None if postmaster is None else postgres_cpu(postmaster)

    start_cpu = Cpu(children_cpu(), *own_and_store())
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as home:
        processes = start_workers(count, url, stub, Path(home), args.concurrency, args.lease)
        steady_at, steady_from, steady_cpu = None, 0, start_cpu
        seen: dict[int, float] = {}  # worker pid -> its CPU when last seen alive
        while any(p.poll() is None for p in processes):
            for p in processes:
                with contextlib.suppress(OSError):
                    seen[p.pid] = process_cpu(p.pid)
            if steady_at is None:  # once steady, the database is not asked until the end
                written, audience, workers = progress(engine)
                if workers >= count:
                    steady_at, steady_from = time.monotonic(), written
                    steady_cpu = Cpu(sum(seen.values()), *own_and_store())
            time.sleep(0.1)
        finished = time.monotonic()
        end_cpu = Cpu(sum(seen.values()), *own_and_store())
        for p in processes:
            out, err = p.communicate()
            if p.returncode != 0:
                raise SystemExit(f"a worker failed (exit {p.returncode}): {err.decode()[-2000:]}")
            json.loads(out)  # each printed its summary
    written, audience, _ = progress(engine)
    engine.dispose()
    assert written == audience, (written, audience)
    assert steady_at is not None, "the workers never all held leases at once"
    return Phase(
        workers=count,
        audience=audience,
        steady_drafts=audience - steady_from,
        steady_s=finished - steady_at,
        wall_s=finished - started,
        startup_s=steady_at - started,
        cpu=Cpu(children_cpu(), *own_and_store()) - start_cpu,
        steady_cpu=end_cpu - steady_cpu,
    )


def kill_phase(server: str, admin: Engine, stub: StubServer, args: argparse.Namespace) -> str:
    name = "siyu_bench_kill"
    fresh_database(admin, name, TEMPLATE_DB)
    url = url_of(server, name)
    engine = create_engine(url)
    with tempfile.TemporaryDirectory() as home:
        processes = start_workers(3, url, stub, Path(home), args.concurrency, args.lease)
        while True:
            written, audience, workers = progress(engine)
            if workers == 3 and written >= audience // 5:
                break
            time.sleep(0.05)
        victim = processes[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        pattern = f"{socket.gethostname()[:40]}-{victim.pid}-%"
        with engine.connect() as conn:
            killed_at = conn.execute(text("SELECT now() AT TIME ZONE 'UTC'")).scalar_one()
            held = conn.execute(
                text(
                    "SELECT customer_id FROM campaign_claims WHERE campaign_id = 'bench' "
                    "AND worker LIKE :w AND done_at IS NULL"
                ),
                {"w": pattern},
            ).scalars()
            orphans = list(held)
        released_s: float | None = None
        while released_s is None:
            with engine.connect() as conn:
                left = conn.execute(
                    text(
                        "SELECT count(*) FROM campaign_claims WHERE customer_id = ANY(:ids) "
                        "AND campaign_id = 'bench' AND worker LIKE :w"
                    ),
                    {"ids": orphans, "w": pattern},
                ).scalar_one()
                if left == 0:
                    now = conn.execute(text("SELECT now() AT TIME ZONE 'UTC'")).scalar_one()
                    released_s = (now - killed_at).total_seconds()
            time.sleep(0.05)
        for p in processes[1:]:
            p.communicate()
    with engine.connect() as conn:
        written_at = conn.execute(
            text(
                "SELECT max(done_at) FROM campaign_claims WHERE campaign_id = 'bench' "
                "AND customer_id = ANY(:ids)"
            ),
            {"ids": orphans},
        ).scalar_one()
        duplicates = conn.execute(
            text(
                "SELECT count(*) - count(DISTINCT subject) FROM audit_events "
                "WHERE kind = 'draft_created' AND subject LIKE 'bench:%'"
            )
        ).scalar_one()
        written, audience, _ = progress(engine)
    engine.dispose()
    written_s = (written_at - killed_at).total_seconds()
    target = args.lease + 10
    verdict = "met" if written_s <= target else "MISSED"
    return (
        f"killed worker held {len(orphans)} customers: all leased again by the others after "
        f"{released_s:.1f} s, all written after {written_s:.1f} s (lease {args.lease} s; target "
        f"≤ {target} s: {verdict}); results {written}/{audience}, duplicate drafts {duplicates}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("SIYU_DATABASE_URL"))
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--lease", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.2, help="stub model latency, seconds")
    parser.add_argument("--skip-kill", action="store_true", help="leave out the kill phase")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        raise SystemExit(
            "give a PostgreSQL server with --database-url or SIYU_DATABASE_URL "
            "(postgresql+psycopg://user@host:port/postgres; the role must be able to create "
            "databases)"
        )
    server = args.database_url
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    answer = StubResponse(content=json.dumps(ANSWER, ensure_ascii=False), delay_s=args.delay)
    with tempfile.TemporaryDirectory() as folder, stub_server(default=answer) as stub:
        build_template(admin, server, args.customers, Path(folder))
        one = run_phase(1, server, admin, stub, args)
        print(one.line(), flush=True)
        three = run_phase(3, server, admin, stub, args)
        print(three.line(), flush=True)
        ratio = three.rate / one.rate
        print(f"three workers vs one: {ratio:.2f}× drafts/s (target ≥ 2.5×)", flush=True)
        if not args.skip_kill:
            print(kill_phase(server, admin, stub, args), flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load}; cores: {os.cpu_count()}")
    admin.dispose()


if __name__ == "__main__":
    main()
