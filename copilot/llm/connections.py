"""Kept-alive HTTP/1.1 connections for the one request drafting makes per draft.

A campaign worker asks the model tens of times a second. Sent through the openai client, each
request spends about a millisecond of CPU in httpx building and checking its request and
response objects; here a prepared body goes out on a pooled `http.client` connection and the
status, headers and body come back as they are. Errors are the openai client's own exception
types, so retries and messages stay as they are. Used only where no proxy applies: a proxy
(HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, not bypassed by NO_PROXY) is left to the openai client,
which reads those settings. TLS trusts what httpx trusts: SSL_CERT_FILE / SSL_CERT_DIR when
set, else certifi's bundle.
"""

from __future__ import annotations

import http.client
import os
import ssl
import threading
import urllib.request
from typing import NamedTuple
from urllib.parse import urlsplit

import certifi
import httpx2
import openai

# A kept-alive connection the server closed meanwhile fails like this before any answer.
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Reply(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def proxied(url: str) -> bool:
    """Whether the proxy settings of the environment send requests to `url` via a proxy."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


def _tls() -> ssl.SSLContext:
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context()  # reads those variables
    return ssl.create_default_context(cafile=certifi.where())


class ConnectionPool:
    """POSTs to one server over connections that stay open between requests; thread-safe."""

    def __init__(self, base_url: str, timeout_s: float, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout_s = timeout_s
        self.headers = headers
        self._tls = _tls() if self.https else None
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _open(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout_s, context=self._tls
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)

    def _exchange(self, connection: http.client.HTTPConnection, path: str, body: bytes) -> Reply:
        connection.request("POST", self.prefix + path, body=body, headers=self.headers)
        response = connection.getresponse()
        reply = Reply(response.status, response.getheaders(), response.read())
        if response.will_close:
            connection.close()
        else:
            with self._lock:
                self._idle.append(connection)
        return reply

    def post(self, path: str, body: bytes) -> Reply:
        """Send `body`; a kept-alive connection found closed is replaced once. Timeouts and
        connection failures raise openai's APITimeoutError / APIConnectionError."""
        with self._lock:
            idle = self._idle.pop() if self._idle else None
        if idle is not None:
            try:
                return self._exchange(idle, path, body)
            except STALE:
                idle.close()
            except BaseException:
                idle.close()
                raise
        connection = self._open()
        try:
            return self._exchange(connection, path, body)
        except TimeoutError as exc:
            connection.close()
            raise openai.APITimeoutError(request=self.request(path)) from exc
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise openai.APIConnectionError(request=self.request(path)) from exc

    def request(self, path: str) -> httpx2.Request:
        """The request to `path` as the openai client's errors name it."""
        return httpx2.Request("POST", self.base_url + path)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
