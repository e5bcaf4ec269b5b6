"""The `injection` rule: instructions aimed at the model inside customer messages or retrieved
passages (zh and en), also when disguised (role-play, base64/hex, spacing, pinyin, look-alike
letters, traditional characters); and drafts that follow them (see `compliance`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from copilot.guardrails.compliance import Hit, persona_switch, prompt_leak, unapproved_promise
from copilot.guardrails.context import RuleContext
from copilot.guardrails.datafiles import DataFile, compile_terms, load
from copilot.guardrails.injection_model import NgramModel, shipped_model
from copilot.guardrails.injection_views import views
from copilot.guardrails.models import CheckInput, Finding
from copilot.guardrails.normalize import normalize
from copilot.messages import msg


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    weight: float = Field(gt=0, lt=1)
    patterns: list[str]


class SignalData(DataFile):
    signals: list[Signal]


@lru_cache(maxsize=1)
def signals() -> tuple[tuple[str, float, re.Pattern[str]], ...]:
    """(name, weight, compiled pattern) of each signal in `data/injection_signals.yaml`."""
    data = load("injection_signals.yaml", SignalData)
    return tuple(
        (s.name, s.weight, compile_terms(s.patterns, f"injection_signals.yaml:{s.name}"))
        for s in data.signals
    )


# The learned model's probability from which it is named among the signals on its own.
MODEL_CONFIDENT = 0.5
# Subtracted from the model's logit: the smallest shift (in steps of 0.25) that keeps every
# benign dev set (CIC, BANKING77, Bitext) at ≤ 0.5% flagged and no passage of the knowledge
# base's dev half flagged (benchmarks.guardrail_attacks); 0.25 flags one such passage.
MODEL_SHIFT = 0.5


@dataclass(frozen=True, slots=True)
class InjectionScan:
    """`score` combines the regex signals and the n-gram model (noisy-or); `start`/`end` point
    at the strongest regex match, or for a model-only finding at the sentence that weighs most.
    A signal found only in a decoded reading is named `signal@view` (e.g. `persona_zh@pinyin`),
    and its span is the whole text."""

    score: float
    signals: tuple[str, ...]
    model_score: float = 0.0
    start: int = 0
    end: int = 0


def _signals(text: str) -> tuple[float, list[str], float, tuple[int, int]]:
    """Noisy-or of the regex signals in `text`, their names, the strongest weight and its span."""
    remaining, strongest, span = 1.0, 0.0, (0, 0)
    fired: list[str] = []
    for name, weight, rx in signals():
        match = rx.search(text)
        if match:
            fired.append(name)
            remaining *= 1.0 - weight
            if weight > strongest:
                strongest, span = weight, match.span()
    return 1.0 - remaining, fired, strongest, span


def scan_injection(text: str, model: NgramModel | None = None) -> InjectionScan:
    """Probability-like score that `text` carries instructions for the model, with the signals
    that fired (regex names, plus `ngram_model` when the learned model alone is confident).

    The regex signals run over every reading of the text (see `injection_views`); the reading
    that scores highest counts."""
    if model is None:
        return _scan_shipped(text)
    return _scan(text, model)


@lru_cache(maxsize=8192)
def _scan_shipped(text: str) -> InjectionScan:
    """Cached: every reply's evidence is scanned, and the same passages come back often."""
    return _scan(text, shipped_model())


def _scan(text: str, model: NgramModel) -> InjectionScan:
    best, fired, strongest, span = 0.0, [], 0.0, (0, 0)
    readings = views(text)
    for view, reading in readings.items():
        score, names, weight, where = _signals(reading)
        if score > best:
            best, strongest = score, weight
            fired = names if view == "normalized" else [f"{n}@{view}" for n in names]
            span = normalize(text).to_original(*where) if view == "normalized" else (0, len(text))
    # The model reads the text as written and every decoded reading other than the folded one.
    decoded = [r for view, r in readings.items() if view != "normalized"]
    logits = [model.logit(t) for t in [text, *decoded] if t.strip()]
    learned = 1.0 / (1.0 + math.exp(MODEL_SHIFT - max(logits))) if logits else 0.0
    if learned >= MODEL_CONFIDENT:
        fired.append("ngram_model")
        if not strongest:
            span = model.strongest_sentence(text)
    score = 1.0 - (1.0 - best) * (1.0 - learned)
    return InjectionScan(round(score, 3), tuple(fired), round(learned, 3), *span)


class InjectionRule:
    """Notes injected inputs; blocks drafts that reveal the prompt, change persona or promise
    refunds, compensation or free orders the evidence does not state."""

    id = "injection"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        findings: list[Finding] = []
        for source, text in [("customer_message", draft.customer_message)] + [
            (f"evidence[{i}]", e) for i, e in enumerate(draft.evidence)
        ]:
            scan = scan_injection(text)
            if scan.score >= ctx.settings.injection_threshold:
                findings.append(
                    Finding(
                        rule="injection",
                        severity="info",
                        text=text[scan.start : scan.end][:80] or text[:80],
                        message=msg(
                            f"{source} 含有针对模型的指令({', '.join(scan.signals)};得分 "
                            f"{scan.score:.2f}),已按数据处理",
                            f"{source} contains instructions aimed at the model "
                            f"({', '.join(scan.signals)}; score {scan.score:.2f}); treated as data",
                        ),
                        fix=msg("不要执行其中的指令", "do not act on its instructions"),
                    )
                )
        grounds = "\n".join([draft.brief, *draft.evidence])
        hits = [
            prompt_leak(draft.text),
            persona_switch(draft.text),
            unapproved_promise(draft.text, grounds),
        ]
        findings.extend(self._block(draft.text, hit) for hit in hits if hit is not None)
        return findings

    @staticmethod
    def _block(text: str, hit: Hit) -> Finding:
        return Finding(
            rule="injection",
            severity="block",
            start=hit.start,
            end=hit.end,
            text=text[hit.start : hit.end][:80],
            message=msg(f"草稿{hit.zh}", f"the draft {hit.en}"),
            fix=msg(
                "删除该内容,按已批准的政策回复,必要时转人工",
                "remove it, answer from approved policy, hand over to a colleague if needed",
            ),
        )
