"""The signed ``wx.agentConfig`` the sidebar needs before WeCom lets it put text into a chat.

WeCom's JS-SDK signs with the app's ticket (``ticket/get?type=agent_config``): the SHA-1 of
``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` over the page's URL without its fragment, done
here by ``wechatpy``'s signer. The ticket never leaves the server; the page gets the corp id, the
AgentId, the timestamp, the nonce and the signature, which WeCom accepts only for a page on the
app's trusted domain inside its own client.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from copilot.config import WecomSettings
from copilot.errors import ConfigError, InputError
from copilot.messages import msg
from copilot.wecom.client import WecomClient
from copilot.wecom.crypto import missing_wechatpy

MAX_URL = 2048
# The JS-SDK calls the sidebar makes once configured.
JS_APIS = ("sendChatMessage",)


class AgentConfig(BaseModel):
    """What the page passes to ``wx.agentConfig`` (WeCom's field names, so it passes the object
    as it is), and the JS-SDK scripts to load first."""

    corpid: str
    agentid: int
    timestamp: int = Field(description="seconds since the epoch, as signed")
    nonceStr: str
    signature: str = Field(description="SHA-1 hex of the ticket, nonce, timestamp and URL")
    jsApiList: list[str]
    sdk: list[str] = Field(description="WeCom JS-SDK script URLs, in load order")


class AgentSigner:
    """Signs wx.agentConfig for pages of the sidebar app (SIYU_WECOM_AGENT_ID)."""

    def __init__(
        self,
        settings: WecomSettings,
        *,
        client: WecomClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.agent_configured:
            raise ConfigError(
                msg("侧边栏的企业微信应用未配置", "the sidebar's WeCom app is not configured"),
                hint=msg(
                    "设置 SIYU_WECOM_CORP_ID、SIYU_WECOM_SECRET(或 SIYU_WECOM_AGENT_SECRET)和 "
                    "SIYU_WECOM_AGENT_ID 后重启服务",
                    "set SIYU_WECOM_CORP_ID, SIYU_WECOM_SECRET (or SIYU_WECOM_AGENT_SECRET) and "
                    "SIYU_WECOM_AGENT_ID and restart",
                ),
            )
        self.settings = settings
        self.client = client or WecomClient(settings.for_agent())
        self.clock = clock

    def config(self, url: str) -> AgentConfig:
        """The signed configuration for the page at `url` (its fragment is not signed)."""
        page = page_url(url)
        nonce = secrets.token_urlsafe(12)
        timestamp = int(self.clock())
        return AgentConfig(
            corpid=self.settings.corp_id or "",
            agentid=self.settings.agent_id or 0,
            timestamp=timestamp,
            nonceStr=nonce,
            signature=sign(self.client.agent_ticket(), nonce, timestamp, page),
            jsApiList=list(JS_APIS),
            sdk=self.settings.jssdk,
        )


def sign(ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """WeCom's JS-SDK signature, by wechatpy's signer (it sorts the fields, joins them with &
    and takes the SHA-1)."""
    try:
        from wechatpy.utils import WeChatSigner
    except ImportError as exc:
        raise missing_wechatpy() from exc
    signer = WeChatSigner(delimiter=b"&")
    signer.add_data(
        f"jsapi_ticket={ticket}", f"noncestr={nonce}", f"timestamp={timestamp}", f"url={url}"
    )
    signature: str = signer.signature
    return signature


def page_url(url: str) -> str:
    """The page's own http(s) URL without its fragment, as WeCom signs it."""
    page = url.split("#", 1)[0]
    parts = urlsplit(page)
    if len(page) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(
            msg("不是页面的 http(s) 地址", "not the page's http(s) URL"),
            where="url",
            hint=msg(
                "传入侧边栏页面的完整地址(location.href)",
                "pass the sidebar page's full address (location.href)",
            ),
        )
    return page
