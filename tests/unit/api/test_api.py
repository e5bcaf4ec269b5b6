"""The /v1 API over a Copilot on the demo knowledge base (fake embedder, template drafter)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from copilot.access.keys import KeyRing
from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.community.members import CommunityMembers

PHONE = "13812345678"


def bearer(app: Copilot, name: str, scopes: tuple[str, ...]) -> dict[str, str]:
    issued = KeyRing(app.db, app.audit).create(name, scopes)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {issued.token}"}


def test_reply_is_drafted_recorded_and_its_feedback_found(local: TestClient, app: Copilot) -> None:
    response = local.post(
        "/replies",
        json={"message": f"退货运费谁出?我电话 {PHONE}"},
        headers={"X-Request-ID": "r-1"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["task"] == "reply" and body["drafts"]
    assert len(body["draft_ids"]) == len(body["drafts"])
    assert PHONE not in body["customer_message"]
    assert response.headers["x-request-id"] == "r-1" == body["request_id"]
    draft_id = body["draft_ids"][0]
    recorded = [r for r in app.audit.events(subject=draft_id)]
    assert recorded and recorded[0].event.request_id == "r-1"
    assert recorded[0].actor == "api:local"
    edited = local.post(
        "/feedback", json={"draft_id": draft_id, "action": "edited", "text": "您好,改过的回复。"}
    )
    assert edited.status_code == 200, edited.text
    kinds = [r.event.kind for r in app.audit.events(subject=draft_id)]
    assert kinds == ["draft_created", "human_action"]


def test_feedback_on_unknown_draft_is_a_404_problem_in_the_callers_language(
    local: TestClient,
) -> None:
    response = local.post(
        "/feedback",
        json={"draft_id": "reply-nope-1", "action": "accepted"},
        headers={"Accept-Language": "en-US"},
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "draft_not_found"
    assert problem["detail"] == "no draft with this id"
    zh = local.post("/feedback", json={"draft_id": "reply-nope-1", "action": "accepted"}).json()
    assert zh["detail"] == "找不到这条草稿"


def test_rejection_needs_a_reason(local: TestClient) -> None:
    draft_id = local.post("/replies", json={"message": "奶粉保质期多久"}).json()["draft_ids"][0]
    response = local.post("/feedback", json={"draft_id": draft_id, "action": "rejected"})
    assert response.status_code == 422 and response.json()["code"] == "reason_required"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "hi", "surprise": 1}, "surprise"),
        ({"message": "x" * 5000}, "message"),
    ],
)
def test_invalid_bodies_name_the_field(local: TestClient, payload: dict, field: str) -> None:
    response = local.post("/replies", json=payload)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_malformed_json_and_oversized_bodies(local: TestClient) -> None:
    bad = local.post("/replies", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    huge = local.post("/pii/scan", content=b"x" * (1024 * 1024 + 1),
                      headers={"Content-Type": "application/json"})  # fmt: skip
    assert huge.status_code == 413 and huge.json()["code"] == "body_too_large"


def test_keys_scopes_and_revocation(remote: TestClient, app: Copilot) -> None:
    assert remote.post("/check", json={}).json()["code"] == "key_required"
    drafter = bearer(app, "sidebar-1", ("draft",))
    reply = remote.post("/replies", json={"message": "几天发货"}, headers=drafter)
    assert reply.status_code == 200
    assert app.audit.events(subject=reply.json()["draft_ids"][0]).__next__().actor == (
        "api:sidebar-1"
    )
    denied = remote.post("/feedback", json={"draft_id": "x", "action": "accepted"},
                         headers=drafter)  # fmt: skip
    assert denied.status_code == 403 and denied.json()["code"] == "scope_missing"
    wrong = {"Authorization": drafter["Authorization"][:-2] + "xx"}
    assert remote.post("/replies", json={"message": "几天发货"}, headers=wrong).status_code == 401
    KeyRing(app.db, app.audit).revoke("sidebar-1")
    revoked = remote.post("/replies", json={"message": "几天发货"}, headers=drafter)
    assert revoked.status_code == 401 and revoked.json()["code"] == "invalid_key"


def test_rate_limit_answers_429_with_retry_after(app: Copilot) -> None:
    strict = app.settings.model_copy(
        update={"api": app.settings.api.model_copy(update={"rate_per_minute": 1, "burst": 2})}
    )
    client = TestClient(build_api(Copilot.from_settings(strict), require_keys=False))
    codes = [client.post("/pii/scan", json={"text": "hi"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.post("/pii/scan", json={"text": "hi"})
    assert int(limited.headers["retry-after"]) >= 1


def test_message_loads_permitted_fields_server_side(local: TestClient, app: Copilot) -> None:
    customer = next(iter(app.db.engine.connect().exec_driver_sql("SELECT id FROM customers")))[0]
    response = local.post("/messages", json={"playbook": "birthday", "customer_id": customer})
    assert response.status_code in (200, 409), response.text
    if response.status_code == 200:
        assert response.json()["task"] == "message"
    else:
        assert response.json()["code"] and response.json()["detail"]
    unknown = local.post("/messages", json={"playbook": "birthday", "customer_id": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "customer_not_found"
    book = local.post("/messages", json={"playbook": "nope", "customer_id": customer})
    assert book.status_code == 404 and book.json()["code"] == "playbook_not_found"
    sneaky = local.post(
        "/messages", json={"playbook": "birthday", "customer_id": customer, "fields": {"a": "b"}}
    )
    assert sneaky.status_code == 422


def test_pii_scan_search_and_check(local: TestClient) -> None:
    scan = local.post("/pii/scan", json={"text": f"电话 {PHONE}"}).json()
    assert [e["type"] for e in scan["entities"]] and PHONE not in scan["redacted"]
    found = local.get("/search", params={"q": "退货运费", "k": 3}).json()
    assert found["hits"] and len(found["hits"]) <= 3
    verdict = local.post(
        "/check", json={"id": "d1", "task": "reply", "text": f"请拨打 {PHONE} 联系我们"}
    ).json()
    assert verdict["verdict"] in ("warn", "block") and verdict["findings"]


def test_reply_streams_as_server_sent_events(local: TestClient) -> None:
    with local.stream(
        "POST",
        "/replies",
        json={"message": "退货运费谁出"},
        headers={"Accept": "text/event-stream"},
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names[-1] == "result" and set(names[:-1]) <= {"delta"}
    result = json.loads(events[-1][1].removeprefix("data: "))
    assert result["draft_ids"]


def test_openapi_describes_every_route(local: TestClient) -> None:
    spec = local.get("/openapi.json").json()
    assert {
        "/replies",
        "/posts",
        "/messages",
        "/check",
        "/pii/scan",
        "/search",
        "/feedback",
    } <= set(spec["paths"])


def test_messages_in_a_response_follow_the_callers_language(local: TestClient) -> None:
    text = "请加微信 abc123 领券,限时抢购最后一天!"
    en = local.post("/check?lang=en", json={"id": "d1", "task": "reply", "text": text}).json()
    zh = local.post("/check", json={"id": "d1", "task": "reply", "text": text}).json()
    assert en["findings"] and [f["rule"] for f in en["findings"]] == [
        f["rule"] for f in zh["findings"]
    ]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en["findings"][0]["message"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["findings"][0]["message"])


def test_a_post_is_checked_against_the_members_of_its_community(
    app: Copilot, local: TestClient, post_members: list[list[str]]
) -> None:
    CommunityMembers(app.schedule).add("宝妈交流1群", ["李静怡", "豆豆妈"])
    body = {"post_type": "tips", "topic": "奶粉冲调", "community": "宝妈交流1群"}
    assert local.post("/posts", json=body).status_code == 200
    assert post_members == [sorted(["李静怡", "豆豆妈"])]
