"""The `sensitive` rule: PIPL sensitive personal information never personalises marketing, a
group post never ties it to a named member, and chat logs (会话存档) are never a data source.

What counts is a term about a person. In a 1:1 message a category's terms are about the
recipient; its everyday words (行程, 工资, 感冒) only in a clause that addresses the recipient,
says the sender knows it (听说, 看到) or asks them about it (…了吧). In a group post a term is
about a member named or @-mentioned in its sentence (or named before, when the sentence goes on
with 她/他), or about the reader the sentence addresses; otherwise the post discusses a topic.
Product information (孕妇也能用, 适合过敏体质, 人脸识别门锁) is about no one.

The terms are product content in `data/sensitive.yaml`; they are matched on the normalised
draft (full-width, invisible characters, traditional characters folded).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache, cached_property, lru_cache, partial

from pydantic import BaseModel, ConfigDict, Field

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
    # an empty alternation would match everywhere
    terms: list[str] = Field(min_length=1)
    bound: list[str] = []


class ProductUse(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before: list[str] = []
    after: list[str] = []


class SensitiveData(DataFile):
    categories: list[Category]
    children: list[str] = Field(default_factory=list)
    addressee: list[str] = Field(default_factory=list)
    recipient: list[str] = Field(default_factory=list)
    presumption: list[str] = Field(default_factory=list)
    third_person: list[str] = Field(default_factory=list)
    product_use: ProductUse = ProductUse()
    surnames: list[str]
    honorifics: list[str]
    mentions: list[str]


def _optional(terms: list[str], where: str, template: str = "{}") -> re.Pattern[str] | None:
    """The compiled alternation of `terms` put into `template`; None for an empty list."""
    return compile_terms([template.format(alternation(terms))], where) if terms else None


def _category_pattern(category: Category, child: str) -> re.Pattern[str]:
    """One pattern per category; the group that matched (`strong` or `bound`) tells which list."""
    groups = [
        f"(?P<{kind}>{alternation([t.replace('{child}', child) for t in terms])})"
        for kind, terms in (("strong", category.terms), ("bound", category.bound))
        if terms
    ]
    return compile_terms(groups, f"sensitive.yaml:{category.id}")


class Lexicon:
    """Compiled categories, what ties a term to a person, and the patterns that single out a
    member of a group."""

    def __init__(self, data: SensitiveData) -> None:
        child = f"(?:{alternation(data.children)})" if data.children else "(?!)"
        self.categories = [(c, _category_pattern(c, child)) for c in data.categories]
        self.addressee = _optional(data.addressee, "sensitive.yaml:addressee")
        self.recipient = _optional(data.recipient, "sensitive.yaml:recipient")
        self.presumption = _optional(
            data.presumption, "sensitive.yaml:presumption", r"(?:{})[\s~～…]*$"
        )
        self.third_person = _optional(data.third_person, "sensitive.yaml:third_person")
        self.product_before = _optional(
            data.product_use.before, "sensitive.yaml:product_use", "(?:{})$"
        )
        self.product_after = _optional(data.product_use.after, "sensitive.yaml:product_use")
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
# A sentence ends at 。！？ or a line break, or at a full stop before a space (not 9.9元).
_SENTENCE_END = r"[。！？!?\n]|\.(?=\s|$)"
_CLAUSE_END = _SENTENCE_END + r"|[，,；;：:]"
# Product wording (适合…) is looked for this many characters before a term.
_WINDOW = 32
# Customer fields that hold a person's name.
_NAME_FIELDS = ("name", "nickname")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The suffix of a 1:1 message's finding: the term is about the recipient, no one else is named.
_RECIPIENT = msg("", "")


def _name_pattern(names: list[str]) -> re.Pattern[str]:
    """A record's full name, and for a Chinese name its surname + 姐/妈/… (王芳 → 王姐)."""
    honorifics = alternation(lexicon().honorifics)
    forms = [re.escape(n) for n in names]
    forms += [f"{re.escape(n[0])}(?:{honorifics})" for n in names if _CJK.fullmatch(n[0])]
    return re.compile("|".join(forms))


def named_members(text: str, draft: CheckInput) -> list[re.Match[str]]:
    """Every place where the post names or @-mentions a member, in text order: a name from the
    customer records (`members`, `fields`), an @mention, or a surname/pet name + 姐/妈/宝妈."""
    given = [draft.fields.get(key, "") for key in _NAME_FIELDS]
    names = [n.strip() for n in [*draft.members, *given] if len(n.strip()) >= 2]
    patterns = [_name_pattern(names)] if names else []
    hits = [m for rx in [*patterns, *lexicon().mentions] for m in rx.finditer(text)]
    return sorted(hits, key=lambda m: m.start())


def _found(rx: re.Pattern[str] | None, text: str, span: tuple[int, int]) -> bool:
    return rx is not None and rx.search(text, *span) is not None


class _Breaks:
    """Where the sentences (or clauses) of a text end, to find the one around a span."""

    def __init__(self, text: str, stops: str) -> None:
        self.text = text
        self.stops = re.compile(stops)

    @cached_property
    def ends(self) -> list[int]:
        return [m.start() for m in self.stops.finditer(self.text)]

    def around(self, start: int, end: int) -> tuple[int, int]:
        first, last = bisect_left(self.ends, start), bisect_left(self.ends, end)
        return (
            self.ends[first - 1] + 1 if first else 0,
            self.ends[last] if last < len(self.ends) else len(self.text),
        )


class _Reading:
    """A normalised draft read for whom each sensitive term is about: the recipient of a 1:1
    message, a member the post names, the reader a post addresses, or no one (a topic in
    general, product information). What a clause or sentence says is worked out once."""

    def __init__(self, text: str, draft: CheckInput) -> None:
        lex = lexicon()
        self.text = text
        self.post = draft.task == "post"
        self.members = named_members(text, draft) if self.post else []
        self.starts = [m.start() for m in self.members]
        self.sentences = _Breaks(text, _SENTENCE_END)
        self.clauses = _Breaks(text, _CLAUSE_END)
        self.addressed = cache(partial(_found, lex.addressee, text))
        self.refers_back = cache(partial(_found, lex.third_person, text))
        self.about_recipient = cache(
            lambda span: _found(lex.recipient, text, span) or _found(lex.presumption, text, span)
        )

    def about(self, match: re.Match[str]) -> Msg | None:
        """Whom `match` (a term of a category) is about: the suffix of its finding's message,
        or None when it is about no one."""
        clause = self.clauses.around(*match.span())
        addressed = self.addressed(clause)
        if not addressed and self._product_info(match, clause):
            return None
        strong = match.groupdict().get("strong") is not None
        if self.post:
            return self._named(match, self.sentences.around(*match.span()) if strong else clause)
        return _RECIPIENT if strong or addressed or self.about_recipient(clause) else None

    def _product_info(self, match: re.Match[str], clause: tuple[int, int]) -> bool:
        """Who a product suits (孕妇也能用, 适合过敏体质) or its feature (人脸识别门锁)."""
        lex = lexicon()
        start, end = match.span()
        window = (max(clause[0], start - _WINDOW), start)
        after = lex.product_after is not None and lex.product_after.match(self.text, end, clause[1])
        return bool(after) or _found(lex.product_before, self.text, window)

    def _named(self, match: re.Match[str], scope: tuple[int, int]) -> Msg | None:
        """A member named in the term's scope, or earlier when its sentence says 她/他; else the
        reader when the scope addresses them."""
        first = bisect_left(self.starts, scope[0])
        member = self.members[first] if first < len(self.starts) else None
        if member is None or member.start() >= scope[1]:
            sentence = self.sentences.around(*match.span())
            before = bisect_left(self.starts, sentence[0])
            member = self.members[before - 1] if before and self.refers_back(sentence) else None
        if member is not None:
            return msg(
                f",且点名了群成员「{member.group()}」",
                f", and names the community member «{member.group()}»",
            )
        if self.addressed(scope):
            return msg(",且直接称呼了对方", ", and addresses the reader directly")
        return None


def _finding(start: int, end: int, text: str, zh: str, en: str, who: Msg) -> Finding:
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
        + who,
        fix=msg(
            f"删除与{zh}相关的内容;敏感信息不得用于营销,也不得在群里点名",
            f"remove the {en} reference; sensitive data never personalises marketing or singles "
            "out a member",
        ),
    )


class SensitiveRule:
    """Blocks marketing drafts that tie a sensitive category to a person or reuse chat content."""

    id = "sensitive"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        if draft.task == "reply" and not ctx.marketing.is_marketing:
            return []
        norm = normalize(draft.text)
        text = norm.text
        reading = _Reading(text, draft)
        findings = []
        for category, rx in lexicon().categories:
            hit = next(
                ((m, who) for m in rx.finditer(text) if (who := reading.about(m)) is not None),
                None,
            )
            if hit is None:
                continue
            match, who = hit
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
