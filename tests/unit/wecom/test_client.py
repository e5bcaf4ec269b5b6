"""The WeCom API client on a mocked transport: token cache and refresh, retries, errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from copilot.config import WecomSettings
from copilot.wecom.client import WecomApiError, WecomClient

Handler = Callable[[httpx.Request], httpx.Response]
SECRET = "very-secret-value"


class Api:
    """Answers gettoken with token-1, token-2, …; other paths by the test's `answer`."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/cgi-bin/gettoken":
            self.tokens += 1
            return httpx.Response(
                200, json={"errcode": 0, "access_token": f"token-{self.tokens}", "expires_in": 7200}
            )
        return self.answer(request)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def client(api: Api, clock: Callable[[], float] = lambda: 0.0, retries: int = 2) -> WecomClient:
    settings = WecomSettings(
        corp_id="ww1",
        secret=SecretStr(SECRET),
        api_base="http://wecom.test/",
        max_retries=retries,
        retry_backoff_s=0.5,
    )
    sleeps: list[float] = []
    made = WecomClient(
        settings,
        http=httpx.Client(transport=httpx.MockTransport(api)),
        clock=clock,
        sleep=sleeps.append,
    )
    made.sleeps = sleeps  # type: ignore[attr-defined]
    return made


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "msgid": "m"})


def test_the_token_is_cached_until_shortly_before_it_expires() -> None:
    now = [0.0]
    api = Api(ok)
    wecom = client(api, clock=lambda: now[0])
    for _ in range(3):
        wecom.send_text("u", "k", "hi", "m1")
    assert api.tokens == 1
    now[0] = 7200 - 299  # inside the 300 s margin
    wecom.send_text("u", "k", "hi", "m1")
    assert api.tokens == 2
    assert api.requests[-1].url.params["access_token"] == "token-2"


@pytest.mark.parametrize("errcode", [40014, 42001])
def test_a_rejected_token_is_fetched_again_once(errcode: int) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["access_token"] == "token-1":
            return httpx.Response(200, json={"errcode": errcode, "errmsg": "token"})
        return ok(request)

    api = Api(answer)
    assert client(api).send_text("u", "k", "hi", "m1") == 2
    assert api.paths() == [
        "/cgi-bin/gettoken",
        "/cgi-bin/kf/send_msg",
        "/cgi-bin/gettoken",
        "/cgi-bin/kf/send_msg",
    ]


def test_the_app_ticket_is_a_get_cached_like_the_token_and_survives_a_rejected_token() -> None:
    tickets = iter(["t-1", "t-2"])

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET" and request.url.params["type"] == "agent_config"
        if request.url.params["access_token"] == "token-1":
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "expired"})
        return httpx.Response(200, json={"errcode": 0, "ticket": next(tickets), "expires_in": 7200})

    now = [0.0]
    wecom = client(Api(answer), clock=lambda: now[0])
    assert [wecom.agent_ticket() for _ in range(3)] == ["t-1"] * 3
    now[0] = 7200 - 299
    assert wecom.agent_ticket() == "t-2"


def test_network_errors_5xx_and_busy_are_retried_with_doubling_backoff() -> None:
    answers = iter(["connect", 502, -1])

    def answer(request: httpx.Request) -> httpx.Response:
        step = next(answers, None)
        if step == "connect":
            raise httpx.ConnectError("refused", request=request)
        if step == 502:
            return httpx.Response(502, text="bad gateway")
        if step == -1:
            return httpx.Response(200, json={"errcode": -1, "errmsg": "system busy"})
        return ok(request)

    wecom = client(Api(answer), retries=3)
    assert wecom.send_text("u", "k", "hi", "m1") == 4
    assert wecom.sleeps == [0.5, 1.0, 2.0]  # type: ignore[attr-defined]


def test_retries_run_out_with_an_error_naming_endpoint_status_and_attempts() -> None:
    api = Api(lambda request: httpx.Response(503, text="down"))
    with pytest.raises(WecomApiError) as caught:
        client(api, retries=2).send_text("u", "k", "hi", "m1")
    error = caught.value
    assert (error.endpoint, error.status, error.attempts) == ("/cgi-bin/kf/send_msg", 503, 3)
    assert "HTTP 503" in error.render("en") and "3 attempt" in error.render("en")
    assert error.to_dict()["attempts"] == 3


def test_other_errcodes_and_4xx_fail_at_once_without_the_secret_or_token() -> None:
    api = Api(lambda request: httpx.Response(200, json={"errcode": 95016, "errmsg": "x"}))
    with pytest.raises(WecomApiError) as caught:
        client(api).send_text("u", "k", "hi", "m1")
    assert (caught.value.errcode, caught.value.attempts) == (95016, 1)
    for lang in ("zh", "en"):
        text = caught.value.render(lang)  # type: ignore[arg-type]
        assert SECRET not in text and "token-1" not in text
    api = Api(lambda request: httpx.Response(404, text="no"))
    with pytest.raises(WecomApiError) as caught:
        client(api).send_text("u", "k", "hi", "m1")
    assert (caught.value.status, caught.value.attempts) == (404, 1)


def test_a_bad_secret_is_reported_from_gettoken() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})

    wecom = client(Api(ok))
    wecom.http = httpx.Client(transport=httpx.MockTransport(transport))
    with pytest.raises(WecomApiError) as caught:
        wecom.access_token()
    assert caught.value.endpoint == "/cgi-bin/gettoken" and caught.value.errcode == 40001


def test_send_and_sync_bodies_follow_the_documented_fields() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("sync_msg"):
            return httpx.Response(
                200,
                json={
                    "errcode": 0,
                    "next_cursor": "c2",
                    "has_more": 1,
                    "msg_list": [
                        {
                            "msgid": "a",
                            "origin": 3,
                            "msgtype": "text",
                            "text": {"content": " 你好 "},
                        },
                        {"msgid": "b", "origin": 5, "msgtype": "text", "text": {"content": "客服"}},
                        {"msgid": "c", "origin": 4, "msgtype": "event", "event": {}},
                        {"msgid": "d", "origin": 3, "msgtype": "image", "image": {}},
                    ],
                },
            )
        return ok(request)

    api = Api(answer)
    wecom = client(api)
    page = wecom.sync_msg("c1", "tok", "wk1")
    assert (page.next_cursor, page.has_more) == ("c2", 1)
    assert [m.customer_text for m in page.msg_list] == ["你好", "", "", ""]
    wecom.send_text("wm1", "wk1", "您好", "siyu-7")
    sync, send = (json.loads(r.content) for r in api.requests if r.method == "POST")
    assert sync == {"cursor": "c1", "token": "tok", "limit": 1000, "open_kfid": "wk1"}
    assert send == {
        "touser": "wm1",
        "open_kfid": "wk1",
        "msgid": "siyu-7",
        "msgtype": "text",
        "text": {"content": "您好"},
    }
