"""The `sensitive` rule: PIPL sensitive personal information never personalises marketing, a
group post never ties it to a named member, and chat logs (会话存档) are never a data source.

The terms are product content in `data/sensitive.yaml`; they are matched on the normalised
draft (full-width, invisible characters, traditional characters folded).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from copilot.guardrails.context import RuleContext
from copilot.guardrails.datafiles import DataFile, alternation, compile_terms, load
from copilot.guardrails.models import CheckInput, Finding
from copilot.guardrails.normalize import normalize
from copilot.messages import Msg, msg


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    zh: str
    en: str
    terms: list[str]


class SensitiveData(DataFile):
    categories: list[Category]
    surnames: list[str]
    honorifics: list[str]
    mentions: list[str]


class Lexicon:
    """Compiled categories and the patterns that single out a member of a group."""

    def __init__(self, data: SensitiveData) -> None:
        self.categories = [
            (c, compile_terms(c.terms, f"sensitive.yaml:{c.id}")) for c in data.categories
        ]
        self.honorifics = data.honorifics
        honorific = f"(?:{alternation(data.surnames)})(?:{alternation(data.honorifics)})"
        self.mentions = [
            compile_terms([p], "sensitive.yaml:mentions") for p in [honorific, *data.mentions]
        ]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(load("sensitive.yaml", SensitiveData))


# The draft says it draws on what the customer said in chats.
CHAT_SOURCE = re.compile(
    r"聊天记录|会话存档|(?:你|您)(?:之前|上次|刚才|在群里|私聊时)?(?:说过|提到过?|聊到|跟我们说)|"
    r"根据(?:你|您)的(?:聊天|对话|留言)|as you (?:mentioned|told us|said) in (?:chat|our chat)",
    re.IGNORECASE,
)
# Speaking to someone in the same sentence as the sensitive term.
_ADDRESSEE = re.compile(r"你|您|\byou\b", re.IGNORECASE)
_SENTENCE_END = "。！？!?\n"
# Customer fields that hold a person's name.
_NAME_FIELDS = ("name", "nickname")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    first = max((text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(ch, end) for ch in _SENTENCE_END) if i >= 0]
    return first, min(ends, default=len(text))


def _name_pattern(names: list[str]) -> re.Pattern[str]:
    """A record's full name, and for a Chinese name its surname + 姐/妈/… (王芳 → 王姐)."""
    honorifics = alternation(lexicon().honorifics)
    forms = [re.escape(n) for n in names]
    forms += [f"{re.escape(n[0])}(?:{honorifics})" for n in names if _CJK.fullmatch(n[0])]
    return re.compile("|".join(forms))


def named_member(text: str, draft: CheckInput) -> re.Match[str] | None:
    """The first place where the post names or @-mentions a member: a name from the customer
    records (`members`, `fields`), an @mention, or a surname/pet name + 姐/妈/宝妈 pattern."""
    given = [draft.fields.get(key, "") for key in _NAME_FIELDS]
    names = [n.strip() for n in [*draft.members, *given] if len(n.strip()) >= 2]
    patterns = [_name_pattern(names)] if names else []
    hits = [m for rx in [*patterns, *lexicon().mentions] if (m := rx.search(text))]
    return min(hits, key=lambda m: m.start(), default=None)


def _finding(start: int, end: int, text: str, zh: str, en: str, who: Msg | None) -> Finding:
    return Finding(
        rule="sensitive",
        severity="block",
        start=start,
        end=end,
        text=text,
        message=msg(
            f"营销内容涉及敏感个人信息({zh})",
            f"marketing content refers to sensitive personal information ({en})",
        )
        + (who or ""),
        fix=msg(
            f"删除与{zh}相关的内容;敏感信息不得用于营销,也不得在群里点名",
            f"remove the {en} reference; sensitive data never personalises marketing or singles "
            "out a member",
        ),
    )


class SensitiveRule:
    """Blocks marketing drafts that use sensitive categories or reuse chat content."""

    id = "sensitive"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        if draft.task == "reply" and not ctx.marketing.is_marketing:
            return []
        norm = normalize(draft.text)
        text = norm.text
        member = named_member(text, draft) if draft.task == "post" else None
        findings = []
        for category, rx in lexicon().categories:
            match = rx.search(text)
            if not match:
                continue
            who = None
            if draft.task == "post":
                if member is not None:
                    who = msg(
                        f",且点名了群成员「{member.group()}」",
                        f", and names the community member «{member.group()}»",
                    )
                elif _ADDRESSEE.search(text, *_sentence(text, *match.span())):
                    who = msg(",且直接称呼了对方", ", and addresses the reader directly")
                else:
                    continue
            start, end = norm.to_original(*match.span())
            findings.append(
                _finding(start, end, draft.text[start:end], category.zh, category.en, who)
            )
        chat = CHAT_SOURCE.search(text)
        if chat and draft.task in ("post", "message"):
            start, end = norm.to_original(*chat.span())
            findings.append(
                Finding(
                    rule="sensitive",
                    severity="block",
                    start=start,
                    end=end,
                    text=draft.text[start:end],
                    message=msg(
                        "草稿引用了客户聊天内容(会话存档)做个性化",
                        "the draft personalises with what the customer said in chats (the WeCom "
                        "chat archive)",
                    ),
                    fix=msg(
                        "只使用已授权字段,不要引用聊天记录",
                        "use consented fields only, never chat content",
                    ),
                )
            )
        return findings
