"""Demo customers, orders and consents for the fictional brand, from a fixed seed.

Customers follow a few lifecycle profiles so every RFM segment and playbook has an audience;
customers.csv uses Chinese headers and orders/consents English ones, as real exports mix both.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from faker import Faker

from copilot.customers.catalog import Product

CUSTOMER_HEADERS = (
    "客户编号",
    "姓名",
    "昵称",
    "会员等级",
    "标签",
    "生日",
    "城市",
    "入会日期",
    "渠道",
)
ORDER_HEADERS = ("order_id", "customer_id", "time", "amount", "items")
CONSENT_HEADERS = ("customer_id", "purpose", "action", "time", "source")
# The membership policy's tiers (knowledge/policies/membership.md), so playbooks quote tier offers.
TIERS = ("禾苗会员", "禾穗会员", "金禾会员")
TAGS = ("宝妈", "孕期", "二胎家庭", "新手爸爸", "职场妈妈", "育儿达人")
CHANNELS = ("企微扫码", "小程序", "门店导购", "直播间", "社群裂变")
SOURCES = (
    "小程序授权弹窗（明示-授权-可撤回）",
    "企微欢迎语确认（明示-授权-可撤回）",
    "门店纸质授权书",
)
# profile: (weight, days since joined range, order count range, days since last order range)
PROFILES = {
    "new": (0.12, (3, 30), (1, 1), (0, 25)),
    "core": (0.38, (120, 900), (4, 14), (0, 60)),
    "super": (0.08, (300, 1200), (16, 40), (0, 30)),
    "at_risk": (0.20, (200, 1000), (3, 10), (91, 180)),
    "dormant": (0.22, (300, 1400), (1, 6), (181, 540)),
}
PURPOSE_RATES = {
    "marketing_personalisation": 0.85,
    "birthday_greeting": 0.7,
    "order_history_use": 0.75,
    "location_use": 0.3,
}
WITHDRAW_RATE = 0.06


class DemoGenerator:
    """Writes customers.csv, orders.csv and consents.csv; same seed and date, same files."""

    def __init__(
        self, catalog: Sequence[Product], *, seed: int = 7, as_of: date | None = None
    ) -> None:
        self.products = list(catalog)
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.as_of = as_of or date.today()
        self.now = datetime.combine(self.as_of, datetime.min.time()).replace(hour=12)

    def _profile(self) -> str:
        names = list(PROFILES)
        return self.rng.choices(names, weights=[PROFILES[n][0] for n in names])[0]

    def _customer(self, number: int, profile: str) -> tuple[list[str], date]:
        rng = self.rng
        joined = self.as_of - timedelta(days=rng.randint(*PROFILES[profile][1]))
        birthday = date(rng.randint(1975, 2002), 1, 1) + timedelta(days=rng.randint(0, 364))
        name = self.fake.name()
        tags = "|".join(rng.sample(TAGS, rng.randint(0, 2)))
        tier = TIERS[min(2, {"super": 2, "core": 1}.get(profile, 0) + rng.randint(0, 1))]
        nickname = rng.choice((f"{name[0]}妈妈", f"小{name[-1]}", f"{name[-1]}{name[-1]}"))
        row = [
            f"C{number:06d}",
            name,
            nickname,
            tier,
            tags,
            birthday.isoformat(),
            self.fake.city_name(),
            joined.isoformat(),
            rng.choice(CHANNELS),
        ]
        return row, joined

    def _orders(self, cid: str, profile: str, joined: date, count: int) -> Iterator[list[str]]:
        rng = self.rng
        last_gap = rng.randint(*PROFILES[profile][3])
        last = self.now - timedelta(days=last_gap, minutes=rng.randint(0, 600))
        span = max((last.date() - joined).days, 1)
        for i in range(count):
            at = (
                last
                if i == 0
                else last - timedelta(days=rng.randint(0, span), hours=rng.randint(0, 9))
            )
            picks = rng.sample(self.products, rng.choice((1, 1, 1, 2, 2, 3)))
            qty = [rng.choice((1, 1, 2, 3)) for _ in picks]
            amount = sum(p.price * q for p, q in zip(picks, qty, strict=True))
            amount *= rng.choice((1.0, 1.0, 0.9, 0.85))
            items = ";".join(f"{p.sku}*{q}" for p, q in zip(picks, qty, strict=True))
            yield [
                f"{cid}-{i + 1:03d}",
                cid,
                at.strftime("%Y-%m-%d %H:%M:%S"),
                f"{amount:.2f}",
                items,
            ]

    def _consents(self, cid: str, joined: date) -> Iterator[list[str]]:
        rng = self.rng
        for purpose, rate in PURPOSE_RATES.items():
            if rng.random() >= rate:
                continue
            granted = datetime.combine(joined, datetime.min.time()) + timedelta(
                hours=rng.randint(9, 20)
            )
            source = rng.choice(SOURCES)
            yield [cid, purpose, "granted", granted.isoformat(sep=" "), source]
            if rng.random() < WITHDRAW_RATE:
                gap = max((self.now - granted).days, 1)
                withdrawn = granted + timedelta(days=rng.randint(1, gap))
                yield [cid, purpose, "withdrawn", withdrawn.isoformat(sep=" "), source]

    def write(self, out: Path, *, customers: int = 2000, orders: int = 20000) -> dict[str, int]:
        """Write the three CSVs into `out`; returns the row count of each file."""
        out.mkdir(parents=True, exist_ok=True)
        counts = {"customers": 0, "orders": 0, "consents": 0}
        profiles = [self._profile() for _ in range(customers)]
        mean = sum(sum(PROFILES[p][2]) / 2 for p in profiles) or 1
        scale = orders / mean
        paths = {name: out / f"{name}.csv" for name in counts}
        handles = {
            name: path.open("w", encoding="utf-8", newline="") for name, path in paths.items()
        }
        try:
            writers = {name: csv.writer(fh) for name, fh in handles.items()}
            writers["customers"].writerow(CUSTOMER_HEADERS)
            writers["orders"].writerow(ORDER_HEADERS)
            writers["consents"].writerow(CONSENT_HEADERS)
            for number, profile in enumerate(profiles, start=1):
                row, joined = self._customer(number, profile)
                writers["customers"].writerow(row)
                low, high = PROFILES[profile][2]
                count = (
                    1 if profile == "new" else max(1, round(self.rng.randint(low, high) * scale))
                )
                for order in self._orders(row[0], profile, joined, count):
                    writers["orders"].writerow(order)
                    counts["orders"] += 1
                for consent in self._consents(row[0], joined):
                    writers["consents"].writerow(consent)
                    counts["consents"] += 1
                counts["customers"] += 1
        finally:
            for fh in handles.values():
                fh.close()
        return counts
