"""Retries with backoff while the database is briefly away (a PostgreSQL restart, a failover).

Only connection failures are retried; any other store error is raised at once. Each retry is
announced (what failed, when the next try is), and after `give_up_s` the last error is raised
with what to do. Callers make every retried step safe to repeat: a result is written with its
claim marked done in one transaction, so a write whose commit was lost is not written twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from copilot.errors import StoreError
from copilot.messages import Msg, msg, render

T = TypeVar("T")
Notify = Callable[[Msg], None]
log = logging.getLogger(__name__)


def log_notice(message: Msg) -> None:
    log.warning(render(message))


def is_connection_error(exc: StoreError) -> bool:
    cause = exc.__cause__
    if isinstance(cause, DBAPIError) and cause.connection_invalidated:
        return True
    return isinstance(cause, OperationalError | InterfaceError)


class Retry:
    """Runs a store step, retrying connection failures with exponential backoff."""

    def __init__(
        self,
        notify: Notify = log_notice,
        give_up_s: float = 300.0,
        first_s: float = 0.5,
        max_s: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.notify, self.give_up_s, self.first_s, self.max_s = notify, give_up_s, first_s, max_s
        self.sleep = sleep

    def __call__(self, step: Callable[[], T]) -> T:
        waited, delay, attempt = 0.0, self.first_s, 1
        while True:
            try:
                return step()
            except StoreError as exc:
                if not is_connection_error(exc):
                    raise
                if waited >= self.give_up_s:
                    raise StoreError(
                        msg(
                            f"数据库连接中断已超过 {self.give_up_s:.0f} 秒，本 worker 停止",
                            f"the database has been unreachable for over {self.give_up_s:.0f} s; "
                            "this worker stops",
                        )
                        + ": "
                        + exc.message,
                        hint=msg(
                            "已写入的结果都在。数据库恢复后重新运行同一条命令：未完成的客户在租约"
                            "到期后会被接着起草，不会重复",
                            "every result written is kept. Once the database is back, run the "
                            "same command again: unfinished customers are drafted once their "
                            "lease expires, never twice",
                        ),
                    ) from exc
                self.notify(
                    msg(
                        f"数据库暂时不可用，{delay:.1f} 秒后第 {attempt} 次重试",
                        f"database unavailable; retry {attempt} in {delay:.1f} s",
                    )
                    + ": "
                    + exc.message
                )
                self.sleep(delay)
                waited += delay
                delay, attempt = min(delay * 2, self.max_s), attempt + 1
