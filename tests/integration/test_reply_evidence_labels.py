"""Evidence for a model's reply, as it crosses the wire to a real OpenAI-compatible HTTP server on
loopback (the stub server): most probable passage first, each labelled with its probability of
answering; a draft citing only a passage that does not answer goes to a person."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from copilot.config import Settings
from copilot.drafting import Drafter, ReplyRequest
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.stub import StubResponse, StubServer, stub_server
from copilot.retrieval.fixed import FixedRetriever
from copilot.retrieval.models import Hit
from tests.integration.passages import FAQ

pytestmark = pytest.mark.integration

PROMO = Hit(
    id="promo-1",
    source="knowledge/promotions.jsonl",
    doc_type="promotion",
    score=1.2,
    vector_score=0.6,
    keyword_rank=1,
    text="会员日:每月18日全场满199减30,积分双倍。",
)
LABELLED = re.compile(r'<evidence id="(K\d+)"[^>]*answers="([\d.]+)">\n([^\n]+)')


def answer(cited: str) -> StubResponse:
    draft = {"suggestions": [{"text": "您好,质量问题退货运费由小禾家承担。", "citations": [cited]}]}
    return StubResponse(content=json.dumps(draft, ensure_ascii=False))


@pytest.fixture
def server() -> Iterator[StubServer]:
    with stub_server(default=answer("K1")) as stub:
        yield stub


def drafter(url: str) -> Drafter:
    settings = Settings(llm={"base_url": url, "model": "stub"})
    backend = OpenAIBackend(base_url=url, model="stub", timeout_s=10, max_retries=0)
    # the promotion is retrieved first; the FAQ is the passage that answers
    return Drafter.from_settings(settings, backend=backend, retriever=FixedRetriever([PROMO, FAQ]))


def test_the_model_reads_the_answering_passage_first_and_labelled(server: StubServer) -> None:
    result = drafter(server.base_url).reply(ReplyRequest(message="质量问题退货运费谁承担?"))
    user = server.requests[0]["messages"][-1]["content"]
    labelled = LABELLED.findall(user)
    assert [cid for cid, _, _ in labelled] == ["K1", "K2"]
    assert labelled[0][2].startswith("问:退货运费谁承担")
    assert float(labelled[0][1]) > float(labelled[1][1])
    assert [c.source for c in result.drafts[0].citations] == ["knowledge/faq.csv"]
    assert not result.drafts[0].needs_human


def test_a_draft_citing_only_a_passage_that_does_not_answer_goes_to_a_person() -> None:
    with stub_server(default=answer("K2")) as stub:
        result = drafter(stub.base_url).reply(ReplyRequest(message="质量问题退货运费谁承担?"))
    assert [c.source for c in result.drafts[0].citations] == ["knowledge/promotions.jsonl"]
    assert result.drafts[0].needs_human
