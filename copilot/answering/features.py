"""Features of (question, candidate passage) pairs for P(the passage answers the question).

The same features are computed for the shop's knowledge base and for the public paraphrase and
intent sets the model is fitted on, so each must only need a question, the candidates' question
and full texts, their order and an embedder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from copilot.answering.lexicon import (
    asked_types,
    asked_units,
    canonical,
    char_grams,
    key_terms,
    lexicon,
    states_type,
    states_unit,
    topics,
    without_asks,
)

Embed = Callable[[Sequence[str]], np.ndarray]
NAMES = (
    "emb_question",
    "emb_question_gap",
    "emb_passage",
    "bigram_question",
    "cover_passage",
    "cover_question",
    "inverse_rank",
    "margin",
    "topics_missed",
    "answer_topics_missed",
    "head_other_topics",
    "head_in_question",
    "product_field",
    "states_asked_value",
    "unseen_terms",
    "states_asked_unit",
    "head_other_matter",
)


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def feature_matrix(
    question: str,
    heads: Sequence[str],
    bodies: Sequence[str],
    embed: Embed,
    products: Sequence[bool] | None = None,
    answers: Sequence[str] | None = None,
) -> np.ndarray:
    """One row of NAMES features per candidate (heads: question halves, bodies: full texts,
    products: which candidates are product rows answering the question, answers: answer halves, default the full
    texts), candidates in retrieval order."""
    n = len(heads)
    if n == 0:
        return np.zeros((0, len(NAMES)), dtype=np.float64)
    vectors = np.asarray(embed([question, *heads, *bodies]), dtype=np.float64)
    q = vectors[0]
    emb_q = vectors[1 : n + 1] @ q
    emb_p = vectors[n + 1 :] @ q
    answers = answers or bodies
    grams, terms, wanted = char_grams(question), key_terms(question), topics(question)
    goods = set(lexicon().product_topics)
    matters, named = wanted - goods, wanted & goods  # 发货 and 奶粉 in 奶粉几点发货
    kinds = asked_types(question)
    products = products or [False] * n
    head_sets = [key_terms(h) for h in heads]
    body_sets = [key_terms(b) for b in bodies]
    # words of the question no candidate mentions at all (羊奶, 花呗, paypal): likely unanswerable;
    # a word inside another is mentioned (加糖 in 不额外添加糖, whatever the segmentation)
    # (the words asking for the value, 多大 容量 in 奶瓶多大容量, are no matter to mention)
    texts = [canonical(t) for t in (*heads, *bodies)]
    matter = key_terms(without_asks(question))
    unseen = _share(matter, {t for t in matter if not any(t in text for text in texts)})
    stated = [not kinds or states_type(body, kinds) for body in bodies]
    # the unit asked (几倍, 几袋): +1 when the answer states a number in it, -1 when it does not
    units = asked_units(question)
    in_unit = [(1.0 if states_unit(a, units) else -1.0) if units else 0.0 for a in answers]
    rows = []
    for i in range(n):
        head_terms, body_terms = head_sets[i], body_sets[i]
        head_topics = topics(heads[i])
        rows.append(
            [
                emb_q[i],
                0.0,  # emb_question_gap, see with_relative
                emb_p[i],
                _share(grams, char_grams(heads[i])),
                _share(terms, body_terms | head_terms),
                _share(terms, head_terms),
                1.0 / (i + 1),
                0.0,
                _share(wanted, wanted - head_topics - topics(bodies[i])),
                # the answer speaks of another matter (发货后几天能到 answers 送达, not 发货)
                _share(wanted, wanted - topics(answers[i])),
                _share(head_topics, head_topics - wanted),
                _share(head_terms, terms),
                # a row of the product asked about answering it: the field asked for, or a note on
                # what is asked beyond the name (含DHA), stating the kind of value asked if one is
                # (按摩油怀孕几个月开始用: 适用孕期 states no age)
                float(products[i] and _share(head_terms, terms) > 0 and stated[i]),
                float(bool(kinds) and stated[i]),
                unseen,
                in_unit[i],
                # the question half names the product asked about with another matter of the shop
                # than the one asked: the answer speaks of that in passing (买的奶粉保质期还有多久:
                # 我们发出的奶粉… for 奶粉几点发货)
                float(
                    bool(
                        matters
                        and head_topics & named
                        and head_topics - goods
                        and not head_topics & matters
                    )
                ),
            ]
        )
    return with_relative(np.asarray(rows, dtype=np.float64))


def _gap(values: np.ndarray) -> np.ndarray:
    """Each value minus the largest other one (0 when it is alone)."""
    if len(values) < 2:
        return np.zeros(len(values))
    top = np.sort(values)[::-1]
    return values - np.where(values == top[0], top[1], top[0])


def with_relative(x: np.ndarray) -> np.ndarray:
    """The feature rows with the features that compare a candidate with the others (gap to the
    best other question half, margin, rank) computed among these rows only, in retrieval order
    (read back from inverse_rank): a choice among some of the candidates compares them alone."""
    out = x.copy()
    if not len(out):
        return out
    column = NAMES.index
    order = np.argsort(-out[:, column("inverse_rank")], kind="stable")
    out[order, column("inverse_rank")] = 1.0 / np.arange(1, len(out) + 1)
    out[:, column("emb_question_gap")] = _gap(out[:, column("emb_question")])
    out[:, column("margin")] = _gap(
        out[:, column("emb_question")] + out[:, column("cover_passage")]
    )
    return out
