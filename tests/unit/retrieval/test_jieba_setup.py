"""The keyword search's jieba is set up once per process, also when threads search at once:
each setup adds the commerce terms again (jieba's word total, which decides how texts are cut,
grows with every one) and installs a dictionary the other threads may have added them to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys, threading
import jieba
from copilot.retrieval.text import keyword_tokens
sys.setswitchinterval(1e-6)
count, query = int(sys.argv[1]), sys.argv[2]
start, found = threading.Barrier(count), []
def search():
    start.wait()
    found.append(keyword_tokens(query))
threads = [threading.Thread(target=search) for _ in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps([jieba.dt.total, found]))
"""


def _search_at_once(home: Path, threads: int) -> tuple[int, list[list[str]]]:
    """(jieba's word total, each thread's tokens) in a fresh process whose threads make their
    first search together."""
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(threads), "退款多久到账？会员日满减怎么算"],
        env={**os.environ, "SIYU_HOME": str(home)},
        check=True,
        capture_output=True,
        text=True,
    )
    total, found = json.loads(run.stdout)
    return total, found


def test_threads_searching_at_once_set_jieba_up_once(tmp_path: Path) -> None:
    total, (tokens,) = _search_at_once(tmp_path, 1)  # also builds the dictionary table
    assert _search_at_once(tmp_path, 8) == (total, [tokens] * 8)
