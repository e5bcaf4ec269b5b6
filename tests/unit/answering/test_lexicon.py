"""The shop vocabulary: customers' words read as the knowledge base's, question words and
topic cue phrases not counted as content words, values stated with a measure word."""

from __future__ import annotations

from copilot.answering.lexicon import canonical, key_terms, states_type, topics, without_asks


def test_customer_words_become_the_knowledge_base_words() -> None:
    assert key_terms("新用户第一次买有优惠吗") == {"新人", "首单", "优惠"}
    assert "营销" in key_terms("不想再收到推销消息")
    assert "次日" in key_terms("明天就想要")


def test_refund_arrival_is_not_read_as_delivery() -> None:
    body = canonical("退款一般几天能到账")
    assert "送达" not in body
    assert topics(body) == {"退货"}


def test_topic_cue_phrases_are_not_words_of_the_question() -> None:
    terms = key_terms("冲奶粉水温多少度合适")
    assert "水温多少度" not in terms
    assert "水温" in terms


def test_question_words_are_not_content_words() -> None:
    assert key_terms("拍了什么时候发货") == key_terms("拍了多久发货")


def test_a_duration_after_a_measure_word_is_stated() -> None:
    assert states_type("付款后3个工作日内发货", {"duration"})
    assert not states_type("付款后尽快发货", {"duration"})


def test_english_plurals_meet_their_singular() -> None:
    assert key_terms("how long till my stuff ships") & key_terms("When will my order ship?")
    assert "class" in key_terms("class")  # -ss is no plural


def test_dispatch_and_delivery_are_different_matters() -> None:
    assert topics("发货一般要几天") == {"发货"}
    assert topics("发上海几天能到") == {"送达"}
    assert topics("发货后几天能到？") == {"发货", "送达"}


def test_a_price_written_after_the_currency_sign_states_money() -> None:
    assert states_type("Price: ¥1299", {"money"})
    assert not states_type("Price: on request", {"money"})


def test_a_stopword_is_not_folded_into_another_word() -> None:
    assert key_terms("how much does the stroller cost") == {"stroller", "cost"}


def test_the_words_asking_for_a_value_are_not_the_matter_asked_about() -> None:
    assert key_terms(without_asks("奶瓶多大容量")) == {"奶瓶"}
