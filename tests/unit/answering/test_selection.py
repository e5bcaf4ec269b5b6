from __future__ import annotations

import numpy as np
import pytest

from copilot.answering.agreement import support
from copilot.answering.calibration import (
    answer_model,
    choice_probabilities,
    fit_choice,
    fit_logistic,
)
from copilot.answering.extract import answer_text
from copilot.answering.features import NAMES, Embed
from copilot.answering.passages import Passage
from copilot.answering.selection import passage_features, score_passages, specific_choice


def test_probabilities_are_sorted_and_bounded(passages: list[Passage], embed: Embed) -> None:
    scored = score_passages("满多少包邮", passages, embed)
    probabilities = [s.probability for s in scored]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert sum(probabilities) < 1.0  # the rest is P(none of them answers)
    assert scored[0].passage.id == "K3"
    assert scored[0].probability >= answer_model().threshold


def test_a_passage_on_another_topic_is_less_probable(passages: list[Passage], embed: Embed) -> None:
    scored = {s.passage.id: s for s in score_passages("冲奶粉水温多少度合适", passages, embed)}
    bath = scored["K1"]
    assert bath.features["topics_missed"] == 1.0  # bath water, not formula
    assert scored["K2"].features["topics_missed"] == 0.0
    rows = np.array([[*s.features.values()] for s in scored.values()])
    same_topic = rows.copy()
    same_topic[list(scored).index("K1"), list(bath.features).index("topics_missed")] = 0.0
    model = answer_model()
    k1 = list(scored).index("K1")
    assert model.probabilities(rows)[k1] < model.probabilities(same_topic)[k1]


def test_a_passage_asking_about_another_matter_is_marked(embed: Embed) -> None:
    delivery = Passage(
        id="D", text="问:发货后几天能到？\n答:一般1–2天送达。", question="发货后几天能到？"
    )
    dispatch = Passage(
        id="S", text="问:下单后多久发货？\n答:16:00前付款当天发货。", question="下单后多久发货？"
    )
    scored = {
        s.passage.id: s for s in score_passages("发货一般要几天", [delivery, dispatch], embed)
    }
    assert scored["D"].features["head_other_topics"] == 0.5  # it asks about arrival too
    assert scored["S"].features["head_other_topics"] == 0.0


def test_nothing_to_score_is_an_empty_list(embed: Embed) -> None:
    assert score_passages("满多少包邮", [], embed) == []


def test_logistic_fit_finds_the_separating_direction() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    weights, _ = fit_logistic(x, y, np.ones(len(y)))
    assert weights[0] > 1 and weights[1] < -1


def test_choice_probabilities_leave_room_for_none() -> None:
    p = choice_probabilities(np.array([[1.0], [0.0]]), np.array([2.0]), 0.0)
    assert p[0] > p[1] > 0
    assert abs(p.sum() - (np.exp(2) + 1) / (np.exp(2) + 2)) < 1e-9


def test_choice_fit_recovers_the_weights_that_made_the_choices() -> None:
    rng = np.random.default_rng(0)
    truth, lists = np.array([2.0, -1.0]), []
    for _ in range(600):
        x = rng.normal(size=(int(rng.integers(2, 8)), 2))
        p = choice_probabilities(x, truth, -1.0)
        pick = rng.choice(len(x) + 1, p=np.r_[p, 1 - p.sum()])
        lists.append((x, (np.arange(len(x)) == pick).astype(float)))
    weights, bias = fit_choice(lists, np.ones(len(lists)))
    assert np.abs(weights - truth).max() < 0.3 and abs(bias + 1.0) < 0.3


def test_candidates_stating_the_same_values_support_one_answer() -> None:
    answers = ["水晾到40–50℃再冲。", "冲调水温40-50℃；开罐后4周内用完。", "洗澡水温约37–40℃。"]
    probabilities = [0.3, 0.25, 0.2]
    assert support(0, answers, probabilities) == pytest.approx(0.55)  # same range, any dash
    assert support(2, answers, probabilities) == pytest.approx(0.2)  # 37–40 is another range
    assert (
        support(0, ["不支持指定快递。", "暂不支持。"], [0.4, 0.3]) == 0.4
    )  # no values to agree on


def test_answers_without_values_agree_when_they_say_the_same_words() -> None:
    faq = "订单由合作快递配送，暂不支持指定快递公司。"
    policy = "订单由合作快递配送，系统根据收货地址自动匹配，暂不支持指定快递公司。"
    assert support(0, [faq, policy, "目前仅支持中国大陆地址配送。"], [0.4, 0.2, 0.1]) == (
        pytest.approx(0.6)
    )


def test_candidates_kept_apart_are_compared_among_themselves(
    passages: list[Passage], embed: Embed
) -> None:
    from copilot.answering.features import NAMES, with_relative

    question = "冲奶粉水温多少度合适"
    answers = [answer_text(p, question) for p in passages]
    full = passage_features(question, passages, embed, answers)
    keep = [1, 3, 4]  # retrieval ranks 2, 4, 5 become 1, 2, 3
    alone = passage_features(
        question, [passages[i] for i in keep], embed, [answers[i] for i in keep]
    )
    # every feature as if only these had been retrieved, but the words no retrieved passage
    # mentions: that is about what the knowledge base covers, so it stays
    compared = [i for i, name in enumerate(NAMES) if name != "unseen_terms"]
    assert np.allclose(with_relative(full[keep])[:, compared], alone[:, compared])
    assert not np.allclose(full[keep][:, compared], alone[:, compared])


def test_the_specific_passage_is_chosen_with_its_chance_among_the_specific(embed: Embed) -> None:
    from copilot.answering.passages import passage_of
    from tests.unit.answering.conftest import evidence

    general = passage_of(evidence("K1", "问:下单后多久发货？\n答:每天16:00前付款的订单当天发货。"))
    stroller = passage_of(
        evidence("K2", "问:婴儿推车什么时候发货？\n答:婴儿推车由工厂直发，付款后3个工作日内发货。")
    )
    model = answer_model()
    question, candidates = "推车下单后多久发出", [general, stroller]
    x = passage_features(
        question, candidates, embed, [answer_text(p, question) for p in candidates]
    )
    weights = np.asarray(model.weights)
    best, given = specific_choice(x, weights, model.bias)
    everyone = choice_probabilities(x, weights, model.bias)
    assert best == 1 and given[0] == 0.0
    assert given[1] > everyone[1]


def test_a_passage_naming_the_asked_matter_only_in_passing_is_not_the_specific_one(
    embed: Embed,
) -> None:
    shelf = Passage(
        id="L",
        text="问:买的奶粉保质期还有多久？\n答:奶粉保质期为24个月，我们发出的奶粉距离到期不少于12个月。",
        question="买的奶粉保质期还有多久？",
        answer="奶粉保质期为24个月，我们发出的奶粉距离到期不少于12个月。",
    )
    dispatch = Passage(
        id="S",
        text="问:下单后多久发货？\n答:每天16:00前付款的订单当天发货。",
        question="下单后多久发货？",
        answer="每天16:00前付款的订单当天发货。",
    )
    scored = score_passages("奶粉几点发货", [shelf, dispatch], embed)
    by_id = {s.passage.id: s for s in scored}
    assert by_id["L"].features["topics_missed"] == 0.0  # 发出 names dispatch, in passing
    assert by_id["L"].features["head_other_matter"] == 1.0
    assert by_id["S"].features["head_other_matter"] == 0.0
    model = answer_model()
    x = np.array([[s.features[n] for n in NAMES] for s in scored])
    index, given = specific_choice(x, np.asarray(model.weights), model.bias)
    assert scored[index].passage.id == "S"
    assert given[[s.passage.id for s in scored].index("L")] == 0.0


def test_a_product_row_answering_from_its_notes_counts_as_the_field_asked(embed: Embed) -> None:
    formula = Passage(
        id="F",
        text="商品:小禾家婴儿配方奶粉1段\n价格:268元\n介绍:乳清蛋白配方，含DHA、ARA与OPO结构脂。",
        doc_type="product",
        question="小禾家婴儿配方奶粉1段",
        fields={
            "商品": "小禾家婴儿配方奶粉1段",
            "价格": "268元",
            "介绍": "乳清蛋白配方，含DHA、ARA与OPO结构脂。",
        },
    )
    assert score_passages("奶粉含DHA不", [formula], embed)[0].features["product_field"] == 1.0
    assert score_passages("奶粉有羊奶的吗", [formula], embed)[0].features["product_field"] == 0.0


def test_the_model_is_fitted_on_the_features_the_reply_serves(
    passages: list[Passage], embed: Embed
) -> None:
    """Features are computed from every passage's extracted answer, for fitting (the answer
    model's fitter) as for serving (`score_passages`): no path extracts its own."""
    question = "纸尿裤S码适合多重的宝宝"
    with pytest.raises(TypeError):
        passage_features(question, passages, embed)  # type: ignore[call-arg]
    answers = [answer_text(p, question) for p in passages]
    fitted = passage_features(question, passages, embed, answers)
    served = {s.passage.id: s.features for s in score_passages(question, passages, embed)}
    assert served["K4"]["product_field"] == 1.0
    for passage, row in zip(passages, fitted, strict=True):
        assert served[passage.id] == dict(
            zip(NAMES, (round(float(v), 4) for v in row), strict=True)
        )
