"""Serving the HTTP API on its own: /v1, the 微信客服 callback, the WeCom sidebar and /healthz,
in one process or in a pool of worker processes sharing one port (``siyu api --workers N``).

The workbench is not served here: a Gradio session lives in the memory of one process, and a
browser's requests of one session would land on different workers. Each worker listens on its
own socket bound to the shared port with SO_REUSEPORT, so the kernel spreads new connections
over the workers; with one shared socket the least busy worker accepts nearly every keep-alive
connection while the others idle. Each process drafts a few requests at once (the others wait
their turn in order), so under load replies take their turn instead of all slowing together. Every worker opens the
same knowledge base and database; the knowledge base is ingested once, before the workers
start, and the audit log's hash chain is appended under the database's lock, so concurrent
workers write one unbroken chain.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import socket
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import get_settings
from copilot.errors import InputError
from copilot.messages import msg
from copilot.ui.auth import is_loopback
from copilot.ui.hosts import HostGuard, parse_hosts
from copilot.ui.sidebar import sidebar_router

WORKER_APP = "copilot.api.server:worker_app"
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads(threads: int) -> None:
    """Cap BLAS threads for the whole process. A server drafts many requests at once, each on
    its own thread; OpenBLAS's extra threads spin between the small matrix products of a reply
    instead of helping, which about doubled its CPU time."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")


def api_app(app: Copilot, *, require_keys: bool) -> FastAPI:
    """The API without the workbench. Without keys (loopback) it answers only to this
    machine's host names and SIYU_UI_ALLOWED_HOSTS, like the workbench without login."""
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    web.mount("/v1", build_api(app, require_keys=require_keys))
    web.include_router(sidebar_router(app.settings.wecom))
    if app.settings.wecom.configured:
        from copilot.wecom import callback_router

        web.include_router(callback_router(app.wecom))

    @web.get("/healthz")
    async def health() -> JSONResponse:
        """200: this worker has loaded its knowledge base and drafter."""
        return JSONResponse({"ready": True})

    if not require_keys:
        web.add_middleware(HostGuard, allowed=parse_hosts(app.settings.ui.allowed_hosts))
    return web


def worker_app() -> FastAPI:
    """One worker's application, on the environment's settings (the parent process sets the
    bind address as SIYU_UI_HOST): warm before it takes its first request."""
    app = Copilot.from_settings(get_settings())
    limit_blas_threads(app.settings.embedding.threads)
    app.warm_up()
    return api_app(app, require_keys=not is_loopback(app.settings.ui.host))


def run_workers(host: str, port: int, workers: int, threads: int) -> None:
    """`workers` processes serving `worker_app` on one port, each on its own SO_REUSEPORT
    socket; a worker that dies is started again; SIGTERM or Ctrl-C stops them all. The
    knowledge base must be ingested before this is called."""
    try:
        _refuse_if_served(host, port)
        _listener(host, port).close()
    except OSError as exc:  # taken by another program, or an address this machine lacks
        raise InputError(
            msg(f"无法监听 {host}:{port}: {exc}", f"cannot listen on {host}:{port}: {exc}"),
            where="--host/--port",
            hint=msg(
                "换一个端口(--port)或停止占用它的程序",
                "pick another --port or stop the program using it",
            ),
        ) from None
    os.environ["SIYU_UI_HOST"] = host
    for name in BLAS_VARIABLES:  # read when a worker loads numpy, before the runtime cap
        os.environ[name] = str(threads)
    context = multiprocessing.get_context("spawn")
    running = [context.Process(target=_worker, args=(host, port)) for _ in range(workers)]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in running:
        process.start()
    while not stopping:
        time.sleep(0.5)
        for n, process in enumerate(running):
            if not process.is_alive() and not stopping:
                running[n] = context.Process(target=_worker, args=(host, port))
                running[n].start()
    for process in running:
        process.terminate()  # uvicorn finishes the requests in flight
    for process in running:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _refuse_if_served(host: str, port: int) -> None:
    """SO_REUSEPORT would let a second server join a port another one serves, sharing its
    connections without a word: refuse when something answers there already."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        if probe.connect_ex((target, port)) == 0:
            raise OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))


def _listener(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int) -> None:
    config = uvicorn.Config(WORKER_APP, factory=True, log_level="warning")
    uvicorn.Server(config).run(sockets=[_listener(host, port)])
