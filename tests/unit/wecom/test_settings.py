"""SIYU_WECOM_* settings: read from the environment, secrets never printed."""

from __future__ import annotations

import pytest

from copilot.config import Settings


def test_wecom_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Settings().wecom.configured
    assert Settings().wecom.api_base == "https://qyapi.weixin.qq.com"
    values = {
        "SIYU_WECOM_CORP_ID": "ww1",
        "SIYU_WECOM_SECRET": "secret-1",
        "SIYU_WECOM_TOKEN": "token-1",
        "SIYU_WECOM_AES_KEY": "k" * 43,
        "SIYU_WECOM_API_BASE": "http://127.0.0.1:9",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    wecom = Settings().wecom
    assert wecom.configured and wecom.api_base == "http://127.0.0.1:9"
    assert wecom.secret is not None and wecom.secret.get_secret_value() == "secret-1"
    shown = repr(wecom) + str(Settings().model_dump())
    for secret in ("secret-1", "token-1", "k" * 43):
        assert secret not in shown
    monkeypatch.delenv("SIYU_WECOM_TOKEN")
    assert not Settings().wecom.configured
