"""No personal data reaches a model: the prompt as it crosses the wire to a real
OpenAI-compatible HTTP server on loopback (the stub server) is captured and scanned.

Customer text arrives obfuscated the way people write it (dots between digit groups, Chinese
numerals, circled digits, zero-width characters, spelled-out email); the order/customer context
and customer-record fields carry personal data too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from copilot.config import Settings
from copilot.drafting import Drafter, ReplyRequest
from copilot.drafting.message import MessageRequest
from copilot.guardrails import scan_pii
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.stub import StubResponse, StubServer, stub_server
from copilot.retrieval.fixed import FixedRetriever
from tests.integration.passages import FAQ

pytestmark = pytest.mark.integration

ANSWER = {"suggestions": [{"text": "您好,质量问题退货运费由小禾家承担。", "citations": ["K1"]}]}
# (what the customer or record says, the digits/handle that must not reach the model)
MESSAGE = (
    "我电话幺三八.一二三四.五六七八,身份证①①⓪①⓪①①⑨⑨⓪⓪③⓪⑦①②③③,"
    "邮箱 wang.fang 艾特 qq 点 com,加V mama_xiaoyu2020,退货运费谁出?"
)
CONTEXT = "订单 20261111123456 收货人手机139\u200b1234\u200b5678,地址上海市浦东新区世纪大道88号"
SECRETS = ("13812345678", "110101199003071233", "wang.fang", "mama_xiaoyu2020",
           "13912345678", "世纪大道88号")  # fmt: skip


@pytest.fixture
def server() -> Iterator[StubServer]:
    answer = StubResponse(content=json.dumps(ANSWER, ensure_ascii=False))
    with stub_server(default=answer) as stub:
        yield stub


def drafter(url: str) -> Drafter:
    settings = Settings(llm={"base_url": url, "model": "stub"})
    backend = OpenAIBackend(base_url=url, model="stub", timeout_s=10, max_retries=0)
    return Drafter.from_settings(settings, backend=backend, retriever=FixedRetriever([FAQ]))


def sent_text(server: StubServer) -> str:
    """Every message of every request the server received, as the model would read it."""
    assert server.requests, "the backend sent nothing"
    return "\n".join(m["content"] for r in server.requests for m in r["messages"])


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_reply_prompt_carries_no_personal_data(server: StubServer) -> None:
    result = drafter(server.base_url).reply(ReplyRequest(message=MESSAGE, context=CONTEXT))
    assert result.drafts
    prompt = sent_text(server)
    for secret in SECRETS:
        assert secret not in prompt and secret not in digits(prompt)
    assert "[手机号]" in prompt and "[身份证号]" in prompt and "[地址]" in prompt
    assert "20261111123456" in prompt  # an order number is no personal data: kept
    assert scan_pii(prompt) == []


def test_message_prompt_redacts_record_fields(server: StubServer) -> None:
    request = MessageRequest(
        playbook="birthday",
        fields={"name": "王女士", "note": "备用手机 138 1234 5678"},
        consents=["birthday_greeting"],
    )
    drafter(server.base_url).message(request)
    prompt = sent_text(server)
    assert "王女士" in prompt  # a consented name is what personalises the message
    assert "13812345678" not in digits(prompt) and "[手机号]" in prompt
