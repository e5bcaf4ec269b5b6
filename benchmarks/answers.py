"""Reply answering benchmark: does the top suggestion answer the customer, and is its confidence
honest?

    python -m benchmarks.answers [--split test|dev] [--data DATA] [--no-cic] [--show N]

Customer messages with the facts a correct reply must contain are in
benchmarks/data/reply_cases.yaml (fixed dev/test split, see its header). Every reply goes through
the product code path (Drafter + template drafter, 模板模式) in a temporary SIYU_HOME with the
bundled demo knowledge base ingested and the clock on the demo date 2026-11-26.

Figures, on the chosen split:
- right fact: the top suggestion contains every expected fact (zh and en separately);
- confidently wrong: answers (not holding replies) with confidence ≥ 0.7 that are wrong;
- unanswerable: holding reply (needs_human, no citation) — overall and medical;
- multi-question: each question of a multi-question message answered or handed over;
- ECE: expected calibration error of the answers' confidence (10 equal-width bins);
- holding replies: mean confidence (the chance that handing over is right) against the share
  that were right to hold (the question needed a person or the knowledge base has no answer);
- CIC selective accuracy: CIC's train utterances grouped by intent are the FAQ, test_public
  sentences the questions; an intent's P is the sum of copilot.answering's P(answers) over its
  utterances among the candidates (as the reply adds up agreeing passages) and the most probable
  intent is answered when its P reaches the threshold; precision (answered intent = query
  intent) and coverage at the reply threshold and at a threshold chosen on CIC dev (first
  --cic-dev-limit questions) for 0.95 precision. CIC is read from DATA/dataclue_cic (--data
  FOLDER, or SIYU_BENCH_DATA).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import yaml

if TYPE_CHECKING:
    from copilot.drafting import Drafter

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "benchmarks" / "data" / "reply_cases.yaml"
DEMO_NOW = datetime(2026, 11, 26, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONFIDENT = 0.7
DASHES = re.compile(r"[–—~～至]")


def normalise(text: str) -> str:
    """Full-width folded, lower-cased, spaces dropped, every range dash as '-'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return DASHES.sub("-", re.sub(r"\s+", "", text))


def has_fact(text: str, fact: str) -> bool:
    """`a&b` needs both, `a|b` either."""
    body = normalise(text)
    return all(
        any(normalise(option) in body for option in part.split("|")) for part in fact.split("&")
    )


@dataclass
class Case:
    id: str
    split: str
    section: str
    message: str
    questions: list[str]

    @property
    def language(self) -> str:
        return self.id.split("-")[0]

    @property
    def unanswerable(self) -> bool:
        return all(q.startswith("handover:") for q in self.questions)

    @property
    def medical(self) -> bool:
        return self.questions == ["handover:medical"]


@dataclass
class Outcome:
    case: Case
    text: str
    confidence: float
    needs_human: bool
    cited: bool
    error: str = ""
    parts: list[bool] = field(default_factory=list)

    @property
    def holding(self) -> bool:
        return self.needs_human and not self.cited

    @property
    def held_rightly(self) -> bool:
        """A holding reply to a message whose every question needed a person."""
        return self.case.unanswerable

    @property
    def right(self) -> bool:
        return not self.case.unanswerable and all(self.parts)


def load_cases(split: str) -> list[Case]:
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [Case(**row) for row in data["cases"] if row["split"] == split]


def judge(case: Case, text: str, confidence: float, needs_human: bool, cited: bool) -> Outcome:
    out = Outcome(case, text, confidence, needs_human, cited)
    for question in case.questions:
        if question.startswith("handover:"):
            out.parts.append(needs_human)
        else:
            out.parts.append(has_fact(text, question))
    return out


def demo_drafter() -> Drafter:
    """A template drafter on the bundled demo knowledge base (ingested into SIYU_HOME), its
    clock on the demo date."""
    from copilot.config import get_settings
    from copilot.drafting import Drafter
    from copilot.llm.template import TemplateBackend
    from copilot.retrieval import Ingestor, Retriever
    from copilot.retrieval.store import open_store

    settings = get_settings()
    settings.ensure_home()
    store = open_store(settings)
    Ingestor(store, settings.retrieval).ingest([REPO / "knowledge"])
    retriever = Retriever.from_settings(settings)
    return Drafter.from_settings(
        settings, backend=TemplateBackend(), retriever=retriever, clock=lambda: DEMO_NOW
    )


def run_replies(cases: list[Case]) -> list[Outcome]:
    from copilot.drafting import ReplyRequest
    from copilot.errors import CopilotError

    drafter = demo_drafter()
    outcomes = []
    for case in cases:
        try:
            top = drafter.reply(ReplyRequest(message=case.message)).drafts[0]
        except CopilotError as exc:  # a clear error is a hand-over, never an answer
            outcome = judge(case, "", 0.0, True, False)
            outcome.error = str(exc)
            outcomes.append(outcome)
            continue
        outcomes.append(judge(case, top.text, top.confidence, top.needs_human, bool(top.citations)))
    return outcomes


def ece(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    if not pairs:
        return 0.0
    total = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if inside:
            confidence = sum(c for c, _ in inside) / len(inside)
            accuracy = sum(ok for _, ok in inside) / len(inside)
            total += len(inside) / len(pairs) * abs(confidence - accuracy)
    return total


def share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.1%}" if total else "n/a"


def report_replies(outcomes: list[Outcome], show: int) -> None:
    for language in ("zh", "en"):
        answerable = [
            o for o in outcomes if o.case.language == language and not o.case.unanswerable
        ]
        print(
            f"right fact in top suggestion ({language}):   {share(sum(o.right for o in answerable), len(answerable))}"
        )
    answers = [o for o in outcomes if not o.holding]
    wrong = [o for o in answers if o.confidence >= CONFIDENT and not o.right]
    print(f"confidently wrong (≥{CONFIDENT}, of answers): {share(len(wrong), len(answers))}")
    unanswerable = [o for o in outcomes if o.case.unanswerable]
    medical = [o for o in unanswerable if o.case.medical]
    print(
        f"unanswerable → holding + needs_human:  {share(sum(o.holding for o in unanswerable), len(unanswerable))}"
    )
    print(
        f"  medical:                             {share(sum(o.holding for o in medical), len(medical))}"
    )
    multi = [o for o in outcomes if len(o.case.questions) > 1]
    parts = [ok or o.needs_human for o in multi for ok in o.parts]
    print(f"multi-question: each answered/handed:  {share(sum(parts), len(parts))}")
    print(
        f"ECE of answers' confidence:            {ece([(o.confidence, o.right) for o in answers]):.3f} (n={len(answers)})"
    )
    held = [o for o in outcomes if o.holding]
    if held:
        mean = sum(o.confidence for o in held) / len(held)
        rightly = sum(o.held_rightly for o in held)
        print(
            f"holding replies: mean confidence {mean:.3f}, right to hold {share(rightly, len(held))}, "
            f"ECE {ece([(o.confidence, o.held_rightly) for o in held]):.3f}"
        )
    confidences = sorted({round(o.confidence, 2) for o in outcomes})
    print(f"distinct confidence values:            {len(confidences)}")
    failures = [o for o in outcomes if not (o.holding if o.case.unanswerable else o.right)]
    for o in failures[:show]:
        print(
            f"  ✗ {o.case.id} {o.case.message!r} want {o.case.questions} got "
            f"({o.confidence:.2f}, human={o.needs_human}) {o.text[:90]!r}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    parser.add_argument("--data", type=Path, default=None, help="folder holding dataclue_cic")
    parser.add_argument("--no-cic", action="store_true", help="skip the CIC figure")
    parser.add_argument("--cic-limit", type=int, default=None, help="first N CIC questions")
    parser.add_argument(
        "--cic-dev-limit", type=int, default=400, help="first N CIC dev questions (threshold)"
    )
    parser.add_argument("--cache", type=Path, default=None, help="folder for CIC candidate lists")
    parser.add_argument("--show", type=int, default=0, help="print up to N failing cases")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="siyu-bench-answers-"))
    os.environ["SIYU_HOME"] = str(home)
    os.environ.pop("SIYU_LLM_BASE_URL", None)

    cases = load_cases(args.split)
    started = time.perf_counter()
    outcomes = run_replies(cases)
    print(
        f"== replies, {args.split} split: {len(cases)} messages "
        f"({time.perf_counter() - started:.1f} s, 模板模式) =="
    )
    report_replies(outcomes, args.show)
    if not args.no_cic:
        from benchmarks.answer_data import cic_selective
        from benchmarks.data_folder import data_dir

        print("\n== CIC test_public, selective answering ==")
        cic_selective(
            data_dir(args.data, "dataclue_cic"),
            "test_public",
            args.cic_limit,
            args.cache,
            args.cic_dev_limit,
        )


if __name__ == "__main__":
    main()
