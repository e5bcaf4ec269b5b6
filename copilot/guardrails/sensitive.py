"""The `sensitive` rule: PIPL sensitive personal information never personalises marketing, and
chat logs (会话存档) are never a data source for it."""

from __future__ import annotations

import re

from copilot.guardrails.context import RuleContext
from copilot.guardrails.models import CheckInput, Finding

# (category zh, category en, pattern). Each pattern names the topic, not a product ingredient.
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    (
        "健康",
        "health",
        r"怀孕|孕期|孕妇|备孕|孕[早中晚]期|哺乳期|生病|患有|病情|确诊|糖尿病|高血压|"
        r"癌症|抑郁|住院|手术|病史|不孕|艾滋|HIV|pregnan|diagnos|illness",
    ),
    ("宗教信仰", "religion", r"佛教徒|基督徒|穆斯林|信教|宗教信仰|斋月|清真饮食|religio"),
    ("生物识别", "biometrics", r"指纹|人脸|虹膜|声纹|面部识别|fingerprint|face id|biometric"),
    (
        "行踪轨迹",
        "precise location",
        # 物流轨迹 (a parcel's route) and 产品定位 (positioning) are not a person's whereabouts.
        r"(?<!产品)(?<!品牌)(?<!市场)定位|行踪|(?<!物流)(?<!快递)(?<!配送)(?<!包裹)轨迹|"
        r"你家附近|您家附近|您所在的位置|你所在的位置|GPS|刚刚在|whereabouts|your location",
    ),
    (
        "金融账户",
        "financial account",
        r"银行账户|账户余额|存款|负债|贷款|征信|信用额度|"
        r"收入水平|bank account|account balance|credit score",
    ),
    (
        "未成年人",
        "minor under 14",
        r"(?:宝宝|孩子|儿子|女儿|小朋友)[^，。,.!！]{0,4}?"
        r"(?:[1-9]|1[0-3]|[一二三四五六七八九十]|十[一二三])岁|未满14|14岁以下|under 14",
    ),
    ("特定身份", "specific identity", r"残疾|残障|性取向|同性恋|犯罪记录|前科|少数民族|政治面貌"),
)
_COMPILED = tuple((zh, en, re.compile(rx, re.IGNORECASE)) for zh, en, rx in CATEGORIES)
# The draft says it draws on what the customer said in chats.
CHAT_SOURCE = re.compile(
    r"聊天记录|会话存档|(?:你|您)(?:之前|上次|刚才|在群里|私聊时)?(?:说过|提到过?|聊到|跟我们说)|"
    r"根据(?:你|您)的(?:聊天|对话|留言)|as you (?:mentioned|told us|said) in (?:chat|our chat)",
    re.IGNORECASE,
)


# A group post may talk about a topic (孕期护肤) but must not single out a member's condition.
_ADDRESSEE = re.compile(r"你|您|@\S|\byou\b", re.IGNORECASE)
_SENTENCE_END = "。！？!?\n"


def _addresses_someone(text: str, match: re.Match[str]) -> bool:
    """Whether the sentence holding `match` speaks to or names a person."""
    start = max((text.rfind(ch, 0, match.start()) for ch in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(ch, match.end()) for ch in _SENTENCE_END) if i >= 0]
    return bool(_ADDRESSEE.search(text, start, min(ends, default=len(text))))


class SensitiveRule:
    """Blocks marketing drafts that touch sensitive categories or reuse chat content."""

    id = "sensitive"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        if draft.task == "reply" and not ctx.marketing.is_marketing:
            return []
        findings = []
        for zh, en, rx in _COMPILED:
            match = rx.search(draft.text)
            if match and (draft.task != "post" or _addresses_someone(draft.text, match)):
                findings.append(
                    Finding(
                        rule="sensitive",
                        severity="block",
                        start=match.start(),
                        end=match.end(),
                        text=match.group(),
                        message=f"营销内容涉及敏感个人信息({zh}) / marketing content refers to "
                        f"sensitive personal information ({en})",
                        fix=f"删除与{zh}相关的内容;敏感信息不得用于营销 / remove the {en} "
                        "reference; sensitive data is never used for marketing",
                    )
                )
        chat = CHAT_SOURCE.search(draft.text)
        if chat and draft.task in ("post", "message"):
            findings.append(
                Finding(
                    rule="sensitive",
                    severity="block",
                    start=chat.start(),
                    end=chat.end(),
                    text=chat.group(),
                    message="草稿引用了客户聊天内容做个性化 / the draft personalises with what the "
                    "customer said in chats (会话存档)",
                    fix="只使用已授权字段,不要引用聊天记录 / use consented fields only, never chat "
                    "content",
                )
            )
        return findings
