"""Callback signatures and message encryption as WeCom specifies, done by ``wechatpy``.

WeCom signs every callback (``msg_signature`` over token, timestamp, nonce and the ciphertext)
and encrypts its body with the EncodingAESKey (AES-256-CBC, the corp id appended). This module
only wraps wechatpy's WeCom crypto and turns its failures into refusals with an HTTP status:
a bad signature or a replayed callback is 403, a body that cannot be decrypted is 400.
"""

from __future__ import annotations

import binascii
import struct
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from copilot.errors import ConfigError, InputError
from copilot.messages import Text, msg
from copilot.wecom.models import CallbackEvent

Clock = Callable[[], float]


class CallbackRefused(InputError):
    """A callback the connector will not act on; `status` is the HTTP answer."""

    def __init__(self, message: Text, *, status: int, code: str) -> None:
        self.status = status
        super().__init__(message, where="/wecom/kf/callback", code=code)


def bad_signature() -> CallbackRefused:
    return CallbackRefused(
        msg("回调签名无效", "the callback signature is invalid"),
        status=403,
        code="wecom_signature",
    )


def undecryptable(detail: str) -> CallbackRefused:
    return CallbackRefused(
        msg(f"回调内容无法解密: {detail}", f"the callback body cannot be decrypted: {detail}"),
        status=400,
        code="wecom_undecryptable",
    )


def _wechatpy() -> tuple[Any, type[Exception], type[Exception]]:
    try:
        from wechatpy.enterprise.crypto import WeChatCrypto
        from wechatpy.enterprise.exceptions import InvalidCorpIdException
        from wechatpy.exceptions import InvalidSignatureException
    except ImportError as exc:
        raise missing_wechatpy() from exc
    return WeChatCrypto, InvalidSignatureException, InvalidCorpIdException


def missing_wechatpy() -> ConfigError:
    return ConfigError(
        msg("企业微信连接需要 wechatpy", "the WeCom connection needs wechatpy"),
        hint=msg(
            "安装 siyu-copilot[wecom] 或去掉 SIYU_WECOM_* 设置",
            "install siyu-copilot[wecom] or unset the SIYU_WECOM_* settings",
        ),
    )


# what wechatpy raises on a body that is not the XML, base64 or padding it expects
_DECODE_ERRORS = (
    ExpatError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    struct.error,
    binascii.Error,
    UnicodeDecodeError,
)


class CallbackCrypto:
    """Checks and decrypts callbacks with the Token, EncodingAESKey and corp id of the account."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        crypto_class, self._bad_signature, self._bad_corp = _wechatpy()
        try:
            self._crypto = crypto_class(token, aes_key, corp_id)
        except (AssertionError, binascii.Error, ValueError) as exc:
            raise ConfigError(
                msg("SIYU_WECOM_AES_KEY 无效", "SIYU_WECOM_AES_KEY is invalid"),
                hint=msg(
                    "填入企业微信后台生成的 43 位 EncodingAESKey",
                    "use the 43-character EncodingAESKey from the WeCom admin console",
                ),
            ) from exc

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The plaintext of ``echostr`` (the answer WeCom expects when the URL is saved)."""
        return self._open(
            lambda: self._crypto.check_signature(signature, timestamp, nonce, echostr)
        )

    def decrypt(self, body: bytes, signature: str, timestamp: str, nonce: str) -> str:
        """The decrypted XML of a POSTed callback."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise undecryptable("not UTF-8") from exc
        return self._open(lambda: self._crypto.decrypt_message(text, signature, timestamp, nonce))

    def encrypt(self, plaintext: str, nonce: str, timestamp: str) -> str:
        """An encrypted, signed callback body (what WeCom sends; used by tests and benchmarks)."""
        return str(self._crypto.encrypt_message(plaintext, nonce, timestamp))

    def _open(self, action: Callable[[], Any]) -> str:
        try:
            return str(action())
        except self._bad_signature as exc:
            raise bad_signature() from exc
        except self._bad_corp as exc:
            raise undecryptable("corp id mismatch") from exc
        except _DECODE_ERRORS as exc:
            raise undecryptable(exc.__class__.__name__) from exc


def parse_event(xml: str) -> CallbackEvent:
    """The fields of a decrypted callback (signed by WeCom, so trusted as XML)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise undecryptable("not XML") from exc

    def field(name: str) -> str:
        return (root.findtext(name) or "").strip()

    return CallbackEvent(
        msg_type=field("MsgType"),
        event=field("Event"),
        token=field("Token"),
        open_kfid=field("OpenKfId"),
    )


class ReplayGuard:
    """Refuses a callback whose timestamp is outside the window or whose nonce was seen in it."""

    def __init__(self, window_s: float, clock: Clock = time.time) -> None:
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def admit(self, timestamp: str, nonce: str) -> None:
        """Record (timestamp, nonce) as used; CallbackRefused (403) if stale or already used."""
        try:
            sent = float(timestamp)
        except ValueError:
            sent = float("nan")
        now = self.clock()
        if not abs(now - sent) <= self.window_s:  # also refuses NaN
            raise self._replay(
                msg("回调时间戳过期", "the callback timestamp is outside the window")
            )
        with self._lock:
            for key, expiry in list(self._seen.items()):
                if expiry < now:
                    del self._seen[key]
            key = (timestamp, nonce)
            if key in self._seen:
                raise self._replay(msg("回调重复(nonce 已用过)", "replayed callback (nonce used)"))
            self._seen[key] = sent + self.window_s

    def release(self, timestamp: str, nonce: str) -> None:
        """Forget a callback that was not handled, so WeCom's retry of it is accepted."""
        with self._lock:
            self._seen.pop((timestamp, nonce), None)

    @staticmethod
    def _replay(message: Text) -> CallbackRefused:
        return CallbackRefused(message, status=403, code="wecom_replay")
