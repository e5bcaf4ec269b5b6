"""Kept-alive HTTP/1.1 connections for the one request drafting makes per draft.

A campaign worker asks the model tens of times a second. Sent through the openai client, each
request spends about a millisecond of CPU in httpx building and checking its request and
response objects; here a prepared body goes out through urllib3's connection pool (which keeps
connections open, and replaces one the server closed meanwhile before sending on it; one closed
as the request went out is retried once) and the status, headers and body come back as they
are. Errors are the openai client's own exception
types, so retries and messages stay as they are. Used only where no proxy applies: a proxy
(HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, not bypassed by NO_PROXY) is left to the openai client,
which reads those settings. TLS trusts what httpx trusts: SSL_CERT_FILE / SSL_CERT_DIR when
set, else certifi's bundle.
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from typing import NamedTuple
from urllib.parse import urlsplit

import certifi
import httpx2
import openai
import urllib3

# Connections kept open per pool: more than a worker's drafting threads, so none waits.
MAX_KEPT = 64


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
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        parts = urlsplit(self.base_url)
        self._prefix = parts.path  # the request target is this plus the path asked for
        tls = {"ssl_context": _tls()} if parts.scheme == "https" else {}
        # The pool of the one server itself, not a PoolManager: no URL parsed and no pool
        # looked up per request.
        self._pool = urllib3.connection_from_url(
            self.base_url,
            maxsize=MAX_KEPT,
            timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s),
            retries=False,  # the backend owns the retry policy
            **tls,
        )

    def post(self, path: str, body: bytes) -> Reply:
        """Send `body`. Timeouts and connection failures raise openai's APITimeoutError /
        APIConnectionError."""
        target = self._prefix + path
        try:
            try:
                response = self._send(target, body)
            except urllib3.exceptions.ProtocolError:
                # A kept-alive connection the server closed as this request went out: no answer
                # came, so the request goes once more, on a new connection.
                response = self._send(target, body)
        except urllib3.exceptions.NewConnectionError as exc:  # a ConnectTimeoutError subclass
            raise openai.APIConnectionError(request=self.request(path)) from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise openai.APITimeoutError(request=self.request(path)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise openai.APIConnectionError(request=self.request(path)) from exc
        return Reply(response.status, list(response.headers.items()), response.data)

    def _send(self, target: str, body: bytes) -> urllib3.BaseHTTPResponse:
        return self._pool.urlopen("POST", target, body=body, headers=self.headers, redirect=False)

    def request(self, path: str) -> httpx2.Request:
        """The request to `path` as the openai client's errors name it."""
        return httpx2.Request("POST", self.base_url + path)
