"""Campaign workers on a real PostgreSQL server with an OpenAI-compatible stub answering after
200 ms: three `siyu campaign run` processes draft one campaign, one is SIGKILLed mid-run, a
customer withdraws consent during the run, a worker with another playbook is refused, and the
server restarts under two workers. Every eligible customer ends with exactly one result and at
most one draft in the audit log; none is missing.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from benchmarks.campaign_workers import ANSWER  # the canned model answer the benchmark uses too
from copilot.audit.log import AuditLog
from copilot.config import Settings
from copilot.customers.catalog import load_catalog
from copilot.customers.consent import ConsentRegistry
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.llm.stub import StubResponse, StubServer, stub_server
from copilot.store.engine import Database
from tests.conftest import REPO
from tests.integration.test_postgres import _database, as_postgres, pg_bin, pg_url

__all__ = ["pg_url"]  # the PostgreSQL server fixture
pytestmark = pytest.mark.integration

SIYU = [sys.executable, "-c", "from copilot.cli import app; app()"]
PLAYBOOK, PURPOSE = "member_day", "marketing_personalisation"
LEASE_S = 5
LEASE_TESTS = ["tests/unit/customers/test_claims.py"]


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    answer = StubResponse(content=json.dumps(ANSWER, ensure_ascii=False), delay_s=0.2)
    with stub_server(default=answer) as server:
        yield server


def customer_store(server: str, name: str, folder: Path, customers: int) -> str:
    """A fresh database on the server holding demo customers, orders and consents."""
    url = _database(server, name)
    catalog = load_catalog(REPO / "knowledge" / "products.csv")
    DemoGenerator(list(catalog.values()), seed=11).write(
        folder, customers=customers, orders=10 * customers
    )
    db = Database(url)
    files = [folder / f"{n}.csv" for n in ("customers", "orders", "consents")]
    Importer(db, purposes=Settings().guardrails.purpose_fields).run(
        files, dry_run=False, errors_path=folder / "errors.csv"
    )
    db.dispose()
    return url


def worker_env(url: str, stub: StubServer, home: Path, **extra: str) -> dict[str, str]:
    """A worker machine: its own SIYU_HOME, the shared database and the stub model."""
    return {
        **os.environ,
        "SIYU_HOME": str(home),
        "SIYU_DATABASE_URL": url,
        "SIYU_LLM_BASE_URL": stub.base_url,
        "SIYU_LLM_MODEL": "stub",
        "SIYU_EMBEDDING_PROVIDER": "fake",
        "SIYU_CUSTOMERS_CAMPAIGN_LEASE_SECONDS": str(LEASE_S),
        **extra,
    }


def worker(env: dict[str, str], campaign: str, *more: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SIYU, "campaign", "run", "-p", PLAYBOOK, "--campaign", campaign, *more],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def scalar(url: str, sql: str, **params: object) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def results_count(url: str, campaign: str) -> int:
    return int(
        scalar(url, "SELECT count(*) FROM campaign_results WHERE campaign_id = :c", c=campaign) or 0
    )


def flat(text: str) -> str:
    """The text without the line breaks and spaces the terminal's wrapping put in."""
    return "".join(text.split())


def finish(process: subprocess.Popen[str], timeout_s: float = 120) -> tuple[str, str]:
    out, err = process.communicate(timeout=timeout_s)
    assert process.returncode == 0, err[-3000:]
    return out, err


def assert_drafted_exactly_once(url: str, campaign: str, withdrawn: set[str]) -> list[str]:
    """One result per audience customer; one draft event per drafted customer, none for those
    who withdrew. Returns the audience."""
    audience = json.loads(
        str(scalar(url, "SELECT audience FROM campaigns WHERE id = :c", c=campaign))
    )
    stored = rows(
        url, "SELECT customer_id, status FROM campaign_results WHERE campaign_id = :c", c=campaign
    )
    assert sorted(cid for cid, _ in stored) == sorted(audience)  # 0 gaps, 0 duplicates
    statuses = dict(stored)
    assert {statuses[cid] for cid in withdrawn} <= {"excluded"}
    assert {s for cid, s in statuses.items() if cid not in withdrawn} == {"drafted"}
    drafts = Counter(
        str(payload_cid)
        for (payload_cid,) in rows(
            url,
            "SELECT subject FROM audit_events WHERE kind = 'draft_created' "
            "AND subject LIKE :prefix",
            prefix=f"{campaign}:%",
        )
    )
    assert set(drafts.values()) == {1}
    assert set(drafts) == {f"{campaign}:{cid}" for cid in audience if cid not in withdrawn}
    open_claims = scalar(
        url,
        "SELECT count(*) FROM campaign_claims WHERE campaign_id = :c AND done_at IS NULL",
        c=campaign,
    )
    assert open_claims == 0
    return audience


def test_lease_tests_pass_on_postgresql(pg_url: str) -> None:
    """The claim/lease unit tests again, on the real server (row locks included)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *LEASE_TESTS],
        cwd=REPO,
        env={**os.environ, "SIYU_TEST_DATABASE_URL": pg_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_three_workers_one_killed_draft_every_customer_once(
    pg_url: str, stub: StubServer, tmp_path: Path
) -> None:
    # enough customers that some still wait for a worker after the kill, however fast they draft
    url = customer_store(pg_url, "siyu_workers", tmp_path / "demo", customers=1000)
    workers = [
        worker(worker_env(url, stub, tmp_path / f"w{n}"), "w1", "--concurrency", "4", "--json")
        for n in range(3)
    ]
    victim = workers[0]
    name = f"{socket.gethostname()[:40]}-{victim.pid}-%"

    def victim_wrote() -> bool:  # the victim's own results count too, so it has written some
        done = "SELECT count(*) FROM campaign_claims WHERE worker LIKE :w AND done_at IS NOT NULL"
        return results_count(url, "w1") >= 20 and int(scalar(url, done, w=name) or 0) > 0

    wait_for(victim_wrote, 120, "the first results, the victim's among them")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    orphans = rows(
        url,
        "SELECT customer_id FROM campaign_claims WHERE campaign_id = 'w1' AND worker LIKE :w "
        "AND done_at IS NULL",
        w=name,
    )
    assert orphans, "the killed worker held no customer"
    # a customer still waiting withdraws consent while the run goes on
    (waiting,) = rows(
        url,
        "SELECT customer_id FROM campaign_claims WHERE campaign_id = 'w1' AND done_at IS NULL "
        "AND lease_until IS NULL ORDER BY position DESC LIMIT 1",
    )[0]
    db = Database(url)
    registry = ConsentRegistry(db, AuditLog(db), Settings().guardrails.purpose_fields)
    registry.change(str(waiting), PURPOSE, "withdrawn", source="客户私信", actor="op")
    db.dispose()
    # a worker whose playbook file differs is refused while the others draft
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    book = knowledge / "playbooks" / f"{PLAYBOOK}.yaml"
    book.write_text(book.read_text(encoding="utf-8") + "\ndescription: 改过的剧本\n", "utf-8")
    edited = worker_env(url, stub, tmp_path / "w3", SIYU_KNOWLEDGE_DIR=str(knowledge))
    refused = worker(edited, "w1")

    summaries = [json.loads(finish(w)[0]) for w in workers[1:]]
    _, err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    said = flat(err)
    stored = scalar(url, "SELECT playbook_version FROM campaign_versions WHERE campaign_id = 'w1'")
    assert f"活动w1以剧本{stored}、" in said and "不能加入" in said
    mine = said.split("本机是剧本")[1].split("、")[0]
    assert mine.startswith("member_day#") and mine != stored
    audience = assert_drafted_exactly_once(url, "w1", withdrawn={str(waiting)})
    assert sum(sum(s["counts"].values()) for s in summaries) < len(audience)  # the victim's too
    taken_over = rows(
        url,
        "SELECT worker FROM campaign_claims WHERE campaign_id = 'w1' AND customer_id = ANY(:ids)",
        ids=[str(cid) for (cid,) in orphans],
    )
    assert not any(str(w).startswith(name[:-1]) for (w,) in taken_over)
    excluded = rows(
        url,
        "SELECT detail FROM campaign_results WHERE campaign_id = 'w1' AND customer_id = :c",
        c=waiting,
    )
    assert json.loads(str(excluded[0][0]))["code"] == "withdrawn"


def readme_block(heading: str) -> str:
    """The first fenced shell block under a README heading, as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"\n{heading}\n", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


def test_the_readme_campaign_workers_commands_run_as_written(
    pg_url: str, stub: StubServer, tmp_path: Path
) -> None:
    url = customer_store(pg_url, "siyu_readme_workers", tmp_path / "demo", customers=200)
    env = worker_env(url, stub, tmp_path / "home", CAMPAIGN="md-readme")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # `siyu`
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_block("### Campaign workers")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    audience = assert_drafted_exactly_once(url, "md-readme", withdrawn=set())
    assert "剩余" in done.stdout and f"受众 {len(audience)}" in " ".join(done.stdout.split())
    exported = (tmp_path / "md-readme.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == len(audience) + 1


def test_a_worker_with_another_prompt_version_is_refused(
    pg_url: str, stub: StubServer, tmp_path: Path
) -> None:
    url = customer_store(pg_url, "siyu_prompt_version", tmp_path / "demo", customers=30)
    finish(worker(worker_env(url, stub, tmp_path / "w0"), "p1", "--concurrency", "8"))
    prompts = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", prompts)
    spec = prompts / "message.zh.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('"1.2.0"', '"1.3.0"'), "utf-8")
    refused = worker(
        worker_env(url, stub, tmp_path / "w1", SIYU_PROMPTS_DIR=str(prompts)), "p1", "--resume"
    )
    _, err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    assert "提示词message.zh1.2.0#" in flat(err) and "提示词message.zh1.3.0#" in flat(err)


def test_postgres_restart_mid_campaign_loses_and_repeats_nothing(
    pg_url: str, stub: StubServer, tmp_path: Path
) -> None:
    # enough customers that the workers still have hundreds to draft when the server stops
    url = customer_store(pg_url, "siyu_restart", tmp_path / "demo", customers=1000)
    workers = [
        worker(worker_env(url, stub, tmp_path / f"w{n}"), "r1", "--concurrency", "4")
        for n in range(2)
    ]
    wait_for(lambda: results_count(url, "r1") >= 20, 120, "the first results")
    data_dir = str(scalar(pg_url, "SHOW data_directory"))
    log = str(Path(data_dir).parent / "server.log")  # the server's output must not be ours
    bindir = pg_bin()
    assert bindir is not None
    # the server's own options (port, socket folder) as it was started, for starting it again
    options = shlex.split((Path(data_dir) / "postmaster.opts").read_text())[1:]
    pg_ctl = [str(bindir / "pg_ctl"), "-D", data_dir, "-l", log, "-w"]
    subprocess.run(as_postgres([*pg_ctl, "-m", "fast", "stop"]), check=True, timeout=60)
    time.sleep(3)  # down long enough that every worker meets it, as a real restart would be
    subprocess.run(
        as_postgres([*pg_ctl, "-o", shlex.join(options), "start"]),
        check=True,
        capture_output=True,
        timeout=60,
    )
    errors = [finish(w)[1] for w in workers]
    assert any("数据库暂时不可用" in flat(err) for err in errors), errors
    assert_drafted_exactly_once(url, "r1", withdrawn=set())
