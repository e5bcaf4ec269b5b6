"""Facts applied to the customer's case, computed from structured rows among the evidence and
cited to the row used: diaper size from the baby's weight, formula stage from the baby's age,
what is missing for free shipping, a promotion's status on today's date by its colloquial name.
Every number comes from the knowledge files; none is written here. The customer's own numbers
(7kg, 89元) are not repeated: the grounding guardrail accepts only numbers found in the evidence."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict

from copilot.answering.extract import split_sentences
from copilot.answering.lexicon import (
    canonical,
    key_terms,
    lexicon,
    product_asks,
    promotion_titles,
    topics,
)
from copilot.answering.passages import Passage
from copilot.retrieval.models import date_key

RANGE = r"(\d+(?:\.\d+)?)\s*[–\-~至]\s*(\d+(?:\.\d+)?)"
WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|公斤|千克|斤)")
AGE = re.compile(r"(\d+|[一两二三四五六七八九十]+)\s*(个多?月|月|岁|months?|years?)")
AMOUNT = re.compile(
    r"(?<!满)(?<![\d.])(\d+(?:\.\d+)?)\s*(?:元|块|rmb|yuan)|(?<![\d.满])(\d{2,4})(?![\d.]*\s*(?:kg|公斤|斤|片|天|个|月|岁|%|码))"
)
QUANTITY = re.compile(r"(\d+)\s*(?:包|罐|瓶|盒|支|箱|袋|packs?|tins?)")
NUMERAL = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
REGIONAL = ("偏远", "remote")  # a rule for remote regions is not the general one
SHIP_WORDS = ("包邮", "运费", "shipping", "free ship")
PROMO_WORDS = (
    "活动",
    "优惠吗",
    "有优惠",
    "啥优惠",
    "什么优惠",
    "还有吗",
    "打折",
    "折扣",
    "offer",
    "sale",
)
OFFER_CLAUSES = 2  # clauses of a promotion about the product named, at most


class CaseFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    cites: list[str]


def _number(token: str) -> float:
    if token.replace(".", "", 1).isdigit():
        return float(token)
    return float(NUMERAL.get(token, 0))


def _range(text: str) -> tuple[float, float] | None:
    match = re.search(RANGE, text)
    return (float(match.group(1)), float(match.group(2))) if match else None


def _suitable(p: Passage) -> str:
    return p.fields.get("适用") or p.fields.get("Suitable for") or ""


def _largest_fit(
    passages: list[Passage], units: tuple[str, ...], fits: Callable[[tuple[float, float]], bool]
) -> Passage | None:
    """The product row whose suitable range (in one of `units`) fits; between two, the larger."""
    found = []
    for p in passages:
        suitable = _suitable(p)
        span = _range(suitable) if any(u in suitable for u in units) else None
        if p.doc_type == "product" and span and fits(span):
            found.append((span, p))
    return max(found, key=lambda f: f[0][0])[1] if found else None


def _product_name(p: Passage) -> str:
    return p.fields.get("商品") or p.fields.get("Product") or p.question


def diaper_size(question: str, passages: list[Passage], en: bool) -> CaseFact | None:
    match = WEIGHT.search(canonical(question))
    if not match or not any(w in canonical(question) for w in ("码", "size", "纸尿裤", "diaper")):
        return None
    kg = float(match.group(1)) / (2 if match.group(2) == "斤" else 1)
    best = _largest_fit(passages, ("kg",), lambda span: span[0] <= kg <= span[1])
    if best is None:
        return None
    name = _product_name(best)
    if en:
        text = f"For your baby's weight, choose {name} (suitable for {_suitable(best)})."
    else:
        text = f"这个体重建议选{name}（适用{_suitable(best)}）。"
    return CaseFact(text=text, cites=[best.id])


def formula_stage(question: str, passages: list[Passage], en: bool) -> CaseFact | None:
    body = canonical(question)
    match = AGE.search(body)
    if not match or not any(w in body for w in ("段", "奶粉", "formula", "stage")):
        return None
    months = _number(match.group(1)) * (12 if match.group(2).startswith(("岁", "year")) else 1)
    best = _largest_fit(
        passages, ("月龄", "months"), lambda span: span[0] <= months < span[1] + 0.5
    )
    if best is None:
        return None
    name = _product_name(best)
    if en:
        text = f"For your baby's age, {name} fits (for {_suitable(best)})."
    else:
        text = f"这个月龄适合{name}（适用{_suitable(best)}）。"
    return CaseFact(text=text, cites=[best.id])


def shipping_gap(question: str, passages: list[Passage], en: bool) -> CaseFact | None:
    body = canonical(question)
    if not any(w in body for w in SHIP_WORDS):
        return None
    amounts = [float(a or b) for a, b in AMOUNT.findall(body)]
    cites: list[str] = []
    if not amounts:
        bought = _quantity_price(body, passages)
        if bought is None:
            return None
        amounts, cites = [bought[0]], [bought[1]]
    amount = amounts[-1]
    for p in passages:
        rule = _free_shipping(p.answer)
        if rule:
            threshold, fee = rule
            if amount >= threshold:
                text = (
                    f"That amount reaches the {threshold:g} yuan threshold, so shipping is free."
                    if en
                    else f"按您说的金额，已满{threshold:g}元，可以包邮。"
                )
            else:
                gap = threshold - amount
                text = (
                    f"That amount is {gap:g} yuan short of free shipping (from {threshold:g} "
                    f"yuan); otherwise shipping costs {fee:g} yuan."
                    if en
                    else f"按您说的金额，再凑{gap:g}元就能包邮（满{threshold:g}元包邮），"
                    f"不凑单运费{fee:g}元。"
                )
            return CaseFact(text=text, cites=[*cites, p.id])
    return None


def _quantity_price(body: str, passages: list[Passage]) -> tuple[float, str] | None:
    """(quantity × unit price, the product row's id) for 买两包纸尿裤: the first product row
    whose name shares a word with the question."""
    match = QUANTITY.search(body)
    if not match:
        return None
    for p in passages:
        price = re.search(r"(\d+(?:\.\d+)?)", p.fields.get("价格") or p.fields.get("Price") or "")
        if p.doc_type == "product" and price and key_terms(p.question) & key_terms(body):
            return float(match.group(1)) * float(price.group(1)), p.id
    return None


def _free_shipping(text: str) -> tuple[float, float] | None:
    """(threshold, fee) of the general free-shipping rule in a passage; sentences about remote
    regions (their own, higher threshold) are skipped."""
    for sentence in re.split(r"。|\.\s", text):
        if any(word in sentence.lower() for word in REGIONAL):
            continue
        zh = re.search(r"满(\d+)元包邮[^。]*?运费(\d+)元", sentence)
        if zh:
            return float(zh.group(1)), float(zh.group(2))
        en = re.search(
            r"at least (\d+) yuan.*?ship free; otherwise shipping costs (\d+) yuan", sentence
        )
        if en:
            return float(en.group(1)), float(en.group(2))
    return None


def asks_offer(question: str) -> bool:
    """Whether a question naming a product asks for its current offer or for what some packs of
    it cost now (尿不湿现在有优惠吗, 买2罐1段奶粉现在多少钱), not for a promotion by its name."""
    body = canonical(question)
    named = topics(body) & set(lexicon().product_topics)
    counted_price = "price" in product_asks(question) and QUANTITY.search(body)
    offer = any(w in body for w in PROMO_WORDS) or counted_price
    return bool(named and offer and not promotion_titles(question))


def product_offer(question: str, passages: list[Passage], today: date, en: bool) -> CaseFact | None:
    """The clauses of today's promotions about the product a question names (the pack price of
    纸尿裤 in 冬季囤货节), not the list of every running promotion."""
    if en or not asks_offer(question):
        return None
    words = [
        w.lower()
        for t in topics(canonical(question)) & set(lexicon().product_topics)
        for w in lexicon().topics[t]
    ]
    day = date_key(today)
    current = [
        p for p in passages if p.doc_type == "promotion" and p.valid_from <= day <= p.valid_to
    ]
    for promo in sorted(current, key=lambda p: p.valid_to - p.valid_from):  # the season's first
        about = [s for s in split_sentences(promo.answer) if any(w in canonical(s) for w in words)]
        if about:
            clauses = "".join(about[:OFFER_CLAUSES])
            return CaseFact(text=f"{promo.question}：{clauses}", cites=[promo.id])
    return None


def promotion_status(
    question: str, passages: list[Passage], today: date, en: bool
) -> CaseFact | None:
    body = canonical(question)
    promos = [p for p in passages if p.doc_type == "promotion"]
    if not promos or en:
        return None
    day = date_key(today)
    current = [p for p in promos if p.valid_from <= day <= p.valid_to]
    named = [p for t in promotion_titles(question) for p in promos if p.question == t]
    if named:
        promo = named[0]
        if promo.valid_to < day:
            end = f"{promo.valid_to // 100 % 100}月{promo.valid_to % 100}日"
            text = f"{promo.question}已于{end}结束。"
            if current:
                now = min(current, key=lambda p: p.valid_to - p.valid_from)  # the season's offer
                text += f"目前进行中的是{now.question}：{now.text}"
                return CaseFact(text=text, cites=[promo.id, now.id])
            return CaseFact(text=text, cites=[promo.id])
        return CaseFact(text=f"{promo.question}：{promo.text}", cites=[promo.id])
    if any(w in body for w in PROMO_WORDS) and current and len(body) <= 10:
        titles = "、".join(p.question for p in current)
        return CaseFact(text=f"目前进行中的活动有：{titles}。", cites=[p.id for p in current])
    return None


def case_fact(question: str, passages: list[Passage], today: date, en: bool) -> CaseFact | None:
    """The first case-specific fact the question asks for and the evidence supports."""
    return (
        diaper_size(question, passages, en)
        or formula_stage(question, passages, en)
        or shipping_gap(question, passages, en)
        or product_offer(question, passages, today, en)
        or promotion_status(question, passages, today, en)
    )
