"""The answerer's jieba: set up once per process, also when threads answer at once, and its
own, so its words never change how the keyword search cuts queries and passages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

QUESTIONS = ["退款多久到账", "会员日是哪天", "奶瓶多大容量", "推车能躺吗"]

SCRIPT = """
import json, sys, threading
from copilot.answering.lexicon import _segmenter, key_terms, single_words
sys.setswitchinterval(1e-6)
count, questions = int(sys.argv[1]), json.loads(sys.argv[2])
start, found = threading.Barrier(count), []
def answer():
    start.wait()
    found.append([[sorted(key_terms(q)), sorted(single_words(q))] for q in questions])
threads = [threading.Thread(target=answer) for _ in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps([_segmenter().total, found]))
"""

ALONGSIDE = """
import json, sys
import jieba
from copilot.answering.lexicon import key_terms
from copilot.retrieval.text import keyword_tokens
searched, total = keyword_tokens(sys.argv[1]), jieba.dt.total
key_terms(sys.argv[1])
print(json.dumps([searched, keyword_tokens(sys.argv[1]), total, jieba.dt.total]))
"""


def _python(home: Path, script: str, *args: str) -> list[object]:
    run = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, "SIYU_HOME": str(home)},
        check=True,
        capture_output=True,
        text=True,
    )
    result: list[object] = json.loads(run.stdout)
    return result


def test_threads_answering_at_once_set_the_answerers_jieba_up_once(tmp_path: Path) -> None:
    questions = json.dumps(QUESTIONS, ensure_ascii=False)
    total, (words,) = _python(tmp_path, SCRIPT, "1", questions)  # also builds the dictionary
    assert _python(tmp_path, SCRIPT, "8", questions) == [total, [words] * 8]


def test_the_answerers_words_leave_the_keyword_search_alone(tmp_path: Path) -> None:
    """A search before and after the answerer's first question cuts the same words (多久到账 is
    one of the answerer's words, not the keyword search's)."""
    searched, again, total, after = _python(tmp_path, ALONGSIDE, "退款多久到账")
    assert again == searched and after == total
    assert "多久到账" not in searched
