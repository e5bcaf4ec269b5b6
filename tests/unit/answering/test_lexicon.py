"""The shop vocabulary: customers' words read as the knowledge base's, question words and
topic cue phrases not counted as content words, values stated with a measure word."""

from __future__ import annotations

from copilot.answering.lexicon import (
    asked_units,
    canonical,
    key_terms,
    states_asked,
    states_type,
    states_unit,
    topics,
    without_asks,
)


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


def test_the_unit_asked_is_the_measure_word_after_ji_or_duoshao() -> None:
    assert asked_units("金禾积分是几倍的") == {"倍"}
    assert asked_units("果泥一盒几袋") == {"袋"}
    assert asked_units("冲奶粉水多少度") == {"℃", "度"}
    assert asked_units("满多少包邮啊") == set()  # 包邮 is a word, not a pack
    assert asked_units("几天发货") == set()  # a duration: read by answer_types


def test_an_answer_states_the_unit_after_a_number() -> None:
    assert states_unit("禾穗会员1.2倍、金禾会员1.5倍", {"倍"})
    assert not states_unit("积分在等级倍率基础上再乘2", {"倍"})
    assert states_unit("冲调水温40–50℃", asked_units("水温多少度"))  # ℃ read as °c
    assert not states_unit("100g×6袋", set())


def test_an_answer_states_each_sort_of_value_asked() -> None:
    assert not states_asked("按摩油怀孕几个月开始用", "适用孕期及产后女性")
    assert states_asked("奶粉几点前下单当天发", "每天16:00前付款的订单当天发货")
    assert not states_asked("奶粉几点发货", "奶粉保质期为24个月")  # a clock time, not a duration
    assert states_asked("推车能登机吗", "收车后可登机")  # asks for no value


def test_member_tiers_and_spending_to_reach_them_read_as_the_rules_words() -> None:
    assert "实付满" in canonical("要买够多少才是金禾")
    assert "金禾会员" in canonical("要买够多少才是金禾")
    assert "升级为" in canonical("禾穗要买多少才能升")


def test_a_parcel_arriving_damaged_or_short_is_an_after_sales_case() -> None:
    assert topics("到货发现少了一件") == {"破损"}
    assert topics("快递到了外箱破了 里面东西也坏了") == {"破损"}
    assert topics("who pays return postage if the item arrived broken") >= {"破损", "退货"}
    assert "送达" not in topics("the item arrived broken")
    assert topics("到货要几天") == {"送达"}  # without damage, arriving is the matter asked


def test_the_courier_is_the_means_of_a_delivery_asked_about() -> None:
    assert topics("快递到广东大概要几天呀") == {"送达"}
    assert topics("快递三天没动静了") == {"物流"}


def test_colloquial_after_sales_words_are_the_knowledge_base_words() -> None:
    assert key_terms("收到东西盒子压坏了咋整") == {"收到", "商品", "外箱", "破损", "怎么办"}
    assert {"未拆封", "买错尺码", "换码"} <= key_terms("尿布湿买小了 没拆 能换大码不")
    assert "部分退款" in key_terms("只退一部分 优惠券还退吗")
    assert "哪里" not in key_terms("退款退到哪里")
