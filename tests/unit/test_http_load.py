"""The benchmarks' lean HTTP/1.1 load client against a real asyncio server on loopback: kept-alive
connections are reused, a server that closes is reconnected to, failures are counted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from benchmarks.http_load import (
    Balance,
    Connection,
    ProtocolError,
    Server,
    closed_loop,
    post_json,
)

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on a loop of its own thread: a browser test earlier in the same session
    may leave an event loop running on this one, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _response(body: bytes, *, close: bool = False, chunked: bool = False) -> bytes:
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if chunked:
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"0\r\n\r\n"
    head += f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "")
    return (head + "\r\n").encode() + body


async def _serve(
    answer: list[bytes | None], delay: float = 0.0
) -> tuple[asyncio.Server, Server, list[int], list[bytes]]:
    """A server answering the n-th request with answer[n % len(answer)] (None: drop the
    connection unanswered) after `delay` seconds; closes after a response that says so. Returns
    the server, its address, the connections it accepted and the bodies it received."""
    accepted: list[int] = []
    bodies: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                bodies.append(await reader.readexactly(length))
                reply = answer[(len(bodies) - 1) % len(answer)]
                if reply is None:
                    break
                await asyncio.sleep(delay)
                writer.write(reply)
                await writer.drain()
                if b"Connection: close" in reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, Server("127.0.0.1", port), accepted, bodies


def test_requests_share_one_kept_alive_connection() -> None:
    async def run() -> None:
        server, address, accepted, bodies = await _serve([_response(b'{"ok": 1}')])
        connection = Connection(address)
        request = post_json(address, "/v1/replies", {"message": "几天能发货"})
        for _ in range(3):
            assert await connection.send(request) == (200, b'{"ok": 1}')
        connection.close()
        server.close()
        assert len(accepted) == 1
        assert [json.loads(body) for body in bodies] == [{"message": "几天能发货"}] * 3

    _run(run())


def test_a_closing_server_is_reconnected_to() -> None:
    async def run() -> None:
        server, address, accepted, _ = await _serve([_response(b"{}", close=True)])
        connection = Connection(address)
        request = post_json(address, "/", {})
        for _ in range(3):
            assert (await connection.send(request))[0] == 200
        server.close()
        assert len(accepted) == 3

    _run(run())


def test_a_chunked_body_is_refused_and_the_connection_dropped() -> None:
    async def run() -> None:
        server, address, accepted, _ = await _serve([_response(b"", chunked=True)])
        connection = Connection(address)
        for _ in range(2):
            with pytest.raises(ProtocolError):
                await connection.send(post_json(address, "/", {}))
        server.close()
        assert len(accepted) == 2  # the second request on a new connection

    _run(run())


def test_the_closed_loop_counts_failures_and_keeps_every_latency() -> None:
    async def run() -> None:
        good, bad = _response(b'{"draft_ids": ["d1"]}'), _response(b'{"draft_ids": []}')
        server, address, accepted, bodies = await _serve([good, bad, None])
        result = await closed_loop(
            [{address: post_json(address, "/", {"n": 1})}],
            clients=1,
            seconds=0.3,
            ok=lambda status, body: status == 200 and bool(json.loads(body)["draft_ids"]),
        )
        server.close()
        assert len(result.latencies_ms) == len(bodies) > 3
        # every third request is answered well; the others are a refusal or a dropped connection
        assert result.errors == len(bodies) - (len(bodies) + 2) // 3
        assert len(accepted) == (len(bodies) + 2) // 3  # a new connection after each drop

    _run(run())


@pytest.mark.parametrize(
    ("balance", "more_to_fast"), [("round-robin", False), ("least-outstanding", True)]
)
def test_least_outstanding_sends_more_to_the_faster_server(
    balance: Balance, more_to_fast: bool
) -> None:
    async def run() -> tuple[int, int]:
        good = _response(b'{"draft_ids": ["d1"]}')
        fast, fast_address, _, fast_bodies = await _serve([good], delay=0.005)
        slow, slow_address, _, slow_bodies = await _serve([good], delay=0.05)
        requests = [{a: post_json(a, "/", {"n": n}) for a in (fast_address, slow_address)}
                    for n in range(3)]  # fmt: skip
        result = await closed_loop(
            requests,
            clients=4,
            seconds=0.5,
            ok=lambda s, b: s == 200,
            balance=balance,
        )
        fast.close()
        slow.close()
        assert result.errors == 0
        return len(fast_bodies), len(slow_bodies)

    to_fast, to_slow = _run(run())
    if more_to_fast:
        assert to_fast > 3 * to_slow
    else:  # in turn: as many to each, give or take the requests in flight at the end
        assert abs(to_fast - to_slow) <= 4
