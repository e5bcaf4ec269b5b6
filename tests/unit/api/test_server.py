"""`siyu api`'s application: the API, the sidebar and /healthz without the workbench; open on
loopback only to this machine's host names, keys required beyond it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.api.server import api_app
from copilot.app import Copilot


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


def test_the_server_applies_its_drafting_thread_limit(app: Copilot) -> None:
    import anyio.to_thread

    web = api_app(app, require_keys=False)

    @web.get("/limit")
    async def limit() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(web, base_url="http://127.0.0.1") as client:
        assert client.get("/limit").json() == 2


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
