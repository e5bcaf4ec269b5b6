"""Which searches a reply needs besides the whole message: one per question (in the customer's
language), product rows when a size or stage depends on the baby's weight or age, the shipping
rule (and the rows pricing the packs counted) when an amount is given, every promotion (also
ended ones) when one or a product's offer or the price of some packs now is asked about,
otherwise the rows of the products named, and the shop's rule without the product's name when a
product is named with a matter the shop has one rule for (奶粉几点发货)."""

from __future__ import annotations

from datetime import date

from copilot.answering.cases import (
    AGE,
    AMOUNT,
    PROMO_WORDS,
    QUANTITY,
    SHIP_WORDS,
    WEIGHT,
    asks_offer,
)
from copilot.answering.lexicon import (
    canonical,
    lexicon,
    promotion_titles,
    topics,
    variants,
    without_products,
)
from copilot.answering.splitting import split_questions
from copilot.retrieval.models import ExtraSearch, Language, SearchFilters

PER_QUESTION_K = 5
PROMOTIONS_K = 10
PER_RULE_K = 3


def extra_searches(message: str, language: Language, today: date) -> list[ExtraSearch]:
    body = canonical(message)
    questions = split_questions(message)
    searches = [
        ExtraSearch(
            query=canonical(q), k=PER_QUESTION_K, filters=SearchFilters(on=today, language=language)
        )
        for q in questions
        if len(questions) > 1 or language == "en"
    ]
    products = SearchFilters(on=today, doc_types=["product"], language=language)
    if variants(message):  # 2段奶粉适合几个月: the row of the variant named
        searches.append(ExtraSearch(query=body, k=4, filters=products))
    if WEIGHT.search(body):
        searches.append(
            ExtraSearch(query=canonical("纸尿裤 尺码 体重 kg diapers"), k=8, filters=products)
        )
    if AGE.search(body) and any(w in body for w in ("段", "奶粉", "formula", "stage")):
        searches.append(
            ExtraSearch(query="婴儿配方奶粉 月龄 段 formula months", k=6, filters=products)
        )
    if any(w in body for w in SHIP_WORDS) and (AMOUNT.search(body) or QUANTITY.search(body)):
        rules = SearchFilters(on=today, doc_types=["faq", "policy"], language=language)
        searches.append(
            ExtraSearch(query="满多少包邮 运费 how much is shipping", k=3, filters=rules)
        )
        counted = " ".join(sorted(topics(body) & set(lexicon().product_topics)))
        if QUANTITY.search(body) and counted:  # 买了两包湿巾: the rows pricing what is counted
            searches.append(ExtraSearch(query=counted, k=3, filters=products))
    if promotion_titles(message) or any(w in body for w in PROMO_WORDS) or asks_offer(message):
        everything = SearchFilters(on=today, doc_types=["promotion"], include_expired=True)
        searches.append(ExtraSearch(query=body, k=PROMOTIONS_K, filters=everything))
    named = topics(body) & set(lexicon().product_topics)
    if named and not any(s.filters.doc_types == ["product"] for s in searches):
        # 果泥打开了能放多久: the rows of the product named, when no other search brings them
        searches.append(ExtraSearch(query=body, k=4, filters=products))
    if named and topics(body) & set(lexicon().policy_topics):
        # 奶粉几点发货: the shop's rule too, which the product's own rows and FAQs crowd out
        rules = SearchFilters(on=today, doc_types=["faq", "policy"], language=language)
        searches.append(ExtraSearch(query=without_products(body), k=PER_RULE_K, filters=rules))
    return searches
