"""Fit the reply answerer's logistic model and threshold on DEV data only; write
copilot/answering/data/answer_model.json.

    python -m benchmarks.fit_answer_model [--data DATA] [--cic-limit 800] [--afqmc-limit 600]

Examples: every candidate passage the product retrieval returns for the dev split of
benchmarks/data/reply_cases.yaml (positive when its answer states the expected facts), CIC dev
questions against CIC train utterances (positive: same intent) and AFQMC dev paraphrase pairs
(positive: the pair's own sentence). Each data set weighs the same in the fit. The threshold is
the P(answers) with the most right minus WRONG_COST × wrong dev answers of the shop's cases.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

WRONG_COST = 4  # a wrong answer costs as much as four questions handed over that could be answered
L2 = 10.0  # overlap features are collinear; a firm ridge keeps their weights stable and signed
# Share of the fit each data set carries: the shop's own questions count as much as both public
# sets together, so the probabilities are calibrated where they are used.
SHARES = (0.5, 0.25, 0.25)


def kb_examples() -> tuple[list[np.ndarray], list[np.ndarray], list[tuple[float, bool]], float]:
    """Feature rows and labels per dev question; (best P input later), case-fact accuracy."""
    from benchmarks.answers import DEMO_NOW, demo_drafter, has_fact, load_cases
    from copilot.answering.cases import case_fact
    from copilot.answering.embedding import default_embed
    from copilot.answering.extract import answer_text
    from copilot.answering.handover import handover_kind
    from copilot.answering.passages import passage_of
    from copilot.answering.selection import passage_features
    from copilot.answering.splitting import split_questions
    from copilot.drafting import ReplyRequest

    drafter = demo_drafter()
    embed = default_embed()
    xs, ys = [], []
    facts_right = facts_total = 0
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
            if handover_kind(question) or not passages:
                continue
            if want.startswith("handover:") and want != "handover:unknown":
                continue
            fact = case_fact(question, passages, DEMO_NOW.date(), language == "en")
            if fact and not want.startswith("handover:"):
                facts_total += 1
                facts_right += has_fact(fact.text, want)
                continue  # answered by the case fact, not by passage selection
            unknown = want.startswith("handover:")
            xs.append(passage_features(question, passages, embed))
            ys.append(
                np.array(
                    [
                        0 if unknown else int(has_fact(answer_text(p, question), want))
                        for p in passages
                    ]
                )
            )
    return xs, ys, [], (facts_right + 1) / (facts_total + 2)  # Laplace: never a flat 1.0


def public_examples(lists: list[tuple[str, list[str], list[int]]]) -> tuple[np.ndarray, np.ndarray]:
    from copilot.answering.embedding import default_embed
    from copilot.answering.features import feature_matrix

    embed = default_embed()
    xs = [feature_matrix(q, c, c, embed) for q, c, _ in lists]
    return np.vstack(xs), np.concatenate([np.array(labels) for _, _, labels in lists])


def platt(model_p: list[np.ndarray], ys: list[np.ndarray]) -> tuple[float, float]:
    """Scale and shift mapping the best passage's logit P to the chance its answer is right."""
    from copilot.answering.calibration import fit_logistic

    best = np.array([float(p.max()) for p in model_p]).clip(1e-6, 1 - 1e-6)
    right = np.array([float(y[int(np.argmax(p))]) for p, y in zip(model_p, ys, strict=True)])
    logit = np.log(best / (1 - best))[:, None]
    weights, shift = fit_logistic(logit, right, np.ones(len(right)), l2=1e-3)
    return float(weights[0]), shift


def choose_threshold(model_p: list[np.ndarray], ys: list[np.ndarray]) -> float:
    """The threshold with the most right minus WRONG_COST × wrong answers on dev (the best
    candidate per question; a question the knowledge base cannot answer is wrong if answered)."""
    best = [(float(p.max()), bool(y[int(np.argmax(p))])) for p, y in zip(model_p, ys, strict=True)]

    def utility(t: float) -> float:
        return sum(1 if ok else -WRONG_COST for p, ok in best if p >= t)

    return round(float(max(np.arange(0.30, 0.96, 0.01), key=utility)), 2)


def main() -> None:
    from benchmarks.answer_data import afqmc_lists, cached, cic_lists, data_dir
    from copilot.answering.calibration import MODEL_FILE, fit_logistic
    from copilot.answering.features import NAMES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cic-limit", type=int, default=800)
    parser.add_argument("--afqmc-limit", type=int, default=600)
    parser.add_argument("--cache", type=Path, default=None, help="folder for CIC/AFQMC lists")
    parser.add_argument("--l2", type=float, default=L2, help="ridge penalty of the fit")
    args = parser.parse_args()
    os.environ["SIYU_HOME"] = tempfile.mkdtemp(prefix="siyu-fit-answers-")
    os.environ.pop("SIYU_LLM_BASE_URL", None)
    folder = data_dir(args.data)

    kb_x, kb_y, _, case_accuracy = kb_examples()
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
    x_kb, y_kb = np.vstack(kb_x), np.concatenate(kb_y)
    sets = [(x_kb, y_kb), (cic_x, cic_y), (afq_x, afq_y)]
    x = np.vstack([s[0] for s in sets])
    y = np.concatenate([s[1] for s in sets]).astype(float)
    weight = np.concatenate(
        [
            np.full(len(s[1]), share * len(y) / len(s[1]))
            for s, share in zip(sets, SHARES, strict=True)
        ]
    )
    weights, bias = fit_logistic(x, y, weight, l2=args.l2)

    def prob(m: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(m @ weights + bias)))

    threshold = choose_threshold([prob(m) for m in kb_x], kb_y)
    scale, shift = platt([prob(m) for m in kb_x], kb_y)
    model = {
        "features": list(NAMES),
        "weights": [round(float(w), 4) for w in weights],
        "bias": round(bias, 4),
        "threshold": threshold,
        "case_confidence": round(case_accuracy, 3),
        "answer_scale": round(scale, 4),
        "answer_shift": round(shift, 4),
        "fitted_on": {"shop_dev": len(y_kb), "cic_dev": len(cic_y), "afqmc_dev": len(afq_y)},
    }
    MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(model, ensure_ascii=False))


if __name__ == "__main__":
    main()
