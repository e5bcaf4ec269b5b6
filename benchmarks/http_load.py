"""A lean closed-loop HTTP/1.1 load generator: asyncio streams, one keep-alive connection per
simulated client and server, request bytes built once per distinct request.

A load tool shares the machine with the servers it measures; httpx spends about as much CPU per
request as a PostgreSQL and a Chroma server together, so this client parses only what a load
test needs (the status line, Content-Length, Connection) and leaves the body to a check.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit


class ProtocolError(ValueError):
    """A response this client does not read (no status line, chunked body)."""


# How a request's server is chosen: each client takes the servers in turn, or every request goes
# to the server with the fewest requests in flight (nginx least_conn, HAProxy leastconn).
Balance = Literal["round-robin", "least-outstanding"]
# what a failed request raises (a reset or refused connection, a short or malformed response)
FAILURES = (OSError, EOFError, asyncio.LimitOverrunError, ValueError)


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Server:
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)


def post_json(server: Server, path: str, body: object) -> bytes:
    """The bytes of one keep-alive POST of `body` as JSON."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload


class Connection:
    """One keep-alive connection, opened on first use and again after the server closes it."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """(status, body) of one request; on any error the connection is closed and the error
        raised (the next request reconnects)."""
        try:
            if self._streams is None:
                self._streams = await asyncio.open_connection(self.server.host, self.server.port)
            reader, writer = self._streams
            writer.write(request)
            status, length, close = _head(await reader.readuntil(b"\r\n\r\n"))
            body = await (reader.read() if length is None else reader.readexactly(length))
        except FAILURES:
            self.close()
            raise
        if close or length is None:
            self.close()
        return status, body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _head(head: bytes) -> tuple[int, int | None, bool]:
    """Status, Content-Length (None: the body ends with the connection) and whether the
    server closes the connection after this response."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ProtocolError(lines[0][:80])
    length: int | None = None
    close = parts[0] == b"HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding" and value.strip().lower() != b"identity":
            raise ProtocolError(b"transfer-encoding " + value.strip())
    return int(parts[1]), length, close


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0


async def closed_loop(
    requests: Sequence[Mapping[Server, bytes]],
    clients: int,
    seconds: float,
    ok: Callable[[int, bytes], bool],
    balance: Balance = "round-robin",
) -> LoadResult:
    """`clients` simulated clients, no think time, for `seconds`: client n sends requests[n],
    requests[n + 1], … in turn (each written for every server it may go to), on a connection of
    its own to each server, which `balance` chooses. Every latency is kept (errors too); a
    request is an error when it fails or `ok` says so."""
    result = LoadResult()
    servers = list(requests[0])
    in_flight = dict.fromkeys(servers, 0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + seconds

    def choose(turn: int) -> Server:
        if balance == "round-robin":
            return servers[turn % len(servers)]
        return min(servers, key=lambda s: (in_flight[s], (servers.index(s) - turn) % len(servers)))

    async def client(n: int) -> None:
        connections = {server: Connection(server) for server in servers}
        while loop.time() < deadline:
            server = choose(n)
            request = requests[n % len(requests)][server]
            n += 1
            in_flight[server] += 1
            begun = time.perf_counter()
            try:
                status, body = await connections[server].send(request)
                good = ok(status, body)
            except FAILURES:
                good = False
            in_flight[server] -= 1
            result.latencies_ms.append((time.perf_counter() - begun) * 1000)
            result.errors += not good
        for connection in connections.values():
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    result.elapsed_s = loop.time() - started
    return result
