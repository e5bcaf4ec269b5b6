"""Two real `siyu serve` replicas on one real PostgreSQL and one real `chroma run`, started by the
README's "Server replicas" shell block as written (ports, URLs and folders from the environment).

Replies, feedback and 微信客服 queue actions are spread over both; one queue item is approved
on both at once and sent once; an ingest made beside one replica reaches the keyword index of
both; afterwards every audit event is present exactly once and `siyu audit verify` passes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO
from tests.integration.servers import free_port
from tests.integration.test_chroma_server import chroma_url
from tests.integration.test_postgres import _database, pg_url
from tests.integration.test_wecom import AES_KEY, TOKEN
from tests.integration.wecom_fake import CORP_ID, SECRET, Signer, WecomState, fake_wecom

pytestmark = pytest.mark.integration
__all__ = ["chroma_url", "pg_url"]  # the PostgreSQL and Chroma server fixtures

QUESTIONS = ["退货运费谁出", "满多少包邮", "几天能发货", "会员生日有什么福利"]


def readme_block(heading: str, language: str = "bash") -> str:
    """The one fenced `language` block of the README section under `heading`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    (block,) = re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)
    return block


@dataclass
class Replicas:
    urls: list[str]
    db_url: str
    env: dict[str, str]
    wecom: WecomState
    signer: Signer

    def events(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """(subject, payload) of every stored `kind` event."""
        engine = create_engine(self.db_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT subject, payload FROM audit_events WHERE kind = :k ORDER BY id"),
                {"k": kind},
            ).all()
        engine.dispose()
        return [(subject, json.loads(payload)) for subject, payload in rows]


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def replicas(
    pg_url: str, chroma_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("replicas")
    ports = [free_port(), free_port()]
    db_url = _database(pg_url, "siyu_replicas")
    with fake_wecom() as (wecom_url, state):
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "SIYU_DATABASE_URL": db_url,
            "SIYU_CHROMA_URL": chroma_url,
            "REPLICAS_DIR": str(root),
            "REPLICA_PORTS": " ".join(map(str, ports)),
            "SIYU_EMBEDDING_PROVIDER": "fake",
            "SIYU_RETRIEVAL_COLLECTION": "replicas",
            "SIYU_UI_DEMO_CUSTOMERS": "0",
            "SIYU_API_RATE_PER_MINUTE": "100000",
            "SIYU_API_BURST": "1000",
            "SIYU_WECOM_CORP_ID": CORP_ID,
            "SIYU_WECOM_SECRET": SECRET,
            "SIYU_WECOM_TOKEN": TOKEN,
            "SIYU_WECOM_AES_KEY": AES_KEY,
            "SIYU_WECOM_API_BASE": wecom_url,
        }
        env.pop("SIYU_HOME", None)  # the block gives each replica its own
        started = subprocess.run(
            ["bash", "-c", readme_block("### Server replicas")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        pids = [int((root / str(p) / "serve.pid").read_text()) for p in ports]
        try:
            assert started.returncode == 0 and "not ready" not in started.stderr, started.stderr
            yield Replicas(
                [f"http://127.0.0.1:{p}" for p in ports], db_url, env, state, Signer(TOKEN, AES_KEY)
            )
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGTERM)
            for pid in pids:
                if not _wait_gone(pid, 15):
                    os.kill(pid, signal.SIGKILL)


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call at the same moment (a barrier), each on its own thread."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_a_reply_drafted_on_one_replica_is_decided_through_the_other(replicas: Replicas) -> None:
    a, b = replicas.urls
    with httpx.Client(timeout=60) as client:
        replies = at_once(
            [
                partial(client.post, f"{url}/v1/replies", json={"message": q})
                for url in (a, b)
                for q in QUESTIONS * 2
            ]
        )
        assert [r.status_code for r in replies] == [200] * 16
        drafted = [(r.json()["draft_ids"], n < 8) for n, r in enumerate(replies)]
        decisions = at_once(
            [
                partial(
                    client.post,
                    f"{b if on_a else a}/v1/feedback",  # decided through the other replica
                    json={"draft_id": ids[0], "action": "accepted"},
                )
                for ids, on_a in drafted
            ]
        )
        assert [d.status_code for d in decisions] == [200] * 16
    ids = [i for draft_ids, _ in drafted for i in draft_ids]
    created = Counter(subject for subject, _ in replicas.events("draft_created"))
    assert all(created[i] == 1 for i in ids)
    accepted = Counter(subject for subject, _ in replicas.events("human_action"))
    assert all(accepted[draft_ids[0]] == 1 for draft_ids, _ in drafted)


def test_queue_actions_on_both_replicas_send_each_reply_once(replicas: Replicas) -> None:
    a, b = replicas.urls
    wecom, signer = replicas.wecom, replicas.signer
    for n, question in enumerate(QUESTIONS):
        wecom.customer_says(f"kf-{n}", question, user=f"wmCustomer{n:02d}")

    def callback(url: str) -> Callable[[], httpx.Response]:
        params, body = signer.callback(signer.kf_event(), str(int(time.time())))
        return lambda: httpx.post(f"{url}/wecom/kf/callback", params=params, content=body)

    assert [r.status_code for r in at_once([callback(a), callback(b)])] == [200, 200]
    deadline = time.monotonic() + 60
    while True:
        page = httpx.get(f"{b}/v1/queue", params={"status": "drafted"}).json()["items"]
        if len(page) == len(QUESTIONS) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert len(page) == len(QUESTIONS), page
    first, second, third, fourth = (item["id"] for item in page)
    text_of = {item["id"]: item["suggestions"][0]["text"] for item in page}

    def approve(url: str, item: int) -> Callable[[], httpx.Response]:
        body = {"text": text_of[item]}
        return lambda: httpx.post(f"{url}/v1/queue/{item}/approve", json=body, timeout=60)

    both = at_once([approve(a, first), approve(b, first)])
    assert sorted(r.status_code for r in both) == [200, 409]
    (refused,) = [r for r in both if r.status_code == 409]
    assert refused.json()["code"] == "wecom_not_open"
    assert approve(b, second)().status_code == 200
    assert approve(a, third)().status_code == 200
    rejected = httpx.post(f"{a}/v1/queue/{fourth}/reject", json={"reason": "已电话联系"})
    assert rejected.status_code == 200
    assert approve(b, fourth)().status_code == 409

    sends = [c for c in wecom.calls if c == "/cgi-bin/kf/send_msg"]
    assert len(sends) == 3 and sorted(wecom.delivered) == sorted(
        f"siyu-{i}" for i in (first, second, third)
    )
    steps = Counter((p["item"], p["step"]) for _, p in replicas.events("wecom_message"))
    for item in (first, second, third, fourth):
        assert steps[(f"wecom-{item}", "received")] == 1
    for item in (first, second, third):
        assert steps[(f"wecom-{item}", "approved")] == steps[(f"wecom-{item}", "sent")] == 1
    assert steps[(f"wecom-{fourth}", "rejected")] == 1
    assert sum(steps.values()) == 4 + 3 * 2 + 1


def test_an_ingest_beside_one_replica_reaches_the_keyword_index_of_both(
    replicas: Replicas, tmp_path: Path
) -> None:
    term = "星河补给站"
    for url in replicas.urls:  # both hold a keyword index of the current revision
        hits = httpx.get(f"{url}/v1/search", params={"q": term}).json()["hits"]
        assert all(term not in hit["text"] for hit in hits)
    faq = tmp_path / "station_faq.csv"
    faq.write_text(f"question,answer\n{term}在哪里?,{term}在体验店三楼。\n", encoding="utf-8")
    home = Path(replicas.env["REPLICAS_DIR"]) / replicas.env["REPLICA_PORTS"].split()[0]
    ingest = subprocess.run(
        ["siyu", "ingest", str(faq)],
        env={**replicas.env, "SIYU_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ingest.returncode == 0, ingest.stderr
    for url in replicas.urls:
        deadline = time.monotonic() + 30  # the index follows within 2 s; slack for busy CI
        while True:
            hits = httpx.get(f"{url}/v1/search", params={"q": term, "k": 3}).json()["hits"]
            if (hits and hits[0].get("keyword_rank") == 1) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        assert term in hits[0]["text"] and hits[0]["keyword_rank"] == 1


def test_every_event_once_and_the_chain_intact(replicas: Replicas) -> None:
    engine = create_engine(replicas.db_url)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars().all()
        repeated = conn.execute(
            text(
                "SELECT kind, subject, payload FROM audit_events "
                "WHERE kind IN ('draft_created', 'human_action', 'wecom_message') "
                "GROUP BY kind, subject, payload HAVING count(*) > 1"
            )
        ).all()
    engine.dispose()
    assert ids == list(range(1, len(ids) + 1))  # no gap: no append was lost or rolled back
    assert repeated == []
    verified = subprocess.run(
        ["siyu", "audit", "verify", "--json"],
        env={**replicas.env, "SIYU_HOME": replicas.env["REPLICAS_DIR"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] and report["events"] == len(ids) and report["problems"] == []
