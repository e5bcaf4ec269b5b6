"""``GET /v1/wecom/agent-config``: the signed ``wx.agentConfig`` for the sidebar page.

Inside WeCom the sidebar asks for it with its page URL, loads WeCom's JS-SDK and configures it;
插入 then puts the reply into the chat's input box (``sendChatMessage``) instead of copying it.
Needs the ``draft`` scope, like drafting the reply; without SIYU_WECOM_AGENT_ID (and the corp id
and secret) it answers 409 ``wecom_agent_not_configured`` and the page copies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from copilot.api.problems import ApiError, responses
from copilot.api.security import Drafting
from copilot.app import Copilot
from copilot.messages import msg
from copilot.wecom.jsapi import MAX_URL, AgentConfig

ANSWERS = responses(400, 401, 403, 409, 422, 429, 500, 502)
PageUrl = Annotated[
    str, Query(min_length=1, max_length=MAX_URL, description="the page's location.href")
]


def wecom_agent_router(app: Copilot) -> APIRouter:
    router = APIRouter(prefix="/wecom", tags=["wecom"])

    @router.get("/agent-config", response_model=AgentConfig, responses=ANSWERS)
    def agent_config(url: PageUrl, who: Drafting) -> AgentConfig:
        """Corp id, AgentId, timestamp, nonce and signature for `wx.agentConfig` on the page
        at `url`, and the JS-SDK scripts to load; the app's ticket stays on the server."""
        if not app.settings.wecom.agent_configured:
            raise ApiError(409, "wecom_agent_not_configured", msg(
                "侧边栏的企业微信应用未配置:设置 SIYU_WECOM_CORP_ID、SIYU_WECOM_SECRET 和 "
                "SIYU_WECOM_AGENT_ID 后重启服务;在此之前插入会复制文字",
                "the sidebar's WeCom app is not configured: set SIYU_WECOM_CORP_ID, "
                "SIYU_WECOM_SECRET and SIYU_WECOM_AGENT_ID and restart; until then 插入 copies",
            ))  # fmt: skip
        return app.wecom_agent.config(url)

    return router
