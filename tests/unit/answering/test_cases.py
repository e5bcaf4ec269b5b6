from __future__ import annotations

from datetime import date

from copilot.answering.cases import case_fact, diaper_size, product_offer, shipping_gap
from copilot.answering.passages import Passage, passage_of
from tests.unit.answering.conftest import FAQ_SHIPPING, evidence

TODAY = date(2026, 11, 26)


def test_diaper_size_from_weight_takes_the_larger_fitting_size(passages: list[Passage]) -> None:
    fact = diaper_size("宝宝7公斤穿啥码的尿不湿", passages, en=False)
    assert fact is not None
    assert "M码" in fact.text and "6–11kg" in fact.text
    assert fact.cites == ["K5"]


def test_weight_in_jin_is_halved(passages: list[Passage]) -> None:
    fact = diaper_size("宝宝10斤用什么码的纸尿裤", passages, en=False)
    assert fact is not None and "S码" in fact.text


def test_no_fitting_row_means_no_fact(passages: list[Passage]) -> None:
    assert diaper_size("宝宝20kg穿啥码", passages, en=False) is None


def test_free_shipping_gap_is_read_from_the_cited_rule() -> None:
    fact = shipping_gap("我买了89元的东西 还差多少包邮", [passage_of(FAQ_SHIPPING)], en=False)
    assert fact is not None
    assert "再凑10元" in fact.text and fact.cites == ["K3"]
    other_rule = evidence("K9", "问:包邮吗？\n答:单笔订单满150元包邮；不满150元收取运费12元。")
    fact = shipping_gap("我买了89元的东西 还差多少包邮", [passage_of(other_rule)], en=False)
    assert fact is not None and "再凑61元" in fact.text and "运费12元" in fact.text


def test_the_remote_region_rule_is_not_the_general_one() -> None:
    remote = evidence(
        "K8",
        "问:偏远地区包邮吗？\n答:新疆、西藏为偏远地区，单笔订单满199元包邮，不满199元运费20元。",
    )
    fact = shipping_gap(
        "我买了89元的东西 还差多少包邮", [passage_of(remote), passage_of(FAQ_SHIPPING)], en=False
    )
    assert fact is not None and "再凑10元" in fact.text and fact.cites == ["K3"]


def test_an_order_above_the_threshold_ships_free() -> None:
    fact = shipping_gap("买了两包尿不湿178 包邮不", [passage_of(FAQ_SHIPPING)], en=False)
    assert fact is not None and "可以包邮" in fact.text and "178" not in fact.text


def test_promotion_by_colloquial_name_and_status_on_the_date() -> None:
    promos = [
        passage_of(
            evidence(
                "K1",
                "2026年11月1日至11月11日双十一活动：全场满299减60。",
                "promotion",
                heading="双十一囤货狂欢",
                valid_from=20261101,
                valid_to=20261111,
            )
        ),
        passage_of(
            evidence(
                "K2",
                "2026年11月20日至11月30日冬季囤货节：全场满299减40。",
                "promotion",
                heading="冬季囤货节",
                valid_from=20261120,
                valid_to=20261130,
            )
        ),
        passage_of(
            evidence(
                "K3",
                "2026年12月1日至12月12日双十二活动：奶粉任选2罐享8折。",
                "promotion",
                heading="双十二年终盛典",
                valid_from=20261201,
                valid_to=20261212,
            )
        ),
    ]
    ended = case_fact("双11活动还有吗", promos, TODAY, en=False)
    assert ended is not None
    assert "双十一囤货狂欢已于11月11日结束" in ended.text and "冬季囤货节" in ended.text
    assert ended.cites == ["K1", "K2"]
    upcoming = case_fact("双十二奶粉有活动吗", promos, TODAY, en=False)
    assert (
        upcoming is not None
        and upcoming.text.startswith("双十二年终盛典")
        and "8折" in upcoming.text
    )


WINTER = evidence(
    "K2",
    "2026年11月20日至11月30日冬季囤货节：全场实付满299减40；纸尿裤NB/S/M/L码任选2包158元；"
    "婴儿配方奶粉任选2罐及以上享9.5折。",
    "promotion",
    heading="冬季囤货节",
    valid_from=20261120,
    valid_to=20261130,
)


def test_a_products_offer_is_the_clause_of_the_running_promotion_about_it() -> None:
    promos = [passage_of(WINTER)]
    fact = case_fact("尿不湿现在有优惠吗", promos, TODAY, en=False)
    assert fact is not None and fact.cites == ["K2"]
    assert fact.text == "冬季囤货节：纸尿裤NB/S/M/L码任选2包158元；"
    counted = case_fact("买2罐1段奶粉现在多少钱", promos, TODAY, en=False)
    assert counted is not None and "9.5折" in counted.text and "158元" not in counted.text


def test_no_running_offer_on_the_product_is_no_offer_fact() -> None:
    assert product_offer("推车现在有优惠吗", [passage_of(WINTER)], TODAY, en=False) is None
    ended = product_offer("尿不湿现在有优惠吗", [passage_of(WINTER)], date(2026, 12, 2), en=False)
    assert ended is None
    assert product_offer("双十二奶粉有活动吗", [passage_of(WINTER)], TODAY, en=False) is None
