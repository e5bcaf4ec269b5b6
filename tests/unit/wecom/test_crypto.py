"""Callback crypto: wechatpy's WeCom scheme round-trips, and every failure is a refusal."""

from __future__ import annotations

import base64

import pytest

from copilot.errors import ConfigError
from copilot.wecom.crypto import CallbackCrypto, CallbackRefused, ReplayGuard, parse_event

AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
CORP = "ww0123456789abcdef"
EVENT = (
    "<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName>"
    "<CreateTime>1764460800</CreateTime><MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[tok-1]]></Token>"
    "<OpenKfId><![CDATA[wk123]]></OpenKfId></xml>"
)


def envelope(crypto: CallbackCrypto, plaintext: str) -> tuple[bytes, str]:
    import xml.etree.ElementTree as ET

    xml = crypto.encrypt(plaintext, "nonce1", "1764460800")
    root = ET.fromstring(xml)
    body = f"<xml><Encrypt><![CDATA[{root.findtext('Encrypt')}]]></Encrypt></xml>"
    return body.encode(), root.findtext("MsgSignature") or ""


@pytest.fixture
def crypto() -> CallbackCrypto:
    return CallbackCrypto("token", AES_KEY, CORP)


def test_a_signed_callback_decrypts_to_its_event(crypto: CallbackCrypto) -> None:
    body, signature = envelope(crypto, EVENT)
    event = parse_event(crypto.decrypt(body, signature, "1764460800", "nonce1"))
    assert (event.event, event.token, event.open_kfid) == ("kf_msg_or_event", "tok-1", "wk123")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("signature", 403, "wecom_signature"),
        ("nonce", 403, "wecom_signature"),
        ("body", 400, "wecom_undecryptable"),
        ("binary", 400, "wecom_undecryptable"),
    ],
)
def test_tampering_is_refused(crypto: CallbackCrypto, change: str, status: int, code: str) -> None:
    body, signature = envelope(crypto, EVENT)
    nonce = "nonce1"
    if change == "signature":
        signature = "0" * 40
    elif change == "nonce":
        nonce = "nonce2"
    elif change == "body":
        body = b"<xml><NoEncrypt/></xml>"
    else:
        body = b"\xff\xfe"
    with pytest.raises(CallbackRefused) as caught:
        crypto.decrypt(body, signature, "1764460800", nonce)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_another_corp_id_is_refused(crypto: CallbackCrypto) -> None:
    other = CallbackCrypto("token", AES_KEY, "wwOTHER")
    body, signature = envelope(other, EVENT)
    with pytest.raises(CallbackRefused) as caught:
        crypto.decrypt(body, signature, "1764460800", "nonce1")
    assert caught.value.status == 400 and "corp id" in caught.value.render("en")


def test_url_verification_returns_the_echostr(crypto: CallbackCrypto) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(crypto.encrypt("echo-1", "n", "1"))
    encrypted, signature = root.findtext("Encrypt") or "", root.findtext("MsgSignature") or ""
    assert crypto.verify_url(signature, "1", "n", encrypted) == "echo-1"
    with pytest.raises(CallbackRefused):
        crypto.verify_url(signature, "2", "n", encrypted)


def test_a_wrong_aes_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SIYU_WECOM_AES_KEY"):
        CallbackCrypto("token", "short", CORP)


def test_replay_guard_refuses_reused_nonces_and_stale_timestamps() -> None:
    now = [1_000_000.0]
    guard = ReplayGuard(300, clock=lambda: now[0])
    guard.admit("1000000", "a")
    with pytest.raises(CallbackRefused) as caught:
        guard.admit("1000000", "a")
    assert caught.value.status == 403 and "nonce used" in caught.value.render("en")
    guard.admit("1000000", "b")
    for stale in ("999000", "1000400", "abc", "nan"):
        with pytest.raises(CallbackRefused) as caught:
            guard.admit(stale, "c")
        assert "timestamp" in caught.value.render("en")
    guard.release("1000000", "a")
    guard.admit("1000000", "a")  # released: a retry of an unhandled callback is welcome
    now[0] += 301  # past the window the nonce is forgotten, and the timestamp is stale anyway
    guard.admit("1000301", "a")
    assert list(guard._seen) == [("1000301", "a")]
