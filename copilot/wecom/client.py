"""The WeCom API calls the copilot makes: ``gettoken``, ``kf/sync_msg`` and ``kf/send_msg`` for
the 微信客服 connector, ``ticket/get?type=agent_config`` for the sidebar's JS-SDK signature.

The access_token and the app's ticket are cached until shortly before they expire; the token is
fetched again when WeCom says it is invalid or expired (40014, 42001). Network errors, 5xx
answers and "system busy" (-1) are retried with doubling backoff; any other errcode raises a BackendError naming the endpoint. The
secret and the token travel only in query strings and never appear in errors or logs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from copilot.config import WecomSettings
from copilot.errors import BackendError
from copilot.messages import msg
from copilot.wecom.models import SyncPage

TOKEN_ERRORS = frozenset({40014, 42001})  # invalid / expired access_token
BUSY = -1
TOKEN_MARGIN_S = 300.0  # refresh this long before WeCom's expiry
SYNC_LIMIT = 1000  # kf/sync_msg's maximum page


class WecomApiError(BackendError):
    """A WeCom API call failed; `errcode` is WeCom's code when it answered with one."""

    def __init__(self, *args: Any, errcode: int | None = None, **kwargs: Any) -> None:
        self.errcode = errcode
        super().__init__(*args, **kwargs)

    @classmethod
    def of(
        cls, path: str, problem: str, status: int | None, errcode: int | None, attempts: int
    ) -> WecomApiError:
        return cls(
            msg(
                f"企业微信接口 {path} 失败({problem}),已尝试 {attempts} 次",
                f"WeCom API {path} failed ({problem}) after {attempts} attempt(s)",
            ),
            hint=msg(
                "检查 SIYU_WECOM_CORP_ID / SIYU_WECOM_SECRET 与网络;消息仍在队列中,可稍后重试",
                "check SIYU_WECOM_CORP_ID / SIYU_WECOM_SECRET and the network; the item stays "
                "in the queue and can be retried",
            ),
            code="wecom_api",
            endpoint=path,
            status=status,
            attempts=attempts,
            errcode=errcode,
        )


class _Expiring:
    """One value WeCom hands out with an ``expires_in`` (the access_token, the app's ticket),
    kept until shortly before it expires; safe to share between threads."""

    def __init__(self, key: str, clock: Callable[[], float]) -> None:
        self.key, self.clock = key, clock
        self._value = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def get(self, fetch: Callable[[], dict[str, Any]]) -> str:
        """The kept value, or a fresh one from `fetch` when missing or about to expire."""
        with self._lock:
            if not self._value or self.clock() >= self._expires:
                data = fetch()
                self._value = str(data.get(self.key, ""))
                lifetime = float(data.get("expires_in", 7200))
                self._expires = self.clock() + max(lifetime - TOKEN_MARGIN_S, lifetime / 2)
            return self._value

    def drop(self, value: str) -> None:
        """Forget `value` if it is still the kept one."""
        with self._lock:
            if self._value == value:
                self._value = ""


class WecomClient:
    """Blocking client over httpx; one instance per account, safe to share between threads."""

    def __init__(
        self,
        settings: WecomSettings,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.base = settings.api_base.rstrip("/")
        self.http = http or httpx.Client(timeout=settings.timeout_s)
        self.clock, self.sleep = clock, sleep
        self._token = _Expiring("access_token", clock)
        self._ticket = _Expiring("ticket", clock)

    # public calls

    def sync_msg(self, cursor: str, token: str, open_kfid: str) -> SyncPage:
        """One page of messages after `cursor`, with the callback's `token`."""
        body = {"cursor": cursor, "token": token, "limit": SYNC_LIMIT, "open_kfid": open_kfid}
        return SyncPage.model_validate(self._call("POST", "/cgi-bin/kf/sync_msg", json=body)[0])

    def send_text(self, touser: str, open_kfid: str, content: str, msgid: str) -> int:
        """Send `content` to a customer; `msgid` makes a repeated request the same message.
        Returns how many requests it took."""
        body = {
            "touser": touser,
            "open_kfid": open_kfid,
            "msgid": msgid,
            "msgtype": "text",
            "text": {"content": content},
        }
        return self._call("POST", "/cgi-bin/kf/send_msg", json=body)[1]

    def agent_ticket(self) -> str:
        """The app's JS-SDK ticket (wx.agentConfig signs with it), cached like the token:
        WeCom limits how often it may be fetched."""
        return self._ticket.get(
            lambda: self._call("GET", "/cgi-bin/ticket/get", params={"type": "agent_config"})[0]
        )

    def access_token(self) -> str:
        """The cached access_token, fetched when missing or about to expire."""
        params = {"corpid": self.settings.corp_id or "", "corpsecret": _secret(self.settings)}
        return self._token.get(lambda: self._request("GET", "/cgi-bin/gettoken", params=params)[0])

    def invalidate(self, token: str) -> None:
        """Drop `token` from the cache (WeCom said it is invalid or expired)."""
        self._token.drop(token)

    def close(self) -> None:
        self.http.close()

    # transport

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], int]:
        """A call with the access_token; one fresh token when WeCom rejects the cached one.
        Returns the answer and how many requests were made."""
        token = self.access_token()
        try:
            return self._request(
                method, path, params={**(params or {}), "access_token": token}, json=json
            )
        except WecomApiError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            spent = exc.attempts
        self.invalidate(token)
        fresh = {**(params or {}), "access_token": self.access_token()}
        data, attempts = self._request(method, path, params=fresh, json=json)
        return data, spent + attempts

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str],
        json: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], int]:
        """One API call, retried on network errors, 5xx and "system busy"."""
        endpoint = f"{self.base}{path}"
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self.http.request(method, endpoint, params=params, json=json)
            except httpx.TransportError as exc:
                failure = WecomApiError.of(path, exc.__class__.__name__, None, None, attempts)
            else:
                status = response.status_code
                if 400 <= status < 500:
                    raise WecomApiError.of(path, f"HTTP {status}", status, None, attempts)
                if status >= 500:
                    failure = WecomApiError.of(path, f"HTTP {status}", status, None, attempts)
                else:
                    data = _json(response, path, attempts)
                    errcode = int(data.get("errcode", 0) or 0)
                    if errcode == 0:
                        return data, attempts
                    failure = WecomApiError.of(path, _errmsg(data), status, errcode, attempts)
                    if errcode != BUSY:
                        raise failure
            if attempts > self.settings.max_retries:
                raise failure
            self.sleep(self.settings.retry_backoff_s * 2 ** (attempts - 1))


def _secret(settings: WecomSettings) -> str:
    return settings.secret.get_secret_value() if settings.secret else ""


def _errmsg(data: dict[str, Any]) -> str:
    return f"errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:200]}"


def _json(response: httpx.Response, path: str, attempts: int) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WecomApiError.of(path, "not a JSON object", response.status_code, None, attempts)
    return data
