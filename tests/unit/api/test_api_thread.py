"""POST /v1/replies with a conversation thread: limits, the turns used, follow-ups."""

from __future__ import annotations

from fastapi.testclient import TestClient

PHONE = "13812345678"


def turns(n: int) -> list[dict[str, str]]:
    return [{"role": "customer" if i % 2 else "agent", "text": f"第{i}句"} for i in range(n)]


def test_a_thread_longer_than_allowed_is_a_422_naming_the_field(local: TestClient) -> None:
    response = local.post("/replies?lang=en", json={"message": "那M码呢?", "thread": turns(201)})
    assert response.status_code == 422, response.text
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == ["thread"]
    assert "201 turns, more than 200" in body["errors"][0]["message"]


def test_a_bad_turn_is_a_422_naming_it(local: TestClient) -> None:
    thread = [{"role": "customer", "text": "你好"}, {"role": "bot", "text": "在的"}]
    response = local.post("/replies", json={"message": "那M码呢?", "thread": thread})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["thread.1.role"]


def test_only_the_last_turns_are_used_and_a_follow_up_is_answered(local: TestClient) -> None:
    thread = [
        *turns(8),
        {"role": "customer", "text": f"{PHONE},纸尿裤M码多少钱"},
        {"role": "agent", "text": "89元一包哦"},
    ]
    response = local.post("/replies", json={"message": "那L码呢?", "thread": thread})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "结合了之前 6 轮对话" in body["notes"]
    assert "按追问理解为:[手机号],纸尿裤L码多少钱" in body["notes"]
    assert body["customer_message"] == "那L码呢?"
    assert PHONE not in response.text
    assert "L码" in body["drafts"][0]["text"]
