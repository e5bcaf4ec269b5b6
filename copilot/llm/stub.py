"""An in-process OpenAI-compatible stub server for tests, demos and benchmarks.

It answers `/v1/chat/completions` from a script of canned responses (status, body, delay,
streamed chunks) and records every request, so error paths (429, 5xx, malformed JSON, slow or
streaming answers) can be exercised without a model. Misbehaving endpoints are scripted too: an
HTML error page with status 200 (`body` + `content_type`), bytes that are not UTF-8
(`body_bytes`), an answer cut at the token limit (`finish_reason="length"`), reasoning tokens
reported apart (`reasoning_tokens`), a stream that hangs (`chunk_delay_s`) or dies (`drop_after`).
Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StubResponse(BaseModel):
    """One scripted answer: a status with content, or a stream of content chunks."""

    model_config = ConfigDict(extra="forbid")

    status: int = 200
    content: str = ""
    body: str | None = Field(None, description="raw body instead of a chat completion")
    body_bytes: bytes | None = Field(None, description="raw bytes instead of a chat completion")
    content_type: str = "application/json"
    finish_reason: str = "stop"
    reasoning_tokens: int | None = Field(None, description="reported apart from the answer's")
    delay_s: float = Field(0.0, description="wait before answering (or before the first chunk)")
    chunks: list[str] | None = Field(None, description="stream these deltas as SSE")
    chunk_delay_s: float = 0.0
    drop_after: int | None = Field(None, description="close the stream after this many chunks")
    headers: dict[str, str] = Field(default_factory=dict)


def completion(
    content: str,
    model: str = "stub",
    finish_reason: str = "stop",
    reasoning_tokens: int | None = None,
) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20}
    if reasoning_tokens is not None:
        usage["completion_tokens"] += reasoning_tokens
        usage["total_tokens"] += reasoning_tokens
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage,
    }


def chunk(delta: str, finish: str | None = None, model: str = "stub", first: bool = False) -> str:
    """One SSE event; the first delta names the role, as OpenAI's do."""
    content: dict[str, str] = (
        {"role": "assistant", "content": delta} if first else {"content": delta}
    )
    payload = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": content, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeouts are part of the script) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StubServer:
    """Scripted answers in order; when the script runs out, `default` answers."""

    def __init__(
        self, script: list[StubResponse] | None = None, default: StubResponse | None = None
    ) -> None:
        self.script = list(script or [])
        self.default = default or StubResponse(content="{}")
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def next_response(self, request: dict[str, Any]) -> StubResponse:
        with self._lock:
            self.requests.append(request)
            return self.script.pop(0) if self.script else self.default

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connections
            disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read `requests` instead of a log."""

            def do_GET(self) -> None:
                models = {"object": "list", "data": [{"id": "stub", "object": "model"}]}
                self._send(200, json.dumps(models).encode(), {})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                answer = stub.next_response(request)
                time.sleep(answer.delay_s)
                if answer.chunks is not None and answer.status == 200:
                    self._stream(answer)
                    return
                if answer.body_bytes is not None:
                    self._send(
                        answer.status, answer.body_bytes, answer.headers, answer.content_type
                    )
                    return
                body = answer.body
                if body is None:
                    body = json.dumps(
                        completion(
                            answer.content,
                            finish_reason=answer.finish_reason,
                            reasoning_tokens=answer.reasoning_tokens,
                        )
                        if answer.status == 200
                        else {
                            "error": {
                                "message": answer.content or "stub error",
                                "type": "stub",
                                "code": answer.status,
                            }
                        }
                    )
                self._send(answer.status, body.encode(), answer.headers, answer.content_type)

            def _send(
                self,
                status: int,
                data: bytes,
                headers: dict[str, str],
                content_type: str = "application/json",
            ) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, answer: StubResponse) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")  # the stream ends with the connection
                self.close_connection = True
                self.end_headers()
                for index, delta in enumerate(answer.chunks or []):
                    if index == answer.drop_after:
                        self.close_connection = True
                        return  # the endpoint dies mid-stream
                    if index:
                        time.sleep(answer.chunk_delay_s)
                    self.wfile.write(chunk(delta, first=index == 0).encode())
                    self.wfile.flush()
                self.wfile.write(chunk("", finish=answer.finish_reason).encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


@contextmanager
def stub_server(
    script: list[StubResponse] | None = None, default: StubResponse | None = None
) -> Iterator[StubServer]:
    server = StubServer(script, default).start()
    try:
        yield server
    finally:
        server.stop()
