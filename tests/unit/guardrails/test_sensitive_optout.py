from __future__ import annotations

import pytest

from tests.unit.guardrails.conftest import rules_fired, run


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
    ],
)
def test_sensitive_table(text: str, task: str, severities: list[str]) -> None:
    assert rules_fired(run(text, "sensitive", task=task), "sensitive") == severities


@pytest.mark.parametrize(
    ("text", "task", "purpose", "severities"),
    [
        ("王姐，会员日全场8折，快来下单", "message", "marketing_personalisation", ["warn"]),
        ("王姐，会员日全场8折，快来下单。回复TD退订", "message", "marketing_personalisation", []),
        ("Member day: 20% off today only. Reply STOP to unsubscribe", "message", None, []),
        ("限时秒杀，快来下单", "message", None, ["warn"]),
        ("限时秒杀，快来下单", "post", None, []),
        ("您的快递已经发出", "reply", None, []),
    ],
)
def test_optout_table(text: str, task: str, purpose: str | None, severities: list[str]) -> None:
    verdict = run(text, "optout", task=task, purpose=purpose)
    assert rules_fired(verdict, "optout") == severities
