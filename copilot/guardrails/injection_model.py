"""The learned half of injection screening: logistic regression over hashed character n-grams.

Character n-grams (1–4) need no tokenizer, so one model reads Chinese and English alike. The
weights ship in `data/injection_ngrams.npz` (reproduced by `benchmarks/train_injection.py`) and
load once, on first use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from copilot.errors import ConfigError
from copilot.messages import msg

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "injection_ngrams.npz"
NGRAM_SIZES = (1, 2, 3, 4)
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: mixes one code point per step
_SCATTER = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier: spreads hashes over buckets
# Sentence ends (zh and en) and line breaks; used only to point a finding at a span.
_SENTENCE = re.compile(r"[^。！？!?\n.]+[。！？!?\n.]*")
_SPACES = re.compile(r"\s+")

Buckets = npt.NDArray[np.int64]


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, runs of whitespace to one space, padded by spaces."""
    return f" {_SPACES.sub(' ', unicodedata.normalize('NFKC', text).lower()).strip()} "


def ngram_buckets(text: str, bits: int) -> Buckets:
    """Distinct hash buckets of the 1–4 character n-grams of `text` (already normalized)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = []
    with np.errstate(over="ignore"):  # the hash is arithmetic modulo 2**64 by design
        for size in NGRAM_SIZES:
            count = len(points) - size + 1
            if count <= 0:
                break
            acc = np.full(count, np.uint64(size), dtype=np.uint64)
            for offset in range(size):
                acc = (acc ^ points[offset : offset + count]) * _MULTIPLIER
            parts.append((acc * _SCATTER) >> np.uint64(64 - bits))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(parts)).astype(np.int64)


class NgramModel:
    """P(injection) for a text: sigmoid(bias + sum of its n-gram weights / sqrt(#n-grams))."""

    def __init__(self, weights: npt.NDArray[np.float32], bias: float) -> None:
        bits = int(weights.size).bit_length() - 1
        if weights.ndim != 1 or weights.size != 1 << bits:
            raise ConfigError(
                msg(
                    f"注入检测模型的权重应是一个长度为 2**k 的向量,实际形状 {weights.shape}",
                    f"injection model weights must be one vector of 2**k floats, got shape "
                    f"{weights.shape}",
                ),
                hint=msg(
                    "用 `python -m benchmarks.train_injection` 重新生成",
                    "rebuild them with `python -m benchmarks.train_injection`",
                ),
            )
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.bits = bits

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        """Read weights saved by `save`; a missing or broken file raises ConfigError."""
        try:
            with np.load(path) as saved:
                return cls(saved["weights"], float(saved["bias"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(
                msg(f"无法读取注入检测模型: {exc}", f"cannot read the injection model: {exc}"),
                where=str(path),
                hint=msg(
                    "重新安装,或用 `python -m benchmarks.train_injection` 重新生成",
                    "reinstall the package or rebuild it with "
                    "`python -m benchmarks.train_injection`",
                ),
            ) from exc

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float16), bias=self.bias)

    def logit(self, text: str) -> float:
        buckets = ngram_buckets(normalize(text), self.bits)
        if not buckets.size:
            return self.bias
        return self.bias + float(self.weights[buckets].sum()) / float(np.sqrt(buckets.size))

    def probability(self, text: str) -> float:
        return float(1.0 / (1.0 + np.exp(-self.logit(text))))

    def strongest_sentence(self, text: str) -> tuple[int, int]:
        """Span of the sentence whose n-grams weigh most towards injection."""
        best, span = -np.inf, (0, len(text))
        for match in _SENTENCE.finditer(text):
            buckets = ngram_buckets(normalize(match.group()), self.bits)
            weight = float(self.weights[buckets].sum()) if buckets.size else -np.inf
            if weight > best:
                best, span = weight, match.span()
        return span


@lru_cache(maxsize=1)
def shipped_model() -> NgramModel:
    """The model bundled with the package, loaded on first use."""
    return NgramModel.load(WEIGHTS_PATH)
