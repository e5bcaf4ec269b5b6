"""Keywords of a set of texts by TF-IDF, as ``jieba.analyse.extract_tags`` ranks them: the
term frequency of each word of two or more characters across the texts, times its inverse
document frequency in jieba's general corpus (the median for words the table lacks).

Texts come with a weight (how many answers gave the same comment), so identical comments are
segmented once. jieba's own ``analyse`` package is not imported: it loads the part-of-speech
tagger's tables as well, seconds of work a keyword list does not need.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np

from copilot.retrieval.text import words

# jieba.analyse's default stop words (it ranks Chinese words by IDF alone)
STOP_WORDS = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this "
    "then at have all not one has or".split()
)


@cache
def _idf_table() -> tuple[dict[str, str], float]:
    """jieba's IDF table (word → IDF as written; its words hold no space) and its median IDF."""
    import jieba

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    fields = path.read_text(encoding="utf-8").split()
    table = dict(zip(fields[0::2], fields[1::2], strict=True))
    values = np.sort(np.array(list(table.values()), dtype=np.float64))
    return table, float(values[len(values) // 2]) if len(values) else 0.0


def top_keywords(texts: dict[str, int], count: int) -> list[str]:
    """The `count` words of highest TF-IDF over `texts` (text → how many times it occurs)."""
    freq: Counter[str] = Counter()
    for text, weight in texts.items():
        for word in words(text):
            word = word.strip()
            if len(word) >= 2 and word.lower() not in STOP_WORDS:
                freq[word] += weight
    if not freq:
        return []
    table, median = _idf_table()
    total = sum(freq.values())
    score = {word: n / total * (float(table[word]) if word in table else median)
             for word, n in freq.items()}  # fmt: skip
    return sorted(score, key=lambda w: (-score[w], w))[:count]
