"""Cost estimate from the price table in settings (yuan per million tokens)."""

from __future__ import annotations

from collections.abc import Mapping

from copilot.llm.backend import Usage


def price_for(model: str, prices: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    """(input, output) price of a model: exact name first, then the longest matching prefix."""
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


def estimate_cost(
    model: str, usage: Usage, prices: Mapping[str, tuple[float, float]]
) -> float | None:
    """Cost in yuan, 0 for cached answers, None when the model is not in the price table."""
    if usage.cached:
        return 0.0
    price = price_for(model, prices)
    if price is None:
        return None
    per_input, per_output = price
    return round((usage.input_tokens * per_input + usage.output_tokens * per_output) / 1e6, 6)
