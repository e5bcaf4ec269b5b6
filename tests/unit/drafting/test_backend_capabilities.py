"""The engine reads what a backend is from its capabilities, never from its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.drafting import ReplyRequest
from copilot.llm.backend import TEMPLATE_BACKEND, Backend
from copilot.llm.cache import CachedBackend, ResponseCache
from copilot.llm.fake import FakeBackend
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.template import TemplateBackend
from tests.unit.drafting.conftest import MakeDrafter

ANSWER = '{"suggestions": [{"text": "您好,运费由小禾家承担。", "citations": ["K1"]}]}'


@pytest.mark.parametrize(
    ("backend", "is_template", "streams"),
    [
        (TemplateBackend(), True, False),
        (FakeBackend(), False, True),
        (OpenAIBackend(base_url="http://127.0.0.1:9", model="m"), False, True),
    ],
    ids=["template", "fake", "openai"],
)
def test_capabilities(backend: Backend, is_template: bool, streams: bool, tmp_path: Path) -> None:
    cached = CachedBackend(backend, ResponseCache(tmp_path / "cache.sqlite"))
    for each in (backend, cached):
        assert isinstance(each, Backend)
        assert (each.is_template, each.streams) == (is_template, streams)


def test_a_model_named_like_the_template_label_is_still_a_model(
    make_drafter: MakeDrafter,
) -> None:
    fake = FakeBackend(default=ANSWER, name=TEMPLATE_BACKEND)
    drafter = make_drafter(backend=fake)
    stream = drafter.stream_reply(ReplyRequest(message="退货运费谁承担?"))
    assert len(list(stream)) > 1  # streamed in deltas, not taken whole from generate
    result = stream.result()
    assert result.drafts[0].text == "您好,运费由小禾家承担。"
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0  # counted
    assert fake.calls  # the model was asked; the template drafter was not
