"""The llm-rubric judge and the other collaborators assertions need (token counter, embedder).

The judge renders ``prompts/judge.<lang>.yaml`` with the rubric, the case input and the draft,
and asks a backend for a `JudgeOutput` (passed, score, reason). With no judge backend the
assertion is skipped with a notice — never silently passed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from copilot.drafting.outputs import JudgeOutput
from copilot.drafting.prompts import PromptLibrary
from copilot.errors import CopilotError
from copilot.evals.checks import CJK, Outcome
from copilot.llm import Backend, TokenCounter
from copilot.messages import msg
from copilot.retrieval.embedder import SiyuEmbedding

NO_JUDGE = msg(
    "未配置裁判模型,llm-rubric 已跳过:设置 SIYU_EVALS_JUDGE_BASE_URL(或 SIYU_LLM_BASE_URL)",
    "no judge backend configured, llm-rubric skipped: "
    "set SIYU_EVALS_JUDGE_BASE_URL (or SIYU_LLM_BASE_URL)",
)


class Judge:
    """Grades a draft against a rubric through any backend that returns structured output."""

    def __init__(self, backend: Backend, prompts: PromptLibrary) -> None:
        self.backend, self.prompts = backend, prompts

    def rate(self, rubric: str, input_text: str, output: str) -> Outcome:
        language = "zh" if CJK.search(rubric) else "en"
        spec = self.prompts.get("judge", language)
        system, user = spec.render({"rubric": rubric, "input": input_text, "output": output})
        chat = spec.chat(system, user, {"task": "judge", "rubric": rubric})
        data = JudgeOutput.model_validate(self.backend.generate(chat, JudgeOutput).data)
        details = {"rubric": rubric, "judge": self.backend.name, "score": data.score}
        return Outcome(
            data.passed, data.score, msg("裁判:", "judge: ") + data.reason, details=details
        )


class EvalTools:
    """What checks call out to; the embedder is built on first use (most suites never need it)."""

    def __init__(
        self,
        counter: TokenCounter,
        embedder: Callable[[], SiyuEmbedding],
        judge: Judge | None,
    ) -> None:
        self.counter, self.judge_backend = counter, judge
        self._make_embedder = embedder
        self._embedder: SiyuEmbedding | None = None
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return self.counter.count(text)

    def similarity(self, a: str, b: str) -> float:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._make_embedder()
            vectors = np.asarray(self._embedder.embed_documents([a, b]))
        return float(np.dot(vectors[0], vectors[1]))

    def judge(self, rubric: str, input_text: str, output: str) -> Outcome:
        if self.judge_backend is None:
            return Outcome(False, 0.0, NO_JUDGE, skipped=True, details={"rubric": rubric})
        try:
            return self.judge_backend.rate(rubric, input_text, output)
        except CopilotError as exc:
            return Outcome(
                False,
                0.0,
                msg("裁判出错:", "judge failed: ") + exc.message,
                details={"rubric": rubric},
            )
