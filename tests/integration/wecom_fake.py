"""A loopback WeCom API for the connector's and the sidebar's tests and benchmark: ``gettoken``,
``kf/sync_msg``, ``kf/send_msg`` and ``ticket/get`` as WeCom documents them, and a stand-in for
WeCom's JS-SDK, served by a real HTTP server thread.

- gettoken: ``GET /cgi-bin/gettoken?corpid=&corpsecret=`` → access_token, expires_in (7200);
  a wrong corp id or secret is errcode 40013 / 40001.
- kf/sync_msg: ``POST ?access_token=`` with cursor, token, limit (≤ 1000), open_kfid → msg_list,
  next_cursor, has_more (0/1). The cursor is opaque to the caller (here: an offset).
- kf/send_msg: ``POST ?access_token=`` with touser, open_kfid, msgid (≤ 32 bytes of
  ``[0-9a-zA-Z_-]``), msgtype text, text.content (≤ 2048 bytes) → msgid. A msgid already
  delivered is answered as sent without delivering it again.
- ticket/get: ``GET ?access_token=&type=agent_config`` → the app's ticket, expires_in (7200).
- ``/jssdk.js``: a ``wx`` object as WeCom's client gives a page. ``wx.agentConfig`` checks the
  signature (SHA-1 of the current ticket, nonce, timestamp and the page URL without fragment) and
  the corp id, as WeCom does; ``wx.invoke('sendChatMessage', …)`` is recorded in ``wx.calls`` and
  answers ``:ok`` only after a successful agentConfig.
- an unknown access_token is 40014, an expired one 42001.

Failure knobs: ``rotate_ticket()`` issues a new app ticket (signatures made with the old one
fail), ``expire_tokens()`` makes every issued token expired, ``fail_sends`` answers that
many send_msg calls with HTTP 502 first, ``busy_syncs`` answers sync_msg with errcode -1.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CORP_ID = "ww0123456789abcdef"
SECRET = "kf-secret-for-tests"
AGENT_ID = 1000002
OPEN_KFID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
MSGID = re.compile(r"[0-9a-zA-Z_-]{1,32}")


@dataclass
class WecomState:
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    calls: list[str] = field(default_factory=list)
    fail_sends: int = 0
    busy_syncs: int = 0
    ticket: str = "agent-ticket-1"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rotate_ticket(self) -> None:
        with self.lock:
            self.ticket = f"agent-ticket-{int(self.ticket.rsplit('-', 1)[1]) + 1}"

    def customer_says(self, msgid: str, text: str, user: str = "wmCustomer01") -> None:
        """A customer writes to the account (as WeCom would record it)."""
        with self.lock:
            self.messages.setdefault(OPEN_KFID, []).append(
                {
                    "msgid": msgid,
                    "open_kfid": OPEN_KFID,
                    "external_userid": user,
                    "send_time": 1764460800,
                    "origin": 3,
                    "msgtype": "text",
                    "text": {"content": text},
                }
            )

    def event_happens(self, msgid: str) -> None:
        """A system event (a customer entered the session): not a message to answer."""
        with self.lock:
            self.messages.setdefault(OPEN_KFID, []).append(
                {
                    "msgid": msgid,
                    "open_kfid": OPEN_KFID,
                    "send_time": 1764460800,
                    "origin": 4,
                    "msgtype": "event",
                    "event": {"event_type": "enter_session", "open_kfid": OPEN_KFID},
                }
            )

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = dict.fromkeys(self.tokens, False)


# What WeCom's client does for a page that loaded its JS-SDK (the parts the sidebar uses).
JSSDK = """(() => {
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const sha1 = async (text) => hex(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  window.wx = {
    calls: [],
    configured: false,
    agentConfig(c) {
      const url = location.href.split("#")[0];
      sha1(`jsapi_ticket=$TICKET&noncestr=${c.nonceStr}&timestamp=${c.timestamp}&url=${url}`)
        .then((signature) => {
          this.configured = signature === c.signature && c.corpid === "$CORP"
            && (c.jsApiList || []).includes("sendChatMessage");
          if (this.configured) c.success({ errMsg: "agentConfig:ok" });
          else c.fail({ errMsg: "agentConfig:fail invalid signature" });
        });
    },
    invoke(name, args, done) {
      this.calls.push([name, args]);
      done({ err_msg: this.configured ? `${name}:ok` : `${name}:fail_nopermission` });
    },
  };
})();
"""


class _Handler(BaseHTTPRequestHandler):
    state: WecomState

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.state.calls.append(url.path)
        if url.path == "/jssdk.js":
            self._script(JSSDK.replace("$TICKET", self.state.ticket).replace("$CORP", CORP_ID))
        elif url.path == "/cgi-bin/ticket/get":
            self._ticket(query)
        elif url.path != "/cgi-bin/gettoken":
            self._send(404, {"errcode": 404, "errmsg": "not found"})
        elif query.get("corpid") != CORP_ID:
            self._send(200, {"errcode": 40013, "errmsg": "invalid corpid"})
        elif query.get("corpsecret") != SECRET:
            self._send(200, {"errcode": 40001, "errmsg": "invalid credential"})
        else:
            with self.state.lock:
                token = f"token-{len(self.state.tokens) + 1}"
                self.state.tokens[token] = True
            self._send(
                200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
            )

    def _token_refused(self, query: dict[str, str]) -> bool:
        """Answer an unknown or expired access_token as WeCom does; True when it was one."""
        valid = self.state.tokens.get(query.get("access_token", ""))
        if valid is None:
            self._send(200, {"errcode": 40014, "errmsg": "invalid access_token"})
        elif not valid:
            self._send(200, {"errcode": 42001, "errmsg": "access_token expired"})
        return not valid

    def _ticket(self, query: dict[str, str]) -> None:
        if self._token_refused(query):
            return
        if query.get("type") != "agent_config":
            self._send(200, {"errcode": 40097, "errmsg": "invalid args"})
            return
        ticket = {"errcode": 0, "errmsg": "ok", "ticket": self.state.ticket, "expires_in": 7200}
        self._send(200, ticket)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.state.calls.append(url.path)
        if self._token_refused(query):
            return
        if url.path == "/cgi-bin/kf/sync_msg":
            self._sync(body)
        elif url.path == "/cgi-bin/kf/send_msg":
            self._deliver(body)
        else:
            self._send(404, {"errcode": 404, "errmsg": "not found"})

    def _sync(self, body: dict[str, Any]) -> None:
        state = self.state
        with state.lock:
            if state.busy_syncs:
                state.busy_syncs -= 1
                self._send(200, {"errcode": -1, "errmsg": "system busy"})
                return
            limit = int(body.get("limit") or 1000)
            if not 1 <= limit <= 1000:
                self._send(200, {"errcode": 40058, "errmsg": "invalid limit"})
                return
            messages = state.messages.get(body.get("open_kfid", ""), [])
            start = int(body.get("cursor") or 0)
            page = messages[start : start + limit]
            end = start + len(page)
        self._send(
            200,
            {
                "errcode": 0,
                "errmsg": "ok",
                "next_cursor": str(end),
                "has_more": int(end < len(messages)),
                "msg_list": page,
            },
        )

    def _deliver(self, body: dict[str, Any]) -> None:
        state = self.state
        msgid = str(body.get("msgid", ""))
        content = str((body.get("text") or {}).get("content", ""))
        with state.lock:
            if state.fail_sends:
                state.fail_sends -= 1
                self._send(502, {"errcode": -1, "errmsg": "bad gateway"})
                return
            if (
                body.get("msgtype") != "text"
                or not body.get("touser")
                or body.get("open_kfid") != OPEN_KFID
                or not content
                or len(content.encode()) > 2048
                or not MSGID.fullmatch(msgid)
            ):
                self._send(200, {"errcode": 40008, "errmsg": "invalid message"})
                return
            state.delivered.setdefault(msgid, body)
        self._send(200, {"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _script(self, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def fake_wecom() -> Iterator[tuple[str, WecomState]]:
    """A running fake WeCom API on 127.0.0.1 (random port): its base URL and its state."""
    state = WecomState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """`app` (ASGI) served by a real uvicorn server thread on 127.0.0.1; yields its base URL."""
    import time

    import uvicorn

    from copilot.llm.local_server import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class Signer:
    """Encrypts and signs callbacks as WeCom does, with wechatpy's WeCom crypto."""

    def __init__(self, token: str, aes_key: str, corp_id: str = CORP_ID) -> None:
        from wechatpy.enterprise.crypto import WeChatCrypto

        self.crypto = WeChatCrypto(token, aes_key, corp_id)
        self.corp_id = corp_id
        self._nonce = 0

    def nonce(self) -> str:
        self._nonce += 1
        return f"n{self._nonce:08d}"

    def kf_event(self, token: str = "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR") -> str:
        return (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            "<CreateTime>1764460800</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[kf_msg_or_event]]></Event>"
            f"<Token><![CDATA[{token}]]></Token><OpenKfId><![CDATA[{OPEN_KFID}]]></OpenKfId></xml>"
        )

    def callback(self, plaintext: str, timestamp: str) -> tuple[dict[str, str], bytes]:
        """Query parameters and body of a POSTed callback carrying `plaintext`."""
        import xml.etree.ElementTree as ET

        nonce = self.nonce()
        envelope = ET.fromstring(self.crypto.encrypt_message(plaintext, nonce, timestamp))
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt>"
            "<AgentID><![CDATA[]]></AgentID></xml>"
        )
        params = {
            "msg_signature": envelope.findtext("MsgSignature") or "",
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return params, body.encode()
