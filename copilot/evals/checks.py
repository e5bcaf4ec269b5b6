"""The assertion checks: each a small function from a subject (one draft or the whole result)
to an outcome that says passed, score and why. `copilot.evals.assertions` maps type names onto
them and handles negation (``not-…``) and the draft scope (``drafts: all|any|first``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import jsonschema

from copilot.drafting import Draft, DraftResult
from copilot.guardrails import scan_pii
from copilot.messages import Text, msg

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Outcome:
    passed: bool
    score: float
    reason: Text
    skipped: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Subject:
    """What an assertion looks at: a text (a draft, or the redacted input) and its context."""

    text: str
    draft: Draft | None
    result: DraftResult
    input_text: str


class Spec(Protocol):
    """What a check reads from its assertion (`copilot.evals.assertions.AssertionSpec`)."""

    @property
    def value(self) -> Any: ...

    @property
    def threshold(self) -> float | None: ...

    @property
    def rule(self) -> str | None: ...


class Tools(Protocol):
    """Collaborators some checks need (token counter, embedder, judge backend)."""

    def count_tokens(self, text: str) -> int: ...

    def similarity(self, a: str, b: str) -> float: ...

    def judge(self, rubric: str, input_text: str, output: str) -> Outcome: ...


def _verdict(passed: bool, reason: Text, score: float | None = None) -> Outcome:
    return Outcome(passed, 1.0 if score is None and passed else score or 0.0, reason)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def equals(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    ok = s.text.strip() == str(spec.value).strip()
    return _verdict(ok, msg("与期望完全一致", "equal") if ok else f"≠ «{spec.value}»")


def _contains(s: Subject, spec: Spec, *, fold: bool, need_all: bool) -> Outcome:
    text = s.text.casefold() if fold else s.text
    wanted = _strings(spec.value)
    found = [w for w in wanted if (w.casefold() if fold else w) in text]
    missing = [w for w in wanted if w not in found]
    ok = not missing if need_all else bool(found)
    score = len(found) / len(wanted) if wanted else 0.0
    reason = (
        msg(f"包含 {found}", f"found {found}")
        if ok
        else msg(f"缺少 {missing}", f"missing {missing}")
    )
    return _verdict(ok, reason, 1.0 if ok else score)


def contains(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    return _contains(s, spec, fold=False, need_all=True)


def icontains(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    return _contains(s, spec, fold=True, need_all=True)


def contains_any(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    return _contains(s, spec, fold=False, need_all=False)


def icontains_any(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    return _contains(s, spec, fold=True, need_all=False)


def starts_with(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    ok = s.text.strip().startswith(str(spec.value))
    return _verdict(
        ok, msg(f"开头为 «{s.text.strip()[:20]}»", f"starts with «{s.text.strip()[:20]}»")
    )


def regex(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    match = re.search(str(spec.value), s.text)
    return _verdict(
        bool(match),
        msg(f"匹配 «{match.group()}»", f"matched «{match.group()}»")
        if match
        else msg("无匹配", "no match"),
    )


def is_json(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    try:
        data = json.loads(s.text)
    except json.JSONDecodeError as exc:
        return _verdict(False, msg("不是 JSON", "not JSON") + f": {exc.msg} at {exc.pos}")
    if spec.value:
        try:
            jsonschema.validate(data, spec.value)
        except jsonschema.ValidationError as exc:
            return _verdict(False, msg("不符合 schema", "schema mismatch") + f": {exc.message}")
    return _verdict(True, msg("有效 JSON", "valid JSON"))


def max_length(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    n = len(s.text)
    return _verdict(
        n <= int(spec.value), msg(f"{n} 字(上限 {spec.value})", f"{n} chars (max {spec.value})")
    )


def max_tokens(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    n = tools.count_tokens(s.text)
    return _verdict(
        n <= int(spec.value),
        msg(f"{n} tokens(上限 {spec.value})", f"{n} tokens (max {spec.value})"),
    )


def detect_language(text: str) -> str:
    """zh when Chinese characters make up at least 30% of the letters, en when none do."""
    cjk, latin = len(CJK.findall(text)), sum(len(w) for w in LATIN_WORD.findall(text))
    if cjk and cjk / (cjk + latin) >= 0.3:
        return "zh"
    return "en" if latin and not cjk else "mixed"


def language(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    found = detect_language(s.text)
    return _verdict(
        found == spec.value,
        msg(f"语言:{found}(应为 {spec.value})", f"language: {found} (want {spec.value})"),
    )


def cites_source(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    cites = s.draft.citations if s.draft else []
    sources = [c.source for c in cites]
    ok = bool(cites) and (not spec.value or any(str(spec.value) in src for src in sources))
    reason = (
        msg(f"引用 {sources}", f"cites {sources}") if cites else msg("没有引用", "cites nothing")
    )
    if spec.value and not ok:
        reason += msg(f"(应为 {spec.value})", f" (want {spec.value})")
    return _verdict(ok, reason)


def grounded(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    findings = [
        f
        for f in (s.draft.verdict.findings if s.draft else [])
        if f.rule == "grounding" and f.severity == "block"
    ]
    spans = [f.text for f in findings]
    return _verdict(
        not findings,
        msg(f"无依据:{spans}", f"unsupported: {spans}") if spans else msg("数字有据", "grounded"),
    )


def no_pii(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    allowed = set(_strings(spec.value)) if spec.value else set()
    found = [e for e in scan_pii(s.text) if e.type not in allowed]
    reason = ", ".join(f"{e.type}«{e.text}»" for e in found)
    return _verdict(
        not found,
        msg(f"含个人信息:{reason}", f"PII: {reason}") if found else msg("无个人信息", "no PII"),
    )


def verdict_is(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    if s.draft is None:
        return _verdict(False, msg("没有草稿", "no draft"))
    verdict = s.draft.verdict
    wanted = _strings(spec.value)
    rules = sorted({f.rule for f in verdict.findings})
    ok = verdict.verdict in wanted
    if spec.rule:
        ok = ok and any(f.rule == spec.rule for f in verdict.findings)
    return _verdict(
        ok,
        msg(
            f"{verdict.verdict}(规则 {rules};应为 {wanted} {spec.rule or ''})",
            f"{verdict.verdict} (rules {rules}; want {wanted} {spec.rule or ''})",
        ),
    )


def needs_human(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    want = True if spec.value is None else bool(spec.value)
    got = bool(s.draft and s.draft.needs_human)
    return _verdict(
        got == want, msg(f"needs_human={got}(应为 {want})", f"needs_human={got} (want {want})")
    )


def marketing_share_max(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    if s.draft is None:
        return _verdict(False, msg("没有草稿", "no draft"))
    summary = s.draft.verdict.marketing
    share = summary.window_share if summary.window_share is not None else summary.sentence_share
    return _verdict(
        share <= float(spec.value), msg(f"营销占比 {share:.0%}", f"marketing share {share:.0%}")
    )


def similar(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    score = tools.similarity(s.text, str(spec.value))
    threshold = spec.threshold if spec.threshold is not None else 0.75
    return _verdict(
        score >= threshold,
        msg(f"余弦 {score:.3f}(下限 {threshold})", f"cosine {score:.3f} (min {threshold})"),
        score,
    )


def llm_rubric(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    outcome = tools.judge(str(spec.value), s.input_text, s.text)
    if outcome.skipped or spec.threshold is None:
        return outcome
    return Outcome(
        outcome.score >= spec.threshold, outcome.score, outcome.reason, False, outcome.details
    )


def latency(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    limit = float(spec.threshold if spec.threshold is not None else spec.value)
    ms = s.result.latency_ms
    return _verdict(
        ms <= limit, msg(f"{ms:.0f} ms(上限 {limit:.0f})", f"{ms:.0f} ms (max {limit:.0f})")
    )


def cost(s: Subject, spec: Spec, tools: Tools) -> Outcome:
    limit = float(spec.threshold if spec.threshold is not None else spec.value)
    spent = s.result.cost
    if spent is None:
        return _verdict(False, msg("模型不在价格表中,无法核算", "model not in the price table"))
    return _verdict(
        spent <= limit, msg(f"¥{spent:.6f}(上限 ¥{limit})", f"¥{spent:.6f} (max ¥{limit})")
    )
