from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import ConfigError
from copilot.guardrails import Verdict, datafiles
from copilot.guardrails.optout import has_opt_out
from copilot.guardrails.sensitive import Category, Lexicon, SensitiveData
from copilot.messages import render
from tests.unit.guardrails.conftest import rules_fired
from tests.unit.guardrails.conftest import run as run_rule


def run(text: str, only: str, **fields: object) -> Verdict:
    """The verdict of one rule; a rule that crashed (a `pipeline` finding) fails the test."""
    verdict = run_rule(text, only, **fields)
    assert rules_fired(verdict, "pipeline") == []
    return verdict


@pytest.mark.parametrize(
    ("text", "task", "severities"),
    [
        ("@王芳 您孕期辛苦了，限时8折抢购叶酸！", "post", ["block"]),
        ("孕期妈妈专享：限时8折抢购叶酸！", "post", []),
        ("孕期护肤小贴士：孕期皮肤容易干燥，洗澡水温别太高。", "post", []),
        ("孕期妈妈专享：限时8折抢购叶酸！", "message", ["block"]),
        ("满99元包邮，下单后可在订单详情查看物流轨迹。", "reply", []),
        ("满99元包邮，我们会根据您的定位推荐门店。", "reply", ["block"]),
        ("Balance bike sale: 20% off this week only!", "post", []),
        ("您的宝宝3岁了，奶粉该升级啦，下单立减20元", "message", ["block"]),
        ("根据您的聊天记录，为您推荐这款面霜，限时8折", "message", ["block"]),
        ("您之前提到皮肤干，推荐这款面霜", "message", ["block"]),
        ("新品面霜限时8折，快来抢购", "post", []),
        ("孕妇可以使用吗？建议咨询医生后使用。", "reply", []),
        # pregnancy and birth, and the health of mother or child, in 1:1 marketing
        ("王姐，预产期快到了吧？待产包会员价8折", "message", ["block"]),
        ("产检顺利吗？叶酸片会员价", "message", ["block"]),
        ("宝宝湿疹好点了吗，这款面霜限时特价", "message", ["block"]),
        ("剖腹产后恢复期，月子餐第二件半价", "message", ["block"]),
        ("孕8个月了，托腹带下单立减20元", "message", ["block"]),
        ("孕 ８ 个月的妈妈看过来", "message", ["block"]),
        ("宝宝８个月了，米粉该换段了", "message", ["block"]),
        ("宝宝湿\u200b疹好点了吗", "message", ["block"]),
        ("会员日全场8折，快来下单。回复TD退订", "message", []),
        # a group post that names a member next to a sensitive attribute
        ("恭喜王姐怀孕啦！孕妇枕限时8折", "post", ["block"]),
        ("朵朵妈说宝宝黄疸还没退，推荐这款", "post", ["block"]),
        ("@小林 宝宝过敏好了吗", "post", ["block"]),
        ("宝妈小林的预产期就在下周，大家一起加油", "post", ["block"]),
        ("各位宝妈，孕期补钙小知识：每天喝一杯奶。", "post", []),
        ("宝宝爸爸们注意：发烧时先物理降温。", "post", []),
        ("宝妈小课堂：宝宝湿疹怎么护理", "post", []),
        ("天天妈妈都在问：宝宝发烧怎么办", "post", []),
        ("小编妈妈分享：孕期补钙", "post", []),
    ],
)
def test_sensitive_table(text: str, task: str, severities: list[str]) -> None:
    assert rules_fired(run(text, "sensitive", task=task), "sensitive") == severities


def test_post_names_a_member_from_the_customer_records() -> None:
    text = "李晓雯宝宝湿疹好多了，分享她的护理经验"
    assert rules_fired(run(text, "sensitive", task="post"), "sensitive") == []
    verdict = run(text, "sensitive", task="post", members=["李晓雯"])
    [finding] = verdict.findings
    assert (finding.text, finding.start, finding.end) == ("湿疹", 5, 7)
    assert render(finding.message, "zh").endswith(",且点名了群成员「李晓雯」")
    assert render(finding.message, "en").endswith(", and names the community member «李晓雯»")


def test_finding_span_points_into_the_original_text() -> None:
    text = "宝宝湿\u200b疹好点了吗"
    [finding] = run(text, "sensitive", task="message").findings
    assert text[finding.start : finding.end] == finding.text == "湿\u200b疹"


def test_broken_data_file_raises_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sensitive.yaml").write_text("categories: [{id: x}]\n", encoding="utf-8")
    monkeypatch.setattr(datafiles, "DATA_DIR", tmp_path)
    with pytest.raises(ConfigError, match=r"sensitive\.yaml") as caught:
        datafiles.load("sensitive.yaml", SensitiveData)
    english = caught.value.render("en")
    assert english.startswith(f"{tmp_path / 'sensitive.yaml'}: invalid guardrail data file")
    assert "categories.0." in english and "Field required" in english
    assert "护栏数据文件字段无效: categories.0." in caught.value.render("zh")


@pytest.mark.parametrize(
    ("text", "task", "purpose", "severities"),
    [
        ("王姐，会员日全场8折，快来下单", "message", "marketing_personalisation", ["block"]),
        ("王姐，会员日全场8折，快来下单。回复TD退订", "message", "marketing_personalisation", []),
        ("Member day: 20% off today only. Reply STOP to unsubscribe", "message", None, []),
        ("限时秒杀，快来下单", "message", None, ["block"]),
        ("限时秒杀，快来下单", "post", None, []),
        ("您的快递已经发出", "reply", None, []),
        (
            "王姐，会员日全场8折。我们不支持unsubscribe哦",
            "message",
            "marketing_personalisation",
            ["block"],
        ),
    ],
)
def test_optout_table(text: str, task: str, purpose: str | None, severities: list[str]) -> None:
    verdict = run(text, "optout", task=task, purpose=purpose)
    assert rules_fired(verdict, "optout") == severities


@pytest.mark.parametrize(
    ("text", "actionable"),
    [
        ("回复TD退订", True),
        ("回复T退订", True),
        ("退订请回复TD", True),
        ("如需退订，请回复“退订”", True),
        ("回复「TD」即可退订", True),
        ("回复ＴＤ退订", True),
        ("Reply STOP", True),
        ("Reply TD to unsubscribe.", True),
        ("reply STOP to unsubscribe", True),
        ("To unsubscribe, reply STOP", True),
        ("限时特价不可错过，回复TD退订", True),
        ("我们不支持unsubscribe哦", False),
        ("我们不支持退订", False),
        ("不支持回复TD退订", False),
        ("unsubscribe", False),
        ("可以退订", False),
        ("opt out anytime", False),
        ("You can't reply STOP here", False),
    ],
)
def test_opt_out_line_must_be_an_instruction(text: str, actionable: bool) -> None:
    assert has_opt_out(text) is actionable


@pytest.mark.parametrize(
    ("text", "severities"),
    [
        # 你 in another sentence does not tie the topic to the reader
        ("孕期皮肤容易干燥，洗澡水温别太高。你也可以试试温水洗脸。", []),
        ("你也可以试试温水洗脸。孕期皮肤容易干燥。", []),
        ("孕期皮肤容易干燥，你要多喝水。", ["block"]),
    ],
)
def test_post_addressing_is_judged_per_sentence(text: str, severities: list[str]) -> None:
    assert rules_fired(run(text, "sensitive", task="post"), "sensitive") == severities


def test_message_finding_names_the_category_without_a_member() -> None:
    [finding] = run("王姐，预产期快到了吧", "sensitive", task="message").findings
    assert "孕产" in render(finding.message, "zh") and "点名" not in render(finding.message, "zh")
    assert "names the community member" not in render(finding.message, "en")
    assert (finding.start, finding.end, finding.text) == (3, 6, "预产期")


def test_post_finding_names_the_member() -> None:
    [finding] = run("恭喜王姐怀孕啦", "sensitive", task="post").findings
    assert "「王姐」" in render(finding.message, "zh") and finding.text == "怀孕"
    assert "«王姐»" in render(finding.message, "en")


@pytest.mark.parametrize(
    ("text", "actionable"),
    [
        ("我们不支持货到付款。回复TD退订", True),
        ("回复TD退订。我们不支持货到付款", True),
        ("暂不发货，回复TD退订", True),
    ],
)
def test_negation_in_another_clause_does_not_cancel(text: str, actionable: bool) -> None:
    assert has_opt_out(text) is actionable


def test_message_with_customer_fields_needs_an_opt_out_even_without_selling() -> None:
    verdict = run("王姐，好久不见，最近还好吗", "optout", task="message", fields={"name": "王姐"})
    [finding] = verdict.findings
    assert (finding.severity, finding.start, finding.end) == ("block", 13, 13)
    assert render(finding.fix, "zh") == "在末尾加上「回复TD退订」"
    assert render(finding.fix, "en") == "append «Reply TD to unsubscribe.»"


@pytest.mark.parametrize(
    ("text", "fields", "named"),
    [
        # a surname outside the lexicon's list + 姐 counts only through the member's record
        ("柴姐的宝宝湿疹好多了", {"members": ["柴静怡"]}, "柴姐"),
        ("柴姐的宝宝湿疹好多了", {}, None),
        # a two-character name is a name; a single character is too short to be one
        ("小林的宝宝过敏好了", {"members": ["小林"]}, "小林"),
        ("小林的宝宝过敏好了", {}, None),
        ("朵的宝宝过敏好了", {"members": ["朵"]}, None),
        # the customer fields name a member as the records do
        ("柴静怡的宝宝湿疹好多了", {"fields": {"name": "柴静怡"}}, "柴静怡"),
        ("静怡的宝宝湿疹好多了", {"fields": {"nickname": "静怡"}}, "静怡"),
        # the first member named in the post is the one reported
        ("张可和李晓雯的宝宝都过敏", {"members": ["李晓雯", "张可"]}, "张可"),
    ],
)
def test_post_names_members_from_records_and_fields(
    text: str, fields: dict[str, object], named: str | None
) -> None:
    findings = run(text, "sensitive", task="post", **fields).findings
    if named is None:
        assert findings == []
        return
    [finding] = findings
    assert finding.severity == "block"
    assert render(finding.message, "zh").endswith(f",且点名了群成员「{named}」")
    assert render(finding.message, "en").endswith(f", and names the community member «{named}»")


def test_sensitive_finding_texts_in_both_languages() -> None:
    [finding] = run("孕期皮肤容易干燥，你要多喝水。", "sensitive", task="post").findings
    assert (finding.start, finding.end, finding.text) == (0, 2, "孕期")
    assert render(finding.message, "zh") == "营销内容涉及敏感个人信息(孕产),且直接称呼了对方"
    assert render(finding.message, "en") == (
        "marketing content refers to sensitive personal information (pregnancy and birth), "
        "and addresses the reader directly"
    )
    assert render(finding.fix, "zh") == "删除与孕产相关的内容;敏感信息不得用于营销,也不得在群里点名"
    assert render(finding.fix, "en") == (
        "remove the pregnancy and birth reference; sensitive data never personalises marketing "
        "or singles out a member"
    )


@pytest.mark.parametrize(("task", "start"), [("post", 0), ("message", 5)])
def test_chat_archive_as_a_source_is_blocked_in_posts_and_messages(task: str, start: int) -> None:
    text = (
        "根据您的聊天记录，为您推荐这款面霜" if task == "post" else "新品上市，根据您的聊天记录推荐"
    )
    [finding] = run(text, "sensitive", task=task).findings
    assert (finding.severity, finding.start, finding.end) == ("block", start, start + 6)
    assert finding.text == "根据您的聊天"
    assert render(finding.message, "zh") == "草稿引用了客户聊天内容(会话存档)做个性化"
    assert render(finding.message, "en") == (
        "the draft personalises with what the customer said in chats (the WeCom chat archive)"
    )
    assert render(finding.fix, "zh") == "只使用已授权字段,不要引用聊天记录"
    assert render(finding.fix, "en") == "use consented fields only, never chat content"


@pytest.mark.parametrize(
    ("text", "fields", "severities"),
    [
        # neither marketing nor personalised: a service message needs no opt-out line
        ("您好，您的快递已发出", {}, []),
        # a purpose alone makes the message personalised
        ("王姐，好久不见", {"purpose": "marketing_personalisation"}, ["block"]),
    ],
)
def test_optout_applies_to_marketing_or_personalised_messages(
    text: str, fields: dict[str, object], severities: list[str]
) -> None:
    verdict = run(text, "optout", task="message", **fields)
    assert rules_fired(verdict, "optout") == severities


def test_optout_finding_points_at_the_end_and_says_why() -> None:
    [finding] = run("限时秒杀，快来下单", "optout", task="message").findings
    assert (finding.start, finding.end) == (9, 9)
    assert render(finding.message, "zh") == (
        "个性化营销消息缺少可执行的退订方式(提到“退订”或声明不支持退订都不算)"
    )
    assert render(finding.message, "en") == (
        "the personalised marketing message has no actionable opt-out instruction "
        "(mentioning the word, or saying it is not supported, does not count)"
    )


@pytest.mark.parametrize(
    ("text", "actionable"),
    [
        ("不能回复TD退订", False),  # the negation opens the text, no clause mark before it
        ("无法，回复TD退订", True),  # the negation ends right before the clause mark
        ("回复TD退订，不支持货到付款", True),  # the negation starts right after it
        ("退订回T", True),
    ],
)
def test_opt_out_clause_boundaries(text: str, actionable: bool) -> None:
    assert has_opt_out(text) is actionable


@pytest.mark.parametrize(
    ("text", "fields", "found"),
    [
        # the sentence of the term runs from the last sentence end before it to the next one
        ("谢谢你。孕期皮肤容易干燥", {}, []),
        ("天气好。你看。孕期皮肤容易干燥", {}, []),
        ("今天天气好。孕期皮肤干燥，你要多喝水。", {}, ["孕期"]),
        ("你孕期要多补钙", {}, ["孕期"]),
        # a term that is not addressed does not stop the next category from being judged
        ("孕期补钙小知识。宝宝湿疹时你要注意保湿。", {}, ["湿疹"]),
        # an @mention before a recorded name: the first in the text is reported
        ("@小林 和李晓雯的宝宝都过敏", {"members": ["李晓雯"]}, ["过敏"]),
        # surname + 姐 from a record whose given name is not Chinese
        ("柴姐的宝宝过敏好了", {"members": ["柴Lily"]}, ["过敏"]),
    ],
)
def test_post_sentence_and_member_edges(
    text: str, fields: dict[str, object], found: list[str]
) -> None:
    findings = run(text, "sensitive", task="post", **fields).findings
    assert [f.text for f in findings] == found
    if "members" in fields:
        named = "@小林" if text.startswith("@") else "柴姐"
        assert render(findings[0].message, "zh").endswith(f"「{named}」")


def test_message_finding_text_has_no_member_suffix() -> None:
    [finding] = run("王姐，预产期快到了吧", "sensitive", task="message").findings
    assert render(finding.message, "zh") == "营销内容涉及敏感个人信息(孕产)"
    assert render(finding.message, "en") == (
        "marketing content refers to sensitive personal information (pregnancy and birth)"
    )


def test_lexicon_compiles_categories_honorifics_and_mentions() -> None:
    lexicon = Lexicon(datafiles.load("sensitive.yaml", SensitiveData))
    assert [c.id for c, _ in lexicon.categories][:2] == ["pregnancy", "health"]
    assert lexicon.categories[0][1].search("预产期快到了") is not None
    assert lexicon.categories[0][1].search("宝宝湿疹") is None
    assert "姐" in lexicon.honorifics
    surname_honorific, *others = lexicon.mentions
    assert surname_honorific.search("恭喜王姐") is not None
    assert surname_honorific.search("恭喜柴姐") is None  # 柴 is not in the surname list
    assert any(rx.search("@小林 你好") for rx in others)


@pytest.mark.parametrize(
    ("broken", "where"),
    [("category", "sensitive.yaml:x"), ("mention", "sensitive.yaml:mentions")],
)
def test_lexicon_names_the_broken_entry(broken: str, where: str) -> None:
    data = SensitiveData(
        categories=[Category(id="x", zh="x", en="x", terms=["(" if broken == "category" else "x"])],
        surnames=["王"],
        honorifics=["姐"],
        mentions=["(" if broken == "mention" else "@x"],
    )
    with pytest.raises(ConfigError) as caught:
        Lexicon(data)
    assert caught.value.where == where


@pytest.mark.parametrize(
    ("text", "actionable"),
    [
        ("不能回复TD退订，好的", False),  # clause marks after the instruction do not start it
        ("好的，回复TD退订不能用", False),  # nor do clause marks before it end it
        ("回复TD退订，不支持货到付款。谢谢", True),  # the clause ends at the first mark after it
        ("回复TD退订，不支持货到付款，谢谢", True),  # even when the same mark comes again
        ("好的，不能退款，回复TD退订", True),  # and starts after the last mark before it
    ],
)
def test_opt_out_clause_is_the_one_around_the_instruction(text: str, actionable: bool) -> None:
    assert has_opt_out(text) is actionable
