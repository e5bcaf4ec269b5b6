"""`siyu ingest` killed with SIGKILL at random points, then run again, ends with exactly the
chunks of a clean ingest: same ids, texts and metadata, nothing stale, nothing missing.

Two scenarios: a first ingest of a multi-thousand-row FAQ, and an update of that FAQ (rows
kept, moved, removed and added) on a store that already holds the old version. Each kill lands
at a seeded random point of the write: when the store on disk has grown by a random fraction
of what an uninterrupted run adds (so the points do not depend on the machine's speed).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
import pytest

pytestmark = pytest.mark.integration

SIYU = Path(sys.executable).with_name("siyu")
ROWS = 2_000
TRIALS_FIRST, TRIALS_UPDATE = 6, 4
SEED = 20261130

Snapshot = dict[str, tuple[str, dict[str, Any]]]


def _write_faq(path: Path, rows: range, variant: str = "") -> None:
    lines = ["question,answer"] + [
        f"订单{i}{variant}怎么退货?,请在订单详情页申请退货\uff0c退货编号{i}{variant}。"
        for i in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_guide(path: Path) -> None:
    sections = [
        f"## 第{i}节 售后\n\n收到商品{i}天内可申请售后\uff0c客服会在24小时内回复。\n"
        for i in range(40)
    ]
    path.write_text(
        "---\ntitle: 售后指南\ndoc_type: policy\n---\n\n" + "\n".join(sections), "utf-8"
    )


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SIYU_HOME=str(home),
        SIYU_EMBEDDING_PROVIDER="fake",
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
    )
    return env


def _start(kb: Path, home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SIYU), "ingest", str(kb), "--json"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _ingest(kb: Path, home: Path) -> tuple[dict[str, Any], str]:
    """The JSON report and stderr of a `siyu ingest` run to the end."""
    done = subprocess.run(
        [str(SIYU), "ingest", str(kb), "--json"],
        env=_env(home),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report, done.stderr.decode()


def _growth(kb: Path, home: Path) -> int:
    """Ingest to the end; how many bytes the store on disk grew by."""
    before = _store_bytes(home) if (home / "chroma").exists() else 0
    report, _ = _ingest(kb, home)
    assert report["ok"]
    return _store_bytes(home) - before


def _store_bytes(home: Path) -> int:
    """Bytes in the store folder now; files the running ingest removes meanwhile (SQLite's
    journal) count as empty."""
    total = 0
    for path in (home / "chroma").rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except FileNotFoundError:
            continue
    return total


def _wait_for_growth(process: subprocess.Popen[bytes], home: Path, grown: int) -> None:
    """Block until the store on disk is `grown` bytes bigger than when we started looking
    (or than when the process created it), or the process ends."""
    baseline = _store_bytes(home) if (home / "chroma").exists() else 0
    while process.poll() is None:
        size = _store_bytes(home) if (home / "chroma").exists() else 0
        if not baseline:
            baseline = size
        elif size >= baseline + max(grown, 1):
            return
        time.sleep(0.005)


def _rows_on_disk(home: Path) -> int:
    """Chunks the killed process left in the store's SQLite (read directly: after a kill the
    vector index may need the repair the next `siyu ingest` performs before Chroma reads)."""
    database = home / "chroma" / "chroma.sqlite3"
    if not database.exists():
        return 0
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM embeddings").fetchone()[0])
        except sqlite3.OperationalError:  # killed before the schema was created
            return 0


def _snapshot(home: Path) -> Snapshot:
    client = chromadb.PersistentClient(
        path=str(home / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    got = client.get_collection("knowledge").get(include=["documents", "metadatas"])
    return {
        i: (doc, dict(meta))
        for i, doc, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        )
    }


@dataclass
class Trial:
    scenario: str
    grown: int
    killed_mid_run: bool = False
    chunks_at_kill: int = 0
    repaired: bool = False
    matches: bool = False


def _run_trial(
    trial: Trial, kb: Path, home: Path, start_from: Path | None, clean: Snapshot
) -> Trial:
    if start_from is not None:
        shutil.copytree(start_from, home)
    process = _start(kb, home)
    _wait_for_growth(process, home, trial.grown)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    trial.killed_mid_run = process.returncode == -signal.SIGKILL
    trial.chunks_at_kill = _rows_on_disk(home)
    report, stderr = _ingest(kb, home)
    trial.repaired = "vector index was" in " ".join(stderr.split())
    trial.matches = report["ok"] and _snapshot(home) == clean
    return trial


def test_killed_ingest_reruns_to_exactly_the_clean_chunks(tmp_path: Path) -> None:
    if not SIYU.exists():
        pytest.skip("the siyu console script is not installed in this environment")
    first_kb, update_kb = tmp_path / "kb_first", tmp_path / "kb_update"
    for kb in (first_kb, update_kb):
        kb.mkdir()
        _write_guide(kb / "guide.md")
    _write_faq(first_kb / "faq.csv", range(ROWS))

    # The update scenario: a store holding v1, then v2 keeps 2/3 of the rows, rewrites the
    # rest and adds new ones.
    _write_faq(update_kb / "faq.csv", range(ROWS))
    before_update = tmp_path / "home_v1"
    _ingest(update_kb, before_update)
    _write_faq(update_kb / "faq.csv", range(ROWS // 3, ROWS + ROWS // 3))
    with (update_kb / "faq.csv").open("a", encoding="utf-8") as extra:
        extra.writelines(f"新问题{i}?,新答案{i}\n" for i in range(ROWS // 4))

    clean_first, clean_update = tmp_path / "home_clean_first", tmp_path / "home_clean_update"
    growth = {"first": _growth(first_kb, clean_first)}
    _ingest(update_kb, clean_update)
    clean = {"first": _snapshot(clean_first), "update": _snapshot(clean_update)}
    assert len(clean["first"]) == ROWS + 40
    # An uninterrupted update of the v1 store is itself the clean v2 store.
    updated = tmp_path / "home_updated"
    shutil.copytree(before_update, updated)
    growth["update"] = _growth(update_kb, updated)
    assert _snapshot(updated) == clean["update"]

    rng = random.Random(SEED)
    trials = [
        Trial(scenario, int(rng.uniform(0.0, 0.95) * growth[scenario]))
        for scenario, count in (("first", TRIALS_FIRST), ("update", TRIALS_UPDATE))
        for _ in range(count)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                _run_trial,
                trial,
                first_kb if trial.scenario == "first" else update_kb,
                tmp_path / f"home_trial_{n}",
                None if trial.scenario == "first" else before_update,
                clean[trial.scenario],
            )
            for n, trial in enumerate(trials)
        ]
        done = [f.result() for f in futures]

    recovered = sum(t.matches for t in done)
    mid_run = [t for t in done if t.killed_mid_run]
    print(
        f"\ningest killed with SIGKILL and rerun: {recovered}/{len(done)} end with exactly the "
        f"clean chunks ({len(mid_run)} kills landed mid-run; vector index rebuilt after "
        f"{sum(t.repaired for t in done)}; chunks on disk at the kill: "
        f"{sorted(t.chunks_at_kill for t in done)})"
    )
    assert recovered == len(done)
    assert len(mid_run) >= len(done) - 1  # the kills really interrupted the runs
    partial = [t for t in done if t.scenario == "first" and 0 < t.chunks_at_kill < ROWS + 40]
    assert partial, "no kill landed while chunks were being written"
