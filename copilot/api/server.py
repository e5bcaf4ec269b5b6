"""Serving the HTTP API on its own: /v1, the 微信客服 callback, the WeCom sidebar and /healthz,
in one process or in a pool of worker processes sharing one port (``siyu api --workers N``).

The workbench is not served here: a Gradio session lives in the memory of one process, and a
browser's requests of one session would land on different workers. Every worker opens the
same knowledge base and database; the knowledge base is ingested once, before the workers
start, and the audit log's hash chain is appended under the database's lock, so concurrent
workers write one unbroken chain.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import get_settings
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
    web.include_router(sidebar_router())
    if app.settings.wecom.configured:
        from copilot.wecom import callback_router

        web.include_router(callback_router(app.wecom))

    @web.get("/healthz")
    def health() -> JSONResponse:
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
    """`workers` processes serving `worker_app` on one socket (uvicorn's supervisor restarts a
    worker that dies). The knowledge base must be ingested before this is called."""
    os.environ["SIYU_UI_HOST"] = host
    for name in BLAS_VARIABLES:  # read when a worker loads numpy, before the runtime cap
        os.environ[name] = str(threads)
    uvicorn.run(
        WORKER_APP, factory=True, host=host, port=port, workers=workers, log_level="warning"
    )
