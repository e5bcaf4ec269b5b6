"""Choice model over `features.NAMES`: among a question's candidate passages and "none of them",
the probability that each one answers (a softmax of the weighted features; "none" scores 0).
Weights, the answer threshold and the confidence mapping are data (data/answer_model.json),
fitted by `python -m benchmarks.fit_answer_model` on dev data only."""

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
    handover_confidence: float = Field(
        description="share of dev questions a hand-over rule (medical…) held that needed a person"
    )
    answer_scale: float = Field(1.0, description="Platt scaling of the chosen passage's P…")
    answer_shift: float = Field(0.0, description="…to the chance the answer is right (dev)")
    fitted_on: dict[str, int] = Field(default_factory=dict, description="questions per data set")

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(candidate answers) for one question's candidates (rows of x); the rest of the mass
        is P(none of them answers)."""
        return choice_probabilities(x, np.asarray(self.weights), self.bias)

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


def choice_probabilities(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    if len(x) == 0:
        return np.zeros(0)
    z = x @ weights + bias
    top = max(float(z.max()), 0.0)
    e = np.exp(z - top)
    return e / (e.sum() + np.exp(-top))


def fit_choice(
    lists: list[tuple[np.ndarray, np.ndarray]],
    weight: np.ndarray,
    l2: float = 1e-3,
    steps: int = 3000,
    rate: float = 0.05,
) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised choice model by Adam steps (numpy only). Each list is one
    question: its candidates' feature rows and 0/1 labels; the likelihood of a list is the
    probability of its right candidates together, or of "none" when no candidate is right."""
    width = max(len(y) for _, y in lists)
    dims = lists[0][0].shape[1]
    x = np.zeros((len(lists), width, dims + 1))
    right = np.zeros((len(lists), width + 1))
    mask = np.zeros((len(lists), width + 1), dtype=bool)
    for q, (rows, labels) in enumerate(lists):
        n = len(labels)
        x[q, :n, :dims], x[q, :n, dims] = rows, 1.0
        mask[q, :n] = mask[q, width] = True  # column `width` stands for "none"
        right[q, :n] = labels
        right[q, width] = 0.0 if labels.any() else 1.0
    beta = np.zeros(dims + 1)
    m, v = np.zeros_like(beta), np.zeros_like(beta)
    for step in range(1, steps + 1):
        z = np.concatenate([x @ beta, np.zeros((len(lists), 1))], axis=1)
        z = np.where(mask, z, -np.inf)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        r = p * right
        r /= r.sum(axis=1, keepdims=True)
        diff = (p - r)[:, :width]  # d(-log likelihood)/dz per candidate
        grad = np.einsum("q,qn,qnd->d", weight, diff, x) + l2 * np.r_[beta[:-1], 0.0]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        beta -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return beta[:-1], float(beta[-1])


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
