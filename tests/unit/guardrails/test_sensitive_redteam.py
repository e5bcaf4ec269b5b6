"""The sensitive rule reads whom a term is about: the recipient of a 1:1 message, a member the
post names in the term's sentence, or no one (a weekday, a sale schedule, product information)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from copilot.errors import ConfigError
from copilot.guardrails import Verdict
from copilot.guardrails.sensitive import Category, Lexicon, ProductUse, SensitiveData
from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired
from tests.unit.guardrails.conftest import run as run_rule


def run(text: str, task: str = "message", **fields: object) -> Verdict:
    """The sensitive rule alone; a crash (a `pipeline` finding) fails the test."""
    verdict = run_rule(text, "sensitive", task=task, **fields)
    assert rules_fired(verdict, "pipeline") == []
    return verdict


def found(text: str, task: str = "message", **fields: object) -> list[str]:
    return [f.text for f in run(text, task, **fields).findings]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # births and the first months: not only pregnancy words
        ("李姐，宝宝下周就满月了，满月礼盒8折。回复TD退订", ["宝宝下周就满月"]),
        ("听说您家老二出生啦，新生儿礼盒给您留了一份", ["老二出生"]),
        ("恭喜您喜得千金！新生儿礼盒8折", ["喜得千金"]),
        ("宝宝周岁快乐，生日礼包8折", ["宝宝周岁"]),
        # the health of mother or child
        ("宝宝脂溢性皮炎好点了吗？修护霜8折", ["皮炎"]),
        ("宝宝奶癣还反复吗？婴儿面霜会员价", ["奶癣"]),
        ("经期注意保暖，红糖姜茶会员价", ["经期"]),
        ("您血糖偏高要注意，无糖饼干会员价", ["血糖偏高"]),
        ("您还在服用降糖药吧，无糖饼干8折", ["在服用降糖药"]),
        ("放疗期间辛苦了，营养粉会员价", ["放疗"]),
        # religion and ethnicity
        ("您每周都去教会，新品8折", ["去教会"]),
        ("您是藏族吧，酥油茶礼盒8折", ["藏族"]),
        # marital status
        ("一个人带娃不容易，丧偶妈妈专享礼包", ["丧偶"]),
        # finance
        ("您的车贷快还完了吧，分期免息", ["车贷"]),
        ("您的花呗逾期了吗？分期免息", ["逾期"]),
        # a child under 14: age, school year
        ("您家大宝今年上小学了吧，文具8折", ["大宝今年上小学"]),
        # observed whereabouts
        ("看到您在杭州，门店会员日8折", ["看到您在杭州"]),
        ("Hi Amy, congrats on the new baby! 20% off. Reply STOP", ["congrats on the new baby"]),
    ],
)
def test_message_new_sensitive_wording_is_blocked(text: str, terms: list[str]) -> None:
    assert found(text) == terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # an everyday word alone is about no one
        ("双十二行程安排：零点开抢，会员价8折", []),
        ("会员日定位在本周五，全场8折", []),
        ("出差必备分装瓶，会员价8折", []),
        ("换季容易感冒，维C泡腾片8折", []),
        ("全场满299减50，工资到账了犒劳一下自己", []),
        ("三亚度假必备防晒霜，会员价", []),
        # … and about the recipient when the clause addresses them, says the sender knows it,
        # or asks them about it
        ("您的行程我们已记下，会员价8折", ["行程"]),
        ("听说宝宝感冒了，雾化器8折", ["感冒"]),
        ("工资到账了吧？犒劳一下自己", ["工资"]),
        ("您上周去杭州出差了吧，分装瓶8折", ["出差"]),
        ("孩子咳嗽好了没", ["咳嗽"]),
    ],
)
def test_message_everyday_words_count_only_about_the_recipient(text: str, terms: list[str]) -> None:
    assert found(text) == terms


@pytest.mark.parametrize(
    "text",
    [
        "新品诞生啦！会员价8折",
        "最近发生了一个小插曲，补偿券已到账",
        "技术后台升级完成，会员价8折",
        "已经期待很久的新品到了",
        "教会宝宝自己吃饭，学食餐具8折",
        "优惠券逾期作废，快来使用",
        "婴儿床月供低至99",
        "看到您在关注我们的新品，会员价",
        "Check out the new baby monitor, 20% off.",
        # a full stop before a space ends an English sentence: "you" is in the next one
        "Only 50 newborn gift boxes left. We will hold one for you.",
    ],
)
def test_message_words_that_contain_a_term_are_not_sensitive(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("下礼拜三会员日，全场8折", []),
        ("这个礼拜六会员日，全场8折", []),
        ("礼拜天会员日，全场8折", []),
        ("每个礼拜都上新，全场8折", []),
        ("您每周日都去做礼拜，新品8折", ["做礼拜"]),
        ("礼拜结束后来门店看看，新品8折", ["礼拜"]),
    ],
)
def test_libai_as_a_weekday_is_not_religion(text: str, terms: list[str]) -> None:
    assert found(text) == terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # who a product suits, or a product's feature, is product information
        ("这款洗发水孕期和哺乳期都能用，会员价8折", []),
        ("温和面霜，孕妇可用，会员价8折", []),
        ("适合过敏体质的宝宝，低敏奶粉8折", []),
        ("人脸识别门锁限时8折", []),
        ("指纹锁限时8折", []),
        ("pregnancy-safe moisturiser, 20% off", []),
        # … unless the clause also tells the recipient it is theirs
        ("您孕期也能用这款洗发水，会员价8折", ["孕期"]),
        # a state of the recipient before the product is not product information
        ("预产期快到了可以用待产包", ["预产期"]),
        ("刷脸就能用，新品8折", ["刷脸"]),
        # a targeted offer is not a product's suitability
        ("孕期妈妈专享：叶酸8折", ["孕期"]),
    ],
)
def test_message_product_information_is_about_no_one(text: str, terms: list[str]) -> None:
    assert found(text) == terms


@pytest.mark.parametrize(
    ("text", "members", "terms", "named"),
    [
        # the member is named in the term's sentence
        ("恭喜@小鱼妈妈 顺利生产，母子平安🎉", [], ["顺利生产"], "@小鱼妈妈"),
        ("恭喜陈姐二胎落地，大家一起沾沾喜气", [], ["二胎落地"], "陈姐"),
        # … or an earlier sentence names her and this one says 她
        ("欢迎李晓雯加入！她现在孕30周，大家多交流", ["李晓雯"], ["孕30周"], "李晓雯"),
        # a member named in another sentence is not what the term is about
        ("欢迎李晓雯加入！大家一起聊聊孕期的事", ["李晓雯"], [], None),
        ("张姐分享的食谱大家收藏。宝宝湿疹怎么护理？", [], [], None),
        ("欢迎李晓雯加入！他们都在聊孕期的事", ["李晓雯"], [], None),
        # the term is the product's, not the member's
        ("这款面霜孕妇也能用，张姐已经回购三次了", [], [], None),
        # an everyday word needs the member in its clause
        ("双12行程安排：零点开抢，@小林 记得来", [], [], None),
        ("小林妈妈这周在三亚度假，大家羡慕吗", [], ["度假"], "小林妈妈"),
    ],
)
def test_post_ties_a_term_to_a_member_in_its_sentence(
    text: str, members: list[str], terms: list[str], named: str | None
) -> None:
    findings = run(text, "post", members=members).findings
    assert [f.text for f in findings] == terms
    if named is not None:
        assert render(findings[0].message, "zh").endswith(f",且点名了群成员「{named}」")


def test_post_addresses_the_reader_with_your() -> None:
    [finding] = run("Congrats! Your due date is close.", "post").findings
    assert finding.text == "due date"
    assert render(finding.message, "en").endswith(", and addresses the reader directly")


def test_first_term_of_a_category_that_is_about_someone_is_reported() -> None:
    # the first 孕妇 is product information; the second term of the category is the finding
    text = "孕妇也能用的面霜，您的预产期快到了吧"
    [finding] = run(text).findings
    assert (finding.text, finding.start, finding.end) == ("预产期", 11, 14)


def test_new_categories_name_themselves_in_both_languages() -> None:
    ethnicity, marital = run("您是回族吧。您离婚后一个人带娃").findings
    assert render(ethnicity.message, "zh") == "营销内容涉及敏感个人信息(民族)"
    assert render(ethnicity.message, "en") == (
        "marketing content refers to sensitive personal information (ethnicity)"
    )
    assert render(marital.message, "zh") == "营销内容涉及敏感个人信息(婚姻状况)"
    assert render(marital.fix, "en") == (
        "remove the marital status reference; sensitive data never personalises marketing or "
        "singles out a member"
    )


def test_zero_width_inside_a_new_term_maps_back_to_the_original() -> None:
    text = "您的房\u200b贷月供压力大吧"
    [finding] = run(text).findings
    assert text[finding.start : finding.end] == finding.text == "房\u200b贷"


def _lexicon(**data: object) -> Lexicon:
    fields: dict[str, object] = {
        "categories": [Category(id="x", zh="x", en="x", terms=["预产期"])],
        "surnames": ["王"],
        "honorifics": ["姐"],
        "mentions": ["@x"],
    }
    return Lexicon(SensitiveData.model_validate({**fields, **data}))


def test_lexicon_expands_the_child_placeholder_and_tells_strong_from_bound() -> None:
    category = Category(id="x", zh="x", en="x", terms=["{child}满月"], bound=["行程"])
    [(_, rx)] = _lexicon(categories=[category], children=["小宝", "二宝"]).categories
    strong = rx.search("二宝满月")
    assert strong is not None and strong.group("strong") == "二宝满月"
    bound = rx.search("双12行程")
    assert bound is not None and bound.group("bound") == "行程"
    assert rx.search("{child}满月") is None


def test_lexicon_category_without_bound_terms_matches_only_its_terms() -> None:
    [(_, rx)] = _lexicon().categories
    assert [m.group() for m in rx.finditer("预产期 行程")] == ["预产期"]


def test_lexicon_without_children_never_matches_the_placeholder() -> None:
    category = Category(id="x", zh="x", en="x", terms=["{child}满月"])
    [(_, rx)] = _lexicon(categories=[category]).categories
    assert rx.search("宝宝满月") is None


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"product_use": ProductUse(after=["("])}, "sensitive.yaml:product_use"),
        ({"presumption": ["("]}, "sensitive.yaml:presumption"),
        ({"recipient": ["("]}, "sensitive.yaml:recipient"),
        ({"third_person": ["("]}, "sensitive.yaml:third_person"),
        ({"addressee": ["("]}, "sensitive.yaml:addressee"),
        (
            {"categories": [Category(id="y", zh="y", en="y", terms=["x"], bound=["("])]},
            "sensitive.yaml:y",
        ),
    ],
)
def test_lexicon_names_the_broken_list(data: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _lexicon(**data)
    assert caught.value.where == where


def test_category_without_terms_is_an_error() -> None:
    with pytest.raises(ValidationError, match="terms"):
        Category(id="x", zh="x", en="x", terms=[], bound=["行程"])


def test_other_members_is_not_a_pronoun_for_the_member_named_before() -> None:
    text = "欢迎李晓雯加入！其他宝妈孕期有什么问题也可以问"
    assert found(text, "post", members=["李晓雯"]) == []


@pytest.mark.parametrize(
    "text",
    [
        "恭喜张丽怀孕啦🎉 孕妇能用的护肤品我整理好了",
        "恭喜@张丽 怀孕啦🎉 孕妇能用的护肤品我整理好了",
    ],
)
def test_product_information_after_an_emoji_does_not_cover_a_members_news(text: str) -> None:
    assert found(text, "post", members=["张丽"]) == ["怀孕"]
