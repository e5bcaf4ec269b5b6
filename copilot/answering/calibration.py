"""Logistic model over `features.NAMES`: weights and the answer threshold are data
(data/answer_model.json), fitted by `python -m benchmarks.fit_answer_model` on dev data only."""

from __future__ import annotations

from functools import cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from copilot.answering.features import NAMES
from copilot.answering.lexicon import DATA
from copilot.errors import ConfigError
from copilot.messages import msg

MODEL_FILE = DATA / "answer_model.json"


class AnswerModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    features: list[str]
    weights: list[float]
    bias: float
    threshold: float = Field(description="answer when P(answers) ≥ this, else hand over")
    case_confidence: float = Field(description="share of case facts right on the dev split")
    answer_scale: float = Field(1.0, description="Platt scaling of the chosen passage's P…")
    answer_shift: float = Field(0.0, description="…to the chance the answer is right (dev)")
    fitted_on: dict[str, int] = Field(default_factory=dict, description="examples per data set")

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = x @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def answer_confidence(self, probability: float) -> float:
        """How often an answer from the best passage with this P(answers) was right on dev."""
        p = min(max(probability, 1e-6), 1 - 1e-6)
        z = self.answer_scale * float(np.log(p / (1 - p))) + self.answer_shift
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


@cache
def answer_model() -> AnswerModel:
    model = AnswerModel.model_validate_json(MODEL_FILE.read_text(encoding="utf-8"))
    if tuple(model.features) != NAMES:
        raise ConfigError(
            msg(
                f"特征 {model.features} 与代码 {list(NAMES)} 不一致",
                f"features {model.features} differ from the code's {list(NAMES)}",
            ),
            where=MODEL_FILE.name,
            hint=msg(
                "python -m benchmarks.fit_answer_model 重新拟合",
                "refit the answer model: python -m benchmarks.fit_answer_model",
            ),
        )
    return model


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1e-3, steps: int = 3000
) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by Newton steps (numpy only)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        grad = design.T @ (weight * (p - y)) + l2 * np.r_[beta[:-1], 0.0]
        hess = (design * (weight * p * (1 - p))[:, None]).T @ design + l2 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])
