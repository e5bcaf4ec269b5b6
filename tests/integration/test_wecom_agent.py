"""``GET /v1/wecom/agent-config`` against the loopback WeCom API: the signature WeCom's JS-SDK
checks, the app ticket fetched once and refreshed with a new access_token, and the errors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import Settings, WecomSettings
from copilot.wecom.jsapi import sign
from tests.integration.wecom_fake import AGENT_ID, CORP_ID, SECRET, WecomState, fake_wecom

PAGE = "https://copilot.example.com/wecom/sidebar?lang=en"


def _api(home: Path, wecom: WecomSettings) -> TestClient:
    settings = Settings(home=home, embedding={"provider": "fake"}, api={"burst": 1000}, wecom=wecom)
    return TestClient(build_api(Copilot(settings), require_keys=False))


@pytest.fixture
def wecom_api() -> Iterator[tuple[str, WecomState]]:
    with fake_wecom() as api:
        yield api


@pytest.fixture
def agent(tmp_path: Path, wecom_api: tuple[str, WecomState]) -> TestClient:
    wecom = WecomSettings(
        corp_id=CORP_ID, secret=SecretStr(SECRET), agent_id=AGENT_ID, api_base=wecom_api[0]
    )
    return _api(tmp_path, wecom)


def test_wechatpy_signs_like_wecom_documents() -> None:
    """The example of WeCom's JS-SDK signature appendix."""
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    signature = sign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_page_gets_a_signature_over_its_url_without_the_fragment(
    agent: TestClient, wecom_api: tuple[str, WecomState]
) -> None:
    response = agent.get("/wecom/agent-config", params={"url": PAGE + "#top"})
    assert response.status_code == 200, response.text
    config = response.json()
    assert (config["corpid"], config["agentid"]) == (CORP_ID, AGENT_ID)
    assert config["jsApiList"] == ["sendChatMessage"]
    assert config["sdk"][0].startswith("https://res.wx.qq.com/")
    signed = (
        f"jsapi_ticket={wecom_api[1].ticket}&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url={PAGE}"
    )
    assert config["signature"] == hashlib.sha1(signed.encode()).hexdigest()
    assert wecom_api[1].ticket not in response.text  # the ticket stays on the server


def test_the_ticket_is_fetched_once_for_many_pages(
    agent: TestClient, wecom_api: tuple[str, WecomState]
) -> None:
    nonces = {
        agent.get("/wecom/agent-config", params={"url": PAGE}).json()["nonceStr"] for _ in range(3)
    }
    assert len(nonces) == 3  # every page load gets its own nonce
    calls = wecom_api[1].calls
    assert (calls.count("/cgi-bin/gettoken"), calls.count("/cgi-bin/ticket/get")) == (1, 1)


def test_without_the_agent_id_the_page_is_told_to_copy(tmp_path: Path) -> None:
    unsigned = WecomSettings(corp_id=CORP_ID, secret=SecretStr(SECRET))
    response = _api(tmp_path, unsigned).get(
        "/wecom/agent-config", params={"url": PAGE}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "wecom_agent_not_configured"
    assert "SIYU_WECOM_AGENT_ID" in problem["detail"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/wecom/sidebar", "ftp://x/y"])
def test_a_url_that_is_not_a_web_page_is_refused(agent: TestClient, url: str) -> None:
    response = agent.get("/wecom/agent-config", params={"url": url})
    assert response.status_code == 422
    assert response.json()["where"] == "url"


def test_a_wecom_failure_is_a_502_naming_the_call(
    tmp_path: Path, wecom_api: tuple[str, WecomState]
) -> None:
    wrong = WecomSettings(
        corp_id=CORP_ID,
        secret=SecretStr("not-the-secret"),
        agent_id=AGENT_ID,
        api_base=wecom_api[0],
        max_retries=0,
    )
    response = _api(tmp_path, wrong).get(
        "/wecom/agent-config", params={"url": PAGE}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 502
    problem = response.json()
    assert problem["code"] == "wecom_api" and "gettoken" in problem["detail"]
    assert "not-the-secret" not in response.text
