"""`siyu api`'s application: the API, the sidebar and /healthz without the workbench; open on
loopback only to this machine's host names, keys required beyond it."""

from __future__ import annotations

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
