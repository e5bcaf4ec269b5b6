"""`siyu api`'s application: the API, the sidebar and /healthz without the workbench; open on
loopback only to this machine's host names, keys required beyond it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from copilot.api.server import api_app
from copilot.app import Copilot
from copilot.drafting import DraftResult, ReplyRequest
from copilot.drafting.stream import DraftStream


def test_loopback_server_drafts_and_answers_only_to_local_host_names(app: Copilot) -> None:
    client = TestClient(api_app(app, require_keys=False), base_url="http://127.0.0.1")
    assert client.get("/healthz").json() == {"ready": True}
    assert client.get("/wecom/sidebar").status_code == 200
    reply = client.post("/v1/replies", json={"message": "退货运费谁出"})
    assert reply.status_code == 200 and reply.json()["draft_ids"]
    assert client.get("/", headers={"Host": "127.0.0.1"}).status_code == 404  # no workbench
    rebound = client.get("/healthz", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400


def test_server_beyond_loopback_requires_a_key(app: Copilot) -> None:
    client = TestClient(api_app(app, require_keys=True), base_url="http://10.0.0.5")
    response = client.post("/v1/replies", json={"message": "退货运费谁出"})
    assert response.status_code == 401
    assert response.json()["code"] == "key_required"


def test_a_process_drafts_a_few_template_replies_at_once_and_many_model_replies() -> None:
    from copilot.config import ApiSettings

    assert ApiSettings().drafting_threads(llm_configured=False) == 2
    assert ApiSettings().drafting_threads(llm_configured=True) == 40
    assert ApiSettings(threads=6).drafting_threads(llm_configured=False) == 6


def test_the_server_leaves_other_routes_the_default_thread_pool(app: Copilot) -> None:
    import anyio.to_thread

    web = api_app(app, require_keys=False)

    @web.get("/limit")
    async def limit() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(web, base_url="http://127.0.0.1") as client:
        assert client.get("/limit").json() == 40  # anyio's default, not the drafting limit


def _siyu_api(app: Copilot) -> FastAPI:
    return api_app(app, require_keys=False)


def _siyu_serve(app: Copilot) -> FastAPI:
    from copilot.ui.server import create_app
    from copilot.ui.workbench import Workbench

    return create_app(Workbench(app), None)


@pytest.mark.parametrize("served", [_siyu_api, _siyu_serve], ids=["siyu-api", "siyu-serve"])
def test_a_streamed_reply_waits_its_turn_behind_other_drafts(
    app: Copilot, served: Callable[[Copilot], FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One drafting thread, held by a reply being drafted: a streamed reply starts drafting
    only once that reply is done, while other routes answer meanwhile."""
    api = app.settings.api.model_copy(update={"threads": 1})
    one = Copilot(app.settings.model_copy(update={"api": api}))
    holding, done, streaming = threading.Event(), threading.Event(), threading.Event()
    reply, stream_reply = one.drafter.reply, one.drafter.stream_reply

    def held(request: ReplyRequest) -> DraftResult:
        holding.set()
        assert done.wait(30)
        return reply(request)

    def streamed(request: ReplyRequest) -> DraftStream:
        streaming.set()
        return stream_reply(request)

    monkeypatch.setattr(one.drafter, "reply", held)
    monkeypatch.setattr(one.drafter, "stream_reply", streamed)
    events: list[str] = []
    with TestClient(served(one), base_url="http://127.0.0.1") as client:

        def sse() -> None:
            with client.stream("POST", "/v1/replies", json={"message": "退货运费谁出"},
                               headers={"Accept": "text/event-stream"}) as response:  # fmt: skip
                events.extend(line for line in response.iter_lines() if line.startswith("event:"))

        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(client.post, "/v1/replies", json={"message": "退货运费谁出"})
            assert holding.wait(30)
            second = pool.submit(sse)
            assert not streaming.wait(1.0)  # waiting for the drafting thread
            assert client.post("/v1/pii/scan", json={"text": "你好"}).status_code == 200
            done.set()
            assert first.result(30).status_code == 200
            second.result(30)
    one.db.dispose()
    assert streaming.is_set() and events[-1] == "event: result"


def test_workers_refuse_a_port_another_server_listens_on() -> None:
    import socket

    from copilot.api.server import run_workers
    from copilot.errors import InputError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as caught:
            run_workers("127.0.0.1", port, workers=2, threads=1)
    assert f"127.0.0.1:{port}" in caught.value.render("en")


def test_siyu_api_workers_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from copilot.config import Settings

    monkeypatch.setenv("SIYU_API_WORKERS", "3")
    assert Settings().api.workers == 3
