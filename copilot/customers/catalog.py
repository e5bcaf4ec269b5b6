"""The product catalog (knowledge/products.csv) as the customer side needs it: SKU, category, price."""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from copilot.errors import InputError
from copilot.messages import msg


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str
    name: str
    category: str
    price: float


def load_catalog(path: Path) -> dict[str, Product]:
    """SKU -> product; the file's other columns (spec, cautions, …) are ignored here."""
    if not path.is_file():
        raise InputError(
            msg("商品目录不存在", "product catalog not found"),
            where=str(path),
            hint=msg(
                "确认 knowledge/products.csv 存在，或用 SIYU_KNOWLEDGE_DIR 指向知识库目录",
                "make sure knowledge/products.csv exists, or point SIYU_KNOWLEDGE_DIR at the "
                "knowledge folder",
            ),
        )
    catalog: dict[str, Product] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            try:
                product = Product.model_validate({k: row[k] for k in Product.model_fields})
            except (KeyError, ValidationError) as exc:
                raise InputError(
                    msg("商品行无效", "invalid product row") + f": {exc}",
                    where=f"{path}:{number}",
                    hint=msg(
                        "每行需要 sku, name, category, price（数字）",
                        "each row needs sku, name, category and price (a number)",
                    ),
                ) from exc
            catalog[product.sku] = product
    return catalog


def parse_items(items: str) -> list[tuple[str, int]]:
    """'SKU*2;SKU2' -> [(SKU, 2), (SKU2, 1)]; quantities that are not numbers count as 1."""
    parsed: list[tuple[str, int]] = []
    for part in items.split(";"):
        sku, _, qty = part.strip().partition("*")
        if sku:
            parsed.append((sku, int(qty) if qty.isdigit() else 1))
    return parsed
