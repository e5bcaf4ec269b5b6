"""Fit the reply answerer's logistic model and threshold on DEV data only; write
copilot/answering/data/answer_model.json.

    python -m benchmarks.fit_answer_model [--data DATA] [--cic-limit 800] [--afqmc-limit 600]

Examples: every candidate passage the product retrieval returns for the dev split of
benchmarks/data/reply_cases.yaml (positive when its answer states the expected facts), CIC dev
questions against CIC train utterances (positive: same intent) and AFQMC dev paraphrase pairs
(positive: the pair's own sentence). The shop's questions weigh as much as both public sets
together. The threshold is the P(answers) with the most right minus WRONG_COST × wrong dev answers
of the shop's cases (at a tie, the one with fewer wrong), and the confidence mapping is fitted
there too, both on out-of-fold probabilities (each question scored by a model fitted without
it). The dev questions answered wrongly out of fold are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

WRONG_COST = 4  # a wrong answer costs as much as four questions handed over that could be answered
L2 = 10.0  # overlap features are collinear; a firm ridge keeps their weights stable and signed
# Share of the fit each data set carries: the shop's own questions count as much as both public
# sets together, so the probabilities are calibrated where they are used.
SHARES = (0.5, 0.25, 0.25)
FOLDS = 5  # threshold and confidence mapping from out-of-fold probabilities


class ShopExamples(NamedTuple):
    """Per dev question: candidates' feature rows, labels and answers; the share of case facts
    right and of questions a hand-over rule held that needed a person."""

    xs: list[np.ndarray]
    ys: list[np.ndarray]
    texts: list[list[str]]
    questions: list[str]
    case_accuracy: float
    handover_accuracy: float


def laplace(hits: int, total: int) -> float:
    """A share that is never a flat 0 or 1 on few examples."""
    return (hits + 1) / (total + 2)


def kb_examples() -> ShopExamples:
    """The shop's dev questions as the reply reads them (see ShopExamples)."""
    from benchmarks.answers import DEMO_NOW, demo_drafter, has_fact, load_cases
    from copilot.answering.cases import case_fact
    from copilot.answering.compose import of_variant
    from copilot.answering.embedding import default_embed
    from copilot.answering.extract import answer_text
    from copilot.answering.handover import handover_kind
    from copilot.answering.passages import passage_of
    from copilot.answering.selection import passage_features
    from copilot.answering.splitting import split_questions
    from copilot.drafting import ReplyRequest

    drafter = demo_drafter()
    embed = default_embed()
    xs, ys, texts, asked = [], [], [], []
    facts_right = facts_total = held_right = held_total = 0
    for case in load_cases("dev"):
        questions = split_questions(case.message)
        if len(questions) != len(case.questions):
            continue
        plan = drafter.plan_reply(ReplyRequest(message=case.message))
        prepared = drafter.engine.prepare(plan)
        language = prepared.chat.context["language"]
        passages = [passage_of(e) for e in prepared.chat.context["evidence"]]
        passages = [p for p in passages if p.language == language] or passages
        for question, want in zip(questions, case.questions, strict=True):
            if handover_kind(question):
                held_total += 1
                held_right += want.startswith("handover:")
                continue
            if not passages:
                continue
            if want.startswith("handover:") and want != "handover:unknown":
                continue
            fact = case_fact(
                question, of_variant(question, passages), DEMO_NOW.date(), language == "en"
            )
            if fact and not want.startswith("handover:"):
                facts_total += 1
                facts_right += has_fact(fact.text, want)
                continue  # answered by the case fact, not by passage selection
            candidates = of_variant(question, passages)
            unknown = want.startswith("handover:")
            answers = [answer_text(p, question) for p in candidates]
            xs.append(passage_features(question, candidates, embed, answers))
            ys.append(np.array([0 if unknown else int(has_fact(a, want)) for a in answers]))
            texts.append(answers)
            asked.append(question)
    return ShopExamples(
        xs, ys, texts, asked, laplace(facts_right, facts_total), laplace(held_right, held_total)
    )


def public_examples(lists: list[tuple[str, list[str], list[int]]]) -> tuple[np.ndarray, np.ndarray]:
    from copilot.answering.embedding import default_embed
    from copilot.answering.features import feature_matrix

    embed = default_embed()
    xs = [feature_matrix(q, c, c, embed) for q, c, _ in lists]
    return np.vstack(xs), np.concatenate([np.array(labels) for _, _, labels in lists])


class Chosen(NamedTuple):
    """One question's answer as the reply picks it: P with the agreeing candidates, whether it
    is right, and its text."""

    probability: float
    right: bool
    answer: str


def chosen(
    kb_x: list[np.ndarray],
    models: list[tuple[np.ndarray, float]],
    ys: list[np.ndarray],
    texts: list[list[str]],
) -> list[Chosen]:
    """Per question, as the reply picks it (`specific_choice`, with the question's model)."""
    from copilot.answering.agreement import support
    from copilot.answering.selection import specific_choice

    out = []
    for x, (weights, bias), y, answers in zip(kb_x, models, ys, texts, strict=True):
        best, given = specific_choice(x, weights, bias)
        # a product row saying nothing asked is handed over, as in the reply (P 0)
        probability = support(best, answers, list(given)) if answers[best] else 0.0
        out.append(Chosen(probability, bool(y[best]), answers[best]))
    return out


def report_out_of_fold(
    best: list[Chosen], questions: list[str], threshold: float, scale: float, shift: float
) -> None:
    """The dev questions answered by the passage choice, each scored by a model fitted without
    it: how many were answered, right, and wrong with confidence ≥ 0.7; the wrong ones listed."""
    from benchmarks.answers import CONFIDENT
    from copilot.answering.calibration import AnswerModel

    mapping = AnswerModel(
        features=[],
        weights=[],
        bias=0.0,
        threshold=threshold,
        case_confidence=0.0,
        handover_confidence=0.0,
        answer_scale=scale,
        answer_shift=shift,
    )
    answered = [(q, c) for q, c in zip(questions, best, strict=True) if c.probability >= threshold]
    wrong = [(q, c) for q, c in answered if not c.right]
    confident = [(q, c) for q, c in wrong if mapping.answer_confidence(c.probability) >= CONFIDENT]
    print(
        f"out of fold on dev: {len(best)} questions, answered {len(answered)}, "
        f"right {len(answered) - len(wrong)}, wrong {len(wrong)} "
        f"(confidence ≥ {CONFIDENT}: {len(confident)})"
    )
    for question, c in wrong:
        confidence = mapping.answer_confidence(c.probability)
        print(f"  ✗ {question!r} P={c.probability:.2f} conf={confidence:.2f} {c.answer[:60]!r}")


def platt(best: list[Chosen]) -> tuple[float, float]:
    """Scale and shift mapping the chosen answer's logit P to the chance it is right."""
    from copilot.answering.calibration import fit_logistic

    probability = np.array([c.probability for c in best]).clip(1e-6, 1 - 1e-6)
    right = np.array([float(c.right) for c in best])
    logit = np.log(probability / (1 - probability))[:, None]
    weights, shift = fit_logistic(logit, right, np.ones(len(right)), l2=1e-3)
    return float(weights[0]), shift


def choose_threshold(best: list[Chosen]) -> float:
    """The threshold with the most right minus WRONG_COST × wrong answers on dev (the chosen
    candidate per question; a question the knowledge base cannot answer is wrong if answered);
    between thresholds doing as well, the one answering fewer questions wrongly."""

    def utility(t: float) -> tuple[float, int]:
        answered = [c.right for c in best if c.probability >= t]
        wrong = answered.count(False)
        return len(answered) - wrong - WRONG_COST * wrong, -wrong

    return round(float(max(np.arange(0.30, 0.96, 0.01), key=utility)), 2)


Lists = list[tuple[np.ndarray, np.ndarray]]  # per question: candidates' features, 0/1 labels


def fit(kb: Lists, public: list[Lists], l2: float) -> tuple[np.ndarray, float]:
    """The choice model on the shop's questions and the public sets, each weighing its share."""
    from copilot.answering.calibration import fit_choice

    sets = [kb, *public]
    total = sum(len(s) for s in sets)
    weight = np.concatenate(
        [np.full(len(s), share * total / len(s)) for s, share in zip(sets, SHARES, strict=True)]
    )
    return fit_choice([q for s in sets for q in s], weight, l2=l2)


def out_of_fold(kb: Lists, public: list[Lists], l2: float) -> list[tuple[np.ndarray, float]]:
    """For every shop question, the model (weights, bias) fitted without its fold."""
    out: list[tuple[np.ndarray, float]] = [(np.zeros(0), 0.0)] * len(kb)
    for fold in range(FOLDS):
        model = fit([q for i, q in enumerate(kb) if i % FOLDS != fold], public, l2)
        for i in range(fold, len(kb), FOLDS):
            out[i] = model
    return out


def per_question(x: np.ndarray, y: np.ndarray) -> Lists:
    """A public set's stacked rows back into its questions (CANDIDATES rows each)."""
    from benchmarks.answer_data import CANDIDATES

    return [(x[i : i + CANDIDATES], y[i : i + CANDIDATES]) for i in range(0, len(y), CANDIDATES)]


def main() -> None:
    from benchmarks.answer_data import afqmc_lists, cached, cic_lists
    from benchmarks.data_folder import data_dir
    from copilot.answering.calibration import MODEL_FILE
    from copilot.answering.features import NAMES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cic-limit", type=int, default=800)
    parser.add_argument("--afqmc-limit", type=int, default=600)
    parser.add_argument("--cache", type=Path, default=None, help="folder for CIC/AFQMC lists")
    parser.add_argument("--l2", type=float, default=L2, help="ridge penalty of the fit")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    args = parser.parse_args()
    os.environ["SIYU_HOME"] = tempfile.mkdtemp(prefix="siyu-fit-answers-")
    os.environ.pop("SIYU_LLM_BASE_URL", None)
    folder = data_dir(args.data, "dataclue_cic", "dataclue_afqmc")

    shop = kb_examples()
    kb_x, kb_y, kb_answers = shop.xs, shop.ys, shop.texts
    public = args.cache / f"public_{args.cic_limit}_{args.afqmc_limit}.npz" if args.cache else None
    if public and public.is_file() and tuple(np.load(public)["names"]) == NAMES:
        stored = np.load(public)
        cic_x, cic_y, afq_x, afq_y = (stored[k] for k in ("cic_x", "cic_y", "afq_x", "afq_y"))
    else:
        cic = cached(
            args.cache,
            f"cic_dev_{args.cic_limit}",
            lambda: cic_lists(folder, "dev", args.cic_limit),
        )
        afq = cached(
            args.cache,
            f"afqmc_dev_{args.afqmc_limit}",
            lambda: afqmc_lists(folder, args.afqmc_limit),
        )
        cic_x, cic_y = public_examples(cic)
        afq_x, afq_y = public_examples(afq)
        if public:
            np.savez(
                public, names=np.array(NAMES), cic_x=cic_x, cic_y=cic_y, afq_x=afq_x, afq_y=afq_y
            )
    kb = list(zip(kb_x, kb_y, strict=True))
    public = [per_question(cic_x, cic_y), per_question(afq_x, afq_y)]
    weights, bias = fit(kb, public, args.l2)
    # The threshold and the confidence mapping are chosen on probabilities of questions the
    # model was not fitted on (out of fold), as they will be for a customer's new question.
    held_out = out_of_fold(kb, public, args.l2)
    best = chosen(kb_x, held_out, kb_y, kb_answers)
    threshold = choose_threshold(best)
    scale, shift = platt(best)
    report_out_of_fold(best, shop.questions, threshold, scale, shift)
    model = {
        "features": list(NAMES),
        "weights": [round(float(w), 4) for w in weights],
        "bias": round(bias, 4),
        "threshold": threshold,
        "case_confidence": round(shop.case_accuracy, 3),
        "handover_confidence": round(shop.handover_accuracy, 3),
        "answer_scale": round(scale, 4),
        "answer_shift": round(shift, 4),
        "fitted_on": {"shop_dev": len(kb), "cic_dev": len(public[0]), "afqmc_dev": len(public[1])},
    }
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(model, ensure_ascii=False))


if __name__ == "__main__":
    main()
