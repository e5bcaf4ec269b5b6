"""Answering fixtures: demo-style passages and the deterministic character-gram embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from copilot.answering.features import Embed
from copilot.answering.passages import Passage, passage_of
from copilot.retrieval.embedder import FakeEmbedding


def evidence(cid: str, text: str, doc_type: str = "faq", **meta: object) -> dict[str, object]:
    return {"id": cid, "text": text, "doc_type": doc_type, "source": "kb", "metadata": meta}


FAQ_BATH = evidence("K1", "问:给宝宝洗澡水温多少合适？\n答:洗澡水温约37–40℃为宜。")
FAQ_FORMULA = evidence(
    "K2", "问:奶粉怎么冲调？\n答:先洗手并消毒奶瓶，把烧开的水晾到40–50℃。具体水量请按罐身冲调表。"
)
FAQ_SHIPPING = evidence(
    "K3",
    "问:满多少包邮？运费怎么算？\n答:单笔订单商品实付金额满99元包邮；不满99元收取运费10元。",
)
DIAPER_S = evidence(
    "K4",
    "商品:小禾家轻薄透气纸尿裤S码\nSKU:XH-ND-02\n价格:89元\n规格:72片/包\n品类:纸尿裤\n适用:体重4–8kg",
    "product",
    row=5,
)
DIAPER_M = evidence(
    "K5",
    "商品:小禾家轻薄透气纸尿裤M码\nSKU:XH-ND-03\n价格:89元\n规格:60片/包\n品类:纸尿裤\n适用:体重6–11kg",
    "product",
    row=6,
)


@pytest.fixture
def embed() -> Embed:
    model = FakeEmbedding()

    def run(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.embed_documents(list(texts)), dtype=np.float64)

    return run


@pytest.fixture
def passages() -> list[Passage]:
    return [passage_of(e) for e in (FAQ_BATH, FAQ_FORMULA, FAQ_SHIPPING, DIAPER_S, DIAPER_M)]
