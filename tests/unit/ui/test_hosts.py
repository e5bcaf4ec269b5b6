"""DNS rebinding: the workbench without login answers only to this machine's host names."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from copilot.ui.hosts import HostGuard, host_name, parse_hosts


def guarded(allowed: str = "") -> TestClient:
    app = FastAPI()

    @app.get("/config")
    def config() -> dict[str, str]:
        return {"endpoint": "search"}

    app.add_middleware(HostGuard, allowed=parse_hosts(allowed))
    return TestClient(app)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:7860", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:7860", "::1"),
        ("[::1]", "::1"),
        ("localhost.:80", "localhost"),
        ("rebind.attacker.example", "rebind.attacker.example"),
    ],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:7860", "localhost:7860", "[::1]:8080", "LOCALHOST"]
)
def test_loopback_hosts_are_served(host: str) -> None:
    response = guarded().get("/config", headers={"host": host})
    assert response.status_code == 200
    assert response.json() == {"endpoint": "search"}


@pytest.mark.parametrize(
    "host",
    [
        "rebind.attacker.example",
        "rebind.attacker.example:7860",
        "127.0.0.1.attacker.example",
        "localhost.attacker.example",
        "192.168.1.5:7860",
        "127.0.0.1:7860:evil",
        "",
    ],
)
def test_other_hosts_get_400_and_no_data(host: str) -> None:
    response = guarded().get("/config", headers={"host": host})
    assert response.status_code == 400
    assert "SIYU_UI_ALLOWED_HOSTS" in response.text
    assert "search" not in response.text


def test_the_refusal_speaks_the_page_language() -> None:
    chinese = guarded().get("/config", headers={"host": "evil.example"}).text
    english = guarded().get("/en/config", headers={"host": "evil.example"}).text
    assert chinese.startswith("Host 不被允许:evil.example\n") and "workbench" not in chinese
    assert english.startswith("host not allowed: evil.example\n") and "工作台" not in english


def test_configured_names_are_served() -> None:
    client = guarded("copilot.lan, Team-Box:7860")
    assert client.get("/config", headers={"host": "copilot.lan:7860"}).status_code == 200
    assert client.get("/config", headers={"host": "team-box"}).status_code == 200
    assert client.get("/config", headers={"host": "other.lan"}).status_code == 400
