"""Locust users for the /v1 API: agents asking for template-mode reply suggestions.

Run by ``benchmarks/api_load.py`` (``locust -f benchmarks/locustfile.py --headless …``)."""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

from benchmarks.api_messages import MESSAGES

_next = itertools.cycle(MESSAGES)


_KEY = os.environ.get("SIYU_LOAD_KEY", "")


class Agent(FastHttpUser):
    """An agent's client: geventhttpclient (cheap per request, so the load tool takes little of
    the CPU the server is measured on), no think time."""

    wait_time = constant(0)
    default_headers = {"Authorization": f"Bearer {_KEY}"} if _KEY else None

    @task
    def reply(self) -> None:
        with self.client.post(
            "/v1/replies", json={"message": next(_next)}, name="/v1/replies", catch_response=True
        ) as response:
            if response.status_code != 200 or not response.json().get("draft_ids"):
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
