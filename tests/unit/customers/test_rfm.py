from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from copilot.config import CustomerSettings
from copilot.customers.catalog import Product
from copilot.customers.rfm import Segmenter
from copilot.messages import render
from copilot.store.engine import Database
from copilot.store.schema import customers, orders

AS_OF = date(2026, 11, 15)
CATALOG = {
    "ND": Product(sku="ND", name="纸尿裤", category="纸尿裤", price=89),
    "MF": Product(sku="MF", name="奶粉", category="婴儿配方奶粉", price=268),
}


def days_ago(n: int) -> datetime:
    return datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=n) + timedelta(hours=10)


# customer id -> (joined days ago, [(order days ago, yuan, items)], segment, r, f, m, tags)
CASES = {
    "new-order": (200, [(10, 100, "ND")], "new", 5, 1, 1, []),
    "new-no-order": (5, [], "new", 1, 1, 1, []),
    "never": (400, [], "dormant", 1, 1, 1, []),
    "dormant": (
        900,
        [(200, 500, "ND"), (400, 500, "ND"), (500, 500, "ND")],
        "dormant",
        1,
        2,
        3,
        ["高频纸尿裤购买者"],
    ),
    "at-risk": (900, [(120, 300, "MF"), (300, 300, "MF")], "at_risk", 2, 2, 2, []),
    "core": (900, [(31, 100, "ND*2;MF"), (300, 100, "MF")], "core", 4, 2, 1, []),
    "super": (
        900,
        [(5 + 20 * i, 300, "MF") for i in range(16)],
        "super",
        5,
        5,
        4,
        ["高频婴儿配方奶粉购买者"],
    ),
}


@pytest.fixture
def report(db: Database):
    with db.begin() as conn:
        for cid, (joined, history, *_rest) in CASES.items():
            conn.execute(
                customers.insert().values(id=cid, name=cid, joined_on=AS_OF - timedelta(joined))
            )
            for i, (ago, yuan, items) in enumerate(history):
                conn.execute(
                    orders.insert().values(
                        id=f"{cid}-{i}",
                        customer_id=cid,
                        ordered_at=days_ago(ago),
                        amount_fen=yuan * 100,
                        items=items,
                    )
                )
        return Segmenter(CustomerSettings(), CATALOG).run(conn, AS_OF)


@pytest.mark.parametrize("cid", list(CASES))
def test_segment_scores_and_tags(report, cid: str) -> None:
    *_, segment, r, f, m, tags = CASES[cid]
    (score,) = [s for s in report.scores if s.customer_id == cid]
    assert (score.segment, score.r, score.f, score.m, score.tags) == (segment, r, f, m, tags)
    for lang in ("zh", "en"):
        assert render(score.reason, lang) in render(score.explain(), lang)
    assert "天" not in render(score.explain(), "en") and "days" not in render(score.explain(), "zh")


def test_counts_cover_every_segment(report) -> None:
    assert report.counts == {"new": 2, "core": 1, "super": 1, "at_risk": 1, "dormant": 2}
    assert report.tag_counts == {"高频纸尿裤购买者": 1, "高频婴儿配方奶粉购买者": 1}


def test_thresholds_come_from_settings(db: Database, report) -> None:
    strict = CustomerSettings(recent_days=20, dormant_days=60)
    with db.begin() as conn:
        again = Segmenter(strict, CATALOG).run(conn, AS_OF)
    by_id = {s.customer_id: s.segment for s in again.scores}
    assert (by_id["core"], by_id["at-risk"]) == ("at_risk", "dormant")
