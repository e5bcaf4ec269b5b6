from __future__ import annotations

import pytest

from copilot.llm.backend import Usage
from copilot.llm.cost import estimate_cost, price_for

PRICES = {"gpt-4o": (18.0, 72.0), "gpt-4o-mini": (1.1, 4.4), "qwen-plus": (0.8, 2.0)}


@pytest.mark.parametrize(
    ("model", "price"),
    [
        ("gpt-4o-mini", (1.1, 4.4)),
        ("gpt-4o-mini-2024-07-18", (1.1, 4.4)),
        ("gpt-4o-2024-08-06", (18.0, 72.0)),
        ("llama3", None),
    ],
)
def test_price_lookup(model: str, price: tuple[float, float] | None) -> None:
    assert price_for(model, PRICES) == price


@pytest.mark.parametrize(
    ("model", "usage", "cost"),
    [
        ("qwen-plus", Usage(input_tokens=1_000_000, output_tokens=500_000), 1.8),
        ("gpt-4o-mini", Usage(input_tokens=1000, output_tokens=200), 0.00198),
        ("gpt-4o-mini", Usage(input_tokens=1000, output_tokens=200, cached=True), 0.0),
        ("llama3", Usage(input_tokens=1000), None),
    ],
)
def test_estimate_cost(model: str, usage: Usage, cost: float | None) -> None:
    assert estimate_cost(model, usage, PRICES) == cost
