"""One worker of a campaign drafted by several processes sharing PostgreSQL.

Each worker — a `siyu campaign run` on any machine — leases a few customers at a time
(`copilot.campaigns.claims`), reads their profiles and consent just before drafting them, drafts
with bounded concurrency and writes each group of results together with its claims, so a result
is written once whichever worker drafted it. When nothing is left to lease but other workers
still hold customers, it waits: a dead worker's customers come free when their lease expires and
are drafted by whoever is left. Every database step retries through a restart (`Retry`).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple, Protocol

from sqlalchemy.engine import Connection

from copilot.campaigns.claims import ClaimStore, LeaseKeeper, worker_name
from copilot.campaigns.outcomes import FLUSH, CheckpointWriter, Outcome
from copilot.campaigns.playbooks import PlaybookSpec
from copilot.campaigns.retrying import Notify, Retry
from copilot.config import CustomerSettings
from copilot.customers.profiles import CustomerProfile
from copilot.errors import CopilotError, InputError
from copilot.guardrails.consent_state import ConsentEvent
from copilot.messages import msg
from copilot.store.engine import Database

FLUSH_S = 1.0  # …or whatever is ready after this long, so progress and leases stay current
POLL_S = 1.0  # wait between looks for customers freed by an expired lease
CAMPAIGN_EXISTS = "campaign_exists"  # the error code of a finished campaign run without resume
# The interpreter's thread switch interval while drafting (default 5 ms). The drafting threads
# mostly wait on the model and give the interpreter up themselves; a longer forced interval
# spares the many wake-ups of threads contending for it on a busy machine.
SWITCH_S = 0.05


class Runner(Protocol):
    """What a worker uses of the campaign runner (`copilot.campaigns.campaign.Campaigns`)."""

    db: Database
    settings: CustomerSettings
    writer: CheckpointWriter

    def start(
        self, spec: PlaybookSpec, campaign_id: str, resume: bool,
        seed: Callable[[Connection, list[str], set[str]], None] | None = None,
    ) -> tuple[list[str], set[str]]: ...  # fmt: skip

    def prefetch(
        self, ids: list[str]
    ) -> tuple[dict[str, CustomerProfile], dict[str, dict[str, ConsentEvent]], int]: ...

    def warm_up(self, spec: PlaybookSpec) -> None: ...

    def draft(
        self, spec: PlaybookSpec, campaign_id: str, cid: str, profile: CustomerProfile,
        state: Mapping[str, ConsentEvent],
    ) -> Outcome: ...  # fmt: skip


class Share(NamedTuple):
    """A worker's share of a campaign: the audience, customers done before it started, and what
    it wrote by label (pass/warn/block/excluded/error)."""

    audience: int
    skipped: int
    counts: Counter[str]


def open_campaign(campaigns: Runner, spec: PlaybookSpec, campaign_id: str, resume: bool) -> None:
    """Start the campaign with its claims, or check it may be joined (a finished one needs
    `resume`), so the workers started next join it instead of racing to create it."""
    store = ClaimStore(campaigns.db, campaign_id, "", campaigns.settings.campaign_lease_seconds)
    Retry()(lambda: _start_or_join(campaigns, spec, store, resume))


def _start_or_join(
    campaigns: Runner, spec: PlaybookSpec, store: ClaimStore, resume: bool
) -> tuple[list[str], set[str]]:
    """Start the campaign, or join it while customers are left (another worker may have
    created it between our look and our start: then it is joined too)."""
    joining = store.remaining() > 0
    try:
        return campaigns.start(spec, store.campaign_id, resume or joining, seed=store.seed)
    except InputError as exc:
        if exc.code != CAMPAIGN_EXISTS or joining or store.remaining() == 0:
            raise
    return campaigns.start(spec, store.campaign_id, True, seed=store.seed)


@contextmanager
def _switching(interval_s: float) -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval_s)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_worker(
    campaigns: Runner, spec: PlaybookSpec, campaign_id: str, *, resume: bool,
    concurrency: int, progress: Callable[[int, int], None] | None, notify: Notify,
) -> Share:  # fmt: skip
    """Draft the campaign's customers together with any other workers; returns this worker's
    share. Starts the campaign, or joins it while customers are left; a finished campaign needs
    `resume`, which also drafts its errors again."""
    retry = Retry(notify)
    lease_s = campaigns.settings.campaign_lease_seconds
    store = ClaimStore(campaigns.db, campaign_id, worker_name(), lease_s)
    audience, done = retry(lambda: _start_or_join(campaigns, spec, store, resume))
    if resume:
        retry(store.reopen_errors)
    campaigns.warm_up(spec)  # before any lease: a starting worker holds none while it loads
    counts: Counter[str] = Counter()
    pending: dict[Future[Outcome], int] = {}  # draft -> consent watermark of its batch
    ready: list[tuple[Outcome, int]] = []

    def report() -> None:
        if progress:
            progress(len(audience) - retry(store.remaining), len(audience))

    def flush() -> None:
        outcomes = [outcome for outcome, _ in ready]
        watermark = min(mark for _, mark in ready)
        written = retry(lambda: campaigns.writer.write(spec, outcomes, watermark, store.complete))
        counts.update(o.label for o in written)
        ready.clear()
        report()

    def renewal_failed(exc: CopilotError) -> None:
        notify(msg("续租失败，稍后再试", "lease renewal failed; trying again") + ": " + exc.message)

    keeper = LeaseKeeper(store, renewal_failed, every_s=lease_s / 3)
    with _switching(SWITCH_S), keeper, ThreadPoolExecutor(max_workers=concurrency) as pool:
        flushed_at = time.monotonic()
        while True:
            if len(pending) < concurrency:
                ids = retry(partial(store.claim, 2 * concurrency - len(pending)))
                if ids:
                    profiles, states, watermark = retry(partial(campaigns.prefetch, ids))
                    for cid in ids:
                        future = pool.submit(
                            campaigns.draft, spec, campaign_id, cid, profiles[cid],
                            states.get(cid, {}),
                        )  # fmt: skip
                        pending[future] = watermark
            if not pending:
                if ready:
                    flush()
                if retry(store.remaining) == 0:
                    break
                time.sleep(POLL_S)  # the rest is leased by other workers, alive or not
                continue
            finished, _ = wait(pending, timeout=FLUSH_S, return_when=FIRST_COMPLETED)
            ready.extend((f.result(), pending.pop(f)) for f in finished)
            if ready and (
                len(ready) >= FLUSH or not pending or time.monotonic() - flushed_at >= FLUSH_S
            ):
                flush()
                flushed_at = time.monotonic()
    report()
    return Share(len(audience), len(done), counts)
