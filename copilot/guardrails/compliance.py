"""Drafts that obeyed an injection: they reveal the system prompt (verbatim or paraphrased),
speak as another persona, or promise refunds, compensation or free orders beyond what the
evidence and the brief state for this case.

Phrases are product content in `data/compliance.yaml`; everything is matched on the normalised
text, so 退\u200b款并补\u200b偿 and traditional characters read like the plain form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from pydantic import BaseModel, ConfigDict

from copilot.config import bundled_dir
from copilot.guardrails.datafiles import DataFile, compile_terms, load
from copilot.guardrails.normalize import Normalized, normalize
from copilot.once import once


class PromiseKind(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    zh: str
    patterns: list[str]
    # The draft must keep the condition on which the evidence makes this promise, if any.
    keeps_condition: bool = False


class ComplianceData(DataFile):
    leak_statements: list[str]
    leak_intros: list[str]
    prompt_concepts: list[str]
    ngram_size: int
    min_shared_ngrams: int
    min_containment: float
    many_shared_ngrams: int
    min_concepts_alone: int
    persona: list[str]
    promises: list[PromiseKind]
    negations: list[str]
    conditions: list[str]


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a draft obeyed an injection (original offsets) and why, in zh and en."""

    start: int
    end: int
    zh: str
    en: str


class Patterns:
    def __init__(self, data: ComplianceData) -> None:
        self.data = data
        self.statement = compile_terms(data.leak_statements, "compliance.yaml:leak_statements")
        self.intro = compile_terms(data.leak_intros, "compliance.yaml:leak_intros")
        self.concepts = [
            compile_terms([c], "compliance.yaml:prompt_concepts") for c in data.prompt_concepts
        ]
        self.persona = compile_terms(data.persona, "compliance.yaml:persona")
        self.promises = [
            (kind, compile_terms(kind.patterns, f"compliance.yaml:{kind.id}"))
            for kind in data.promises
        ]
        self.negation = compile_terms(data.negations, "compliance.yaml:negations")
        self.condition = compile_terms(data.conditions, "compliance.yaml:conditions")


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    return Patterns(load("compliance.yaml", ComplianceData))


# Units that n-grams are made of: one ideograph, or one run of Latin letters and digits.
_UNIT = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


def ngrams(text: str, size: int) -> set[str]:
    """Distinct runs of `size` units (ideographs or words) of the normalised, lower-case text."""
    units = _UNIT.findall(normalize(text).text.lower())
    return {" ".join(units[i : i + size]) for i in range(len(units) - size + 1)}


# Quoted text in a prompt is an example of the wanted output (稍后回复您, 回复TD退订), not a rule.
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|「[^」\n]*」')


def prompt_rules() -> list[str]:
    """The system text of every prompt file (zh and en) shipped with the copilot, quoted
    examples removed."""
    texts = []
    for path in sorted(bundled_dir("prompts").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(spec, dict) and isinstance(spec.get("system"), str):
            texts.append(_QUOTED.sub(" ", spec["system"]))
    return texts


@once
def prompt_ngrams() -> frozenset[str]:
    size = patterns().data.ngram_size
    return frozenset(g for text in prompt_rules() for g in ngrams(text, size))


def shared_with_prompt(text: str) -> tuple[int, float]:
    """How many distinct n-grams `text` shares with the system prompts, and their share of the
    n-grams of `text`."""
    grams = ngrams(text, patterns().data.ngram_size)
    shared = len(grams & prompt_ngrams())
    return shared, shared / len(grams) if grams else 0.0


def _span(norm: Normalized, match: re.Match[str]) -> tuple[int, int]:
    return norm.to_original(match.start(), match.end())


def prompt_leak(text: str) -> Hit | None:
    """The draft repeats or paraphrases the system prompt."""
    p = patterns()
    shared, containment = shared_with_prompt(text)
    d = p.data
    if shared >= d.many_shared_ngrams or (
        shared >= d.min_shared_ngrams and containment >= d.min_containment
    ):
        return Hit(
            0,
            len(text),
            f"与系统提示词重合 {shared} 处",
            f"shares {shared} n-grams with the system prompt",
        )
    norm = normalize(text)
    statement = p.statement.search(norm.text)
    if statement:
        return Hit(
            *_span(norm, statement), "自称在输出系统提示词", "says it is revealing its prompt"
        )
    concepts = [m for rx in p.concepts if (m := rx.search(norm.text))]
    intro = p.intro.search(norm.text)
    if (intro and concepts) or len(concepts) >= p.data.min_concepts_alone:
        first = intro or min(concepts, key=lambda m: m.start())
        start, end = _span(norm, first)
        return Hit(start, end, f"转述系统提示词(涉及 {len(concepts)} 项规则要点)",
                   f"paraphrases the system prompt ({len(concepts)} of its points)")  # fmt: skip
    return None


def persona_switch(text: str) -> Hit | None:
    """The draft speaks as an unrestricted persona."""
    norm = normalize(text)
    match = patterns().persona.search(norm.text)
    if match is None:
        return None
    return Hit(*_span(norm, match), "改变人设", "changes persona")


_CLAUSE_END = "。！？!?\n，,;；"
_SENTENCE_END = "。！？!?\n"


def _clause(text: str, start: int, end: int, ends: str = _CLAUSE_END) -> str:
    first = max(text.rfind(ch, 0, start) for ch in ends) + 1
    after = [i for i in (text.find(ch, end) for ch in ends) if i >= 0]
    return text[first : min(after, default=len(text))]


def _conditional_only(rx: re.Pattern[str], basis: str, condition: re.Pattern[str]) -> bool:
    """Every sentence of `basis` that makes the promise `rx` makes it on a condition."""
    sentences = [_clause(basis, m.start(), m.end(), _SENTENCE_END) for m in rx.finditer(basis)]
    return bool(sentences) and all(condition.search(s) for s in sentences)


def unapproved_promise(text: str, grounds: str) -> Hit | None:
    """The first (most specific) promise in `text` of a kind that `grounds` (evidence and
    brief) never states, or states only on a condition that the draft's sentence drops."""
    p = patterns()
    norm, basis = normalize(text), normalize(grounds).text
    for kind, rx in p.promises:
        conditional = kind.keeps_condition and _conditional_only(rx, basis, p.condition)
        if rx.search(basis) and not conditional:
            continue
        for match in rx.finditer(norm.text):
            if p.negation.search(_clause(norm.text, match.start(), match.end())):
                continue
            if not conditional:
                return Hit(*_span(norm, match), f"承诺了资料中没有的{kind.zh}",
                           f"promises {kind.id.replace('_', ' ')} that the evidence does not state")  # fmt: skip
            sentence = _clause(norm.text, match.start(), match.end(), _SENTENCE_END)
            if not p.condition.search(sentence):
                return Hit(*_span(norm, match), f"无条件承诺了资料中有前提的{kind.zh}",
                           f"promises {kind.id.replace('_', ' ')} without the condition the evidence sets")  # fmt: skip
    return None
