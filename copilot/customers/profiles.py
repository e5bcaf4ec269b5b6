"""A customer as drafting sees it: stored columns plus order facts, every value a string."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from copilot.customers.catalog import Product, parse_items
from copilot.store.schema import customers, orders

CHUNK = 900  # bound on ids per IN (...) clause, below SQLite's variable limit


class CustomerProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    nickname: str = ""
    tier: str = ""
    tags: list[str] = []
    birthday: date | None = None
    city: str = ""
    joined_on: date | None = None
    channel: str = ""
    order_count: int = 0
    total_spent_fen: int = 0
    last_order_at: datetime | None = None
    last_order_items: list[str] = []

    def fields(self) -> dict[str, str]:
        """Every personalisation field with a value (names match GuardrailSettings.purpose_fields)."""
        values = {
            "name": self.name,
            "nickname": self.nickname,
            "tier": self.tier,
            "tags": "、".join(self.tags),
            "birthday": self.birthday.strftime("%m月%d日") if self.birthday else "",
            "city": self.city,
            "order_count": str(self.order_count) if self.order_count else "",
            "total_spent": f"{self.total_spent_fen / 100:.2f}元" if self.total_spent_fen else "",
            "last_order_date": self.last_order_at.date().isoformat() if self.last_order_at else "",
            "last_order_items": "、".join(self.last_order_items),
        }
        return {k: v for k, v in values.items() if v}


def load_profiles(
    conn: Connection, ids: Iterable[str], catalog: Mapping[str, Product]
) -> dict[str, CustomerProfile]:
    """Profiles of the given customers (unknown ids are left out), in a few bulk queries."""
    ids = list(dict.fromkeys(ids))
    profiles: dict[str, CustomerProfile] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in conn.execute(select(customers).where(customers.c.id.in_(chunk))).mappings():
            tags = [t for t in row["tags"].split(",") if t]
            profiles[row["id"]] = CustomerProfile.model_validate({**row, "tags": tags})
        # Each customer's order count, spend and last order in one query: the aggregate joined
        # to the orders placed at its last time; of two placed at the same moment, the one with
        # the greater id counts (rows come in id order, the last one read wins), on every database.
        stats = (
            select(
                orders.c.customer_id,
                func.count().label("n"),
                func.sum(orders.c.amount_fen).label("fen"),
                func.max(orders.c.ordered_at).label("last"),
            )
            .where(orders.c.customer_id.in_(chunk))
            .group_by(orders.c.customer_id)
            .subquery()
        )
        last_orders = (
            select(stats.c.customer_id, stats.c.n, stats.c.fen, stats.c.last, orders.c["items"])
            .join(
                orders,
                (orders.c.customer_id == stats.c.customer_id)
                & (orders.c.ordered_at == stats.c.last),
            )
            .order_by(stats.c.customer_id, orders.c.id)
        )
        for cid, n, fen, last, items in conn.execute(last_orders):
            profile = profiles[cid]
            profile.order_count, profile.total_spent_fen, profile.last_order_at = n, int(fen), last
            profile.last_order_items = [
                catalog[sku].name if sku in catalog else sku for sku, _ in parse_items(items)
            ]
    return profiles
