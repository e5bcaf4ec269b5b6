"""Schemathesis against /v1/openapi.json: generated requests (valid and malformed) to every
operation; no 5xx, every response matches the documented schema, status and content type.

Not checked: that every schema-violating request is refused (negative_data_rejection) —
pydantic's lax mode accepts, e.g., a Unix timestamp where a date-time is documented — and
that every schema-valid request is accepted (positive_data_acceptance): the drafter refuses
some valid-looking input on purpose (a message that is empty once redacted, an unknown
customer) with a documented problem response.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from copilot.api.routes import build_api
from copilot.app import Copilot
from copilot.config import Settings

pytestmark = pytest.mark.integration


UNLIMITED = {"rate_per_minute": 1_000_000, "burst": 1_000_000}
HOME = Path(tempfile.mkdtemp(prefix="siyu-schema-"))
APP = Copilot.from_settings(
    Settings(home=HOME, embedding={"provider": "fake"}, api=UNLIMITED)
)  # built lazily: nothing is loaded until the first request
schema = schemathesis.openapi.from_asgi("/openapi.json", build_api(APP, require_keys=False))


@pytest.fixture(scope="module", autouse=True)
def _knowledge_base() -> Iterator[None]:
    APP.ensure_knowledge()
    yield
    APP.db.dispose()
    shutil.rmtree(HOME, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[negative_data_rejection, positive_data_acceptance])
