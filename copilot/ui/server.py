"""The web server: both language pages and the HTTP API on one FastAPI app, served by uvicorn."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from copilot.api.routes import build_api
from copilot.ui.cards import CSS
from copilot.ui.hosts import HostGuard, parse_hosts
from copilot.ui.layout import LANG_PATHS, build_blocks, page_head
from copilot.ui.login_guard import LoginGuard, LoginThrottle
from copilot.ui.sidebar import sidebar_router
from copilot.ui.workbench import Workbench


def create_app(wb: Workbench, auth: Callable[[str, str], bool] | None) -> FastAPI:
    """/ is the Chinese workbench, /en the English one, /v1 the HTTP API; the more specific
    paths are mounted first. API keys are required whenever the workbench requires a login
    (always when binding beyond loopback)."""
    app = FastAPI()
    app.mount("/v1", build_api(wb.copilot, require_keys=auth is not None))
    app.include_router(
        sidebar_router(wb.copilot.settings.wecom)
    )  # /wecom/sidebar, for WeCom's chat toolbar
    if wb.copilot.settings.wecom.configured:  # WeCom calls back; the signature is its login
        from copilot.wecom import callback_router

        wb.copilot.wecom.resume()
        app.include_router(callback_router(wb.copilot.wecom))

    @app.get("/healthz")
    def health() -> JSONResponse:
        """200 once the embedder and knowledge snapshot are loaded (first clicks are fast), else 503."""
        ready = wb.warm.is_set()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    for lang in ("en", "zh"):
        app = gr.mount_gradio_app(
            app,
            build_blocks(wb, lang),
            path=LANG_PATHS[lang] if lang == "en" else "",
            auth=auth,
            max_file_size=f"{wb.copilot.settings.ui.max_upload_mb:g}mb",
            footer_links=[],
            css=CSS,
            head=page_head(wb.copilot.settings.ui.max_upload_mb, lang),
            ssr_mode=False,
            show_error=False,
            allowed_paths=[str(wb.exports_dir)],
        )
    protect(app, auth is not None, wb.copilot.settings.ui.allowed_hosts)
    return app


def protect(
    app: FastAPI, login: bool, allowed_hosts: str, throttle: LoginThrottle | None = None
) -> None:
    """Without login (loopback only) every route answers only to this machine's host names
    (and ``allowed_hosts``); with login, failed logins are throttled per client address and the
    login pages carry no API description."""
    if login:
        app.add_middleware(
            LoginGuard, throttle=throttle or LoginThrottle(), pages=LANG_PATHS.values()
        )
    else:
        app.add_middleware(HostGuard, allowed=parse_hosts(allowed_hosts))


def run(app: FastAPI, host: str, port: int) -> None:
    uvicorn.run(app, host=host, port=port, log_level="warning")
