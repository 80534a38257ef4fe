"""The API against its own OpenAPI document, in-process: no server error, no broken schema.

schemathesis generates requests for every operation from /api/v1/openapi.json
(valid ones and deliberately broken ones) and sends them, signed in as admin
(who may call every operation), straight to the WSGI application.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from plans.services import issue_token
from tests.conftest import PASSWORD
from tracker.wsgi import application


@pytest.fixture
def api_schema(admin_headers: dict[str, str]) -> Any:
    """The API's OpenAPI document, loaded when the test runs (not when the suite is collected)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def admin_headers(db: None) -> Iterator[dict[str, str]]:
    """A bearer token for admin; requests share the test's connection and transaction.

    Django's test client disconnects close_old_connections for the same reason:
    otherwise the first request would close the connection the test runs in.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        raw, _token = issue_token(RequestFactory().post("/api/v1/auth/token"), "admin", PASSWORD)
        yield {"Authorization": f"Bearer {raw}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Examples per operation: 10 by default, 20 with HYPOTHESIS_PROFILE=ci (.ci/run).
settings.register_profile("ci", max_examples=20)
settings.register_profile("dev", max_examples=10)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CONTRACT = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        # The index-set document offers one schema per rule kind (oneOf): valid ones are rare.
        HealthCheck.filter_too_much,
    ],
)
# Four parts of the API, four tests: parallel runs (-n) spread them over their workers.
PARTS = {
    "plans": r"^/api/v1/plans/",
    "tasks": r"^/api/v1/(tasks|evidence|extension-requests|notifications)",
    "assessments": r"^/api/v1/assessments",
}


def keeps_its_contract(case: Any, headers: dict[str, str]) -> None:
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.include(path_regex=PARTS["plans"]).parametrize()
@CONTRACT
def test_the_plans_api_keeps_its_contract(case: Any, admin_headers: dict[str, str]) -> None:
    keeps_its_contract(case, admin_headers)


@schema.include(path_regex=PARTS["tasks"]).parametrize()
@CONTRACT
def test_the_tasks_api_keeps_its_contract(case: Any, admin_headers: dict[str, str]) -> None:
    keeps_its_contract(case, admin_headers)


@schema.include(path_regex=PARTS["assessments"]).parametrize()
@CONTRACT
def test_the_assessment_api_keeps_its_contract(case: Any, admin_headers: dict[str, str]) -> None:
    keeps_its_contract(case, admin_headers)


@schema.exclude(path_regex="|".join(PARTS.values())).parametrize()
@CONTRACT
def test_the_rest_of_the_api_keeps_its_contract(case: Any, admin_headers: dict[str, str]) -> None:
    keeps_its_contract(case, admin_headers)
