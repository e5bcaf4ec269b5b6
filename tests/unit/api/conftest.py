"""The API over a Copilot on the demo knowledge base (fake embedder, template drafter) with a
few demo customers; one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import Settings
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copilot]:
    home = tmp_path_factory.mktemp("siyu-api")
    settings = Settings(home=home, embedding={"provider": "fake"}, api={"burst": 1000})
    copilot = Copilot.from_settings(settings)
    copilot.ensure_knowledge()
    folder = home / "demo"
    DemoGenerator(list(copilot.catalog.values())).write(folder, customers=30, orders=90)
    Importer(copilot.db, purposes=settings.guardrails.purpose_fields).run(
        [folder / f"{n}.csv" for n in ("customers", "orders", "consents")],
        dry_run=False,
        errors_path=folder / "errors.csv",
    )
    yield copilot
    copilot.db.dispose()


@pytest.fixture(scope="module")
def local(app: Copilot) -> TestClient:
    return TestClient(build_api(app, require_keys=False))


@pytest.fixture(scope="module")
def remote(app: Copilot) -> TestClient:
    return TestClient(build_api(app, require_keys=True))
