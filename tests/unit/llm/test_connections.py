"""The structured answers' kept-alive connections: reused, replaced when the server closed them,
left to the openai client where a proxy applies."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from copilot.drafting.outputs import ReplyOutput
from copilot.llm.backend import ChatPrompt
from copilot.llm.connections import ConnectionPool, proxied
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.stub import StubResponse, completion, stub_server

GOOD = '{"suggestions": [{"text": "您好", "citations": [], "confidence": 0.9}]}'
PROMPT = ChatPrompt(prompt_id="reply", version="1", hash="h", system="系统", user="用户")


@pytest.fixture
def one_answer_per_connection() -> Iterator[tuple[str, list[int]]]:
    """A server that answers one request per connection as HTTP/1.1 (keep-alive implied), then
    closes it without saying so; yields its URL and the connections it accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[int] = []
    body = json.dumps(completion(GOOD)).encode()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                accepted.append(1)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                head, _, rest = request.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", accepted
    listener.close()


def test_requests_share_one_kept_alive_connection() -> None:
    with stub_server([StubResponse(content=GOOD)] * 3) as server:
        backend = OpenAIBackend(base_url=server.base_url, model="stub")
        for _ in range(3):
            backend.generate(PROMPT, ReplyOutput)
        assert backend.pool is not None
        host = backend.pool._pool
        assert (host.num_connections, host.num_requests) == (1, 3)
        assert len(server.requests) == 3


def test_a_connection_the_server_closed_is_replaced_once(
    one_answer_per_connection: tuple[str, list[int]],
) -> None:
    url, accepted = one_answer_per_connection
    backend = OpenAIBackend(base_url=url, model="stub", max_retries=0)
    texts = [backend.generate(PROMPT, ReplyOutput).data["suggestions"][0]["text"] for _ in "abc"]
    assert texts == ["您好"] * 3
    assert len(accepted) == 3  # each stale connection was found closed and replaced


def test_a_proxy_leaves_the_requests_to_the_openai_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "bypassed.internal")
    assert proxied("http://models.internal/v1")
    assert not proxied("http://bypassed.internal/v1")
    assert not proxied("https://models.internal/v1")  # no proxy for https
    assert OpenAIBackend(base_url="http://models.internal/v1", model="m").pool is None
    assert isinstance(
        OpenAIBackend(base_url="http://bypassed.internal/v1", model="m").pool, ConnectionPool
    )


def test_without_the_pool_the_openai_client_sends_the_same_request() -> None:
    with stub_server([StubResponse(content=GOOD)]) as server:
        backend = OpenAIBackend(base_url=server.base_url, model="stub")
        backend.pool = None  # as where a proxy applies
        answer = backend.generate(PROMPT, ReplyOutput)
        (request,) = server.requests
    assert answer.data["suggestions"][0]["text"] == "您好"
    assert request["model"] == "stub" and request["messages"][0]["content"] == "系统"
