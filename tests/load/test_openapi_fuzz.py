"""schemathesis against ``/openapi.json``, signed in (server mode, as a clinician, so the
clinician routes run too), on requests it generates from the schema, valid and invalid.

Two promises, two tests per operation:

- every answer is no 5xx and keeps to the schema the app publishes (its body, content type and
  headers, wherever a response is documented);
- the schema describes what the API accepts: requests valid by the schema are not refused, and
  invalid ones are not accepted.

Each API operation is its own test, so a known failure is marked on it alone (below, each with
a request that shows it every time). The operations are read from the API routers, and a test
checks they are exactly those of ``/openapi.json``: none is left out. (schemathesis's
``from_fixture`` loader cannot run here, as it needs a pytest attribute that pytest 9.2 removed;
so each test draws its operation's cases with Hypothesis itself.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from midback.domain.accounts import Role
from midback.settings import Settings
from midback.web import api, clinician_patient
from midback.web.app import create_app
from midback.web.auth import SESSION_COOKIE
from tests.pg import BACKENDS

SECRET = "fuzz-3Hq8Wv2Lx7Pz1Rm6Nb9Tc4Yh0Gd5Fs"
EMAIL = "fuzzer@example.org"
PASSWORD = "fuzzer password 42"
EXAMPLES = 50
"""Generated requests per operation, mode, test and database: bounded for CI."""
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE

_CONTRACT = ("positive_data_acceptance", "negative_data_rejection")
ANSWER_CHECKS: dict[str, Any] = {
    "status_code_conformance": {"enabled": False},
    **{name: {"enabled": False} for name in _CONTRACT},
}
"""Every schemathesis check on answers but three. The contract checks run in their own test.
status_code_conformance is off: FastAPI documents only each route's success and 422, while the
API also answers 401 (signed out), 403 (a blocking screen; not a clinician), 404 (an unknown or
someone else's id), 409, 429 (login back-off) and 503 (database down), each with a JSON
``detail``; that is the README's contract, not yet the schema's. Every other 5xx still fails."""
CONTRACT_CHECKS: dict[str, Any] = {
    "enabled": False,
    "positive_data_acceptance": {
        "enabled": True,
        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"],
    },
    # A query over the URL limits is refused with 414 (URI Too Long): a rejection too.
    "negative_data_rejection": {
        "enabled": True,
        "expected-statuses": [
            "400",
            "401",
            "403",
            "404",
            "405",
            "406",
            "409",
            "414",
            "415",
            "422",
            "428",
            "429",
            "5xx",
        ],
    },
}
"""Only: schema-valid requests are not refused (4xx other than 400/401/403/404/409/429), and
schema-invalid ones are not accepted. 400 is the request limits' answer to what JSON Schema
cannot say of a string: no NUL, no lone surrogates (``web/limits.py``); 5xx the other test's."""


def _router_operations() -> list[tuple[str, str, bool]]:
    """(METHOD, path, takes input) of every API operation, from the routers alone (no app, no
    database)."""
    probe = FastAPI()
    probe.include_router(api.router())
    probe.include_router(clinician_patient.router)  # its /api/v1 routes (its pages are unlisted)
    paths = probe.openapi()["paths"]
    return sorted(
        (method.upper(), path, bool(op.get("parameters") or op.get("requestBody")))
        for path, ops in paths.items()
        for method, op in ops.items()
    )


OPERATIONS = _router_operations()


@dataclass(frozen=True)
class Known:
    """A failure found by fuzzing, with one request that shows it every time.

    What the fuzzing finds varies a little from run to run (its requests follow the data it
    meets), so a known failure's test first sends its witness: while the failure is there the
    test fails as marked (xfail, strict); once it is fixed, the fuzzing runs on, and a pass
    says the mark can go.
    """

    reason: str
    method: str
    url: str
    shows: Callable[[Any], bool]
    """Whether the answer to the witness still shows the failure."""
    body: Any = None
    query: list[tuple[str, Any]] = field(default_factory=list)

    def check(self, app: FastAPI) -> None:
        """Fail with ``reason`` while the witness shows the failure."""
        with TestClient(app, cookies=signed_in_cookie(app)) as client:
            response = client.request(self.method, self.url, json=self.body, params=self.query)
        if self.shows(response):
            pytest.fail(f"{self.reason}: {response.status_code} {response.text[:300]}")


def _cases(known: dict[tuple[str, str, str], Known]) -> list[Any]:
    """A param per operation and mode (invalid requests only where the operation takes input),
    marked xfail(strict) where ``known`` (mode value, method, path) names a failure."""
    params = []
    for method, path, takes_input in OPERATIONS:
        for mode in (POSITIVE, NEGATIVE) if takes_input else (POSITIVE,):
            failure = known.get((mode.value, method, path))
            marks = [pytest.mark.xfail(strict=True, reason=failure.reason)] if failure else []
            params.append(
                pytest.param(method, path, mode, id=f"{mode.value}-{method} {path}", marks=marks)
            )
    return params


def _refused(response: Any) -> bool:
    return bool(response.status_code == 422)


KNOWN_ANSWER_FAILURES: dict[tuple[str, str, str], Known] = {}
"""Real 5xx or answers outside the schema found in routes of web/api (reported to their owner).
(Ids too large for the database were 500s too; the storage now answers them not found.)"""

KNOWN_CONTRACT_GAPS: dict[tuple[str, str, str], Known] = {}
"""Schema imprecisions found in routes of web/api. None now: the plan bodies publish which
options they need (minutes and place, or a program, or a course), the screen publishes its
answers (strict, with which answers go only with which condition), and a plan that no
exercise fits is a 409, not a 422."""


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """The app on SQLite and on PostgreSQL (which refuses what SQLite stores: NUL, say)."""
    home: Path = tmp_path_factory.mktemp("fuzz")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server").create_database()
    else:
        url = f"sqlite:///{home / 'fuzz.db'}"
    application = create_app(
        Settings(home=home, database_url=url, mode="server", secret_key=SECRET)
    )
    application.state.fuzz_hash = PasswordHasher().hash(PASSWORD)
    yield application
    application.state.repo.engine.dispose()


def _schema(app: FastAPI, checks: dict[str, Any]) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({"checks": checks})
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@pytest.fixture(scope="module")
def answer_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return _schema(app, ANSWER_CHECKS)


@pytest.fixture(scope="module")
def contract_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return _schema(app, CONTRACT_CHECKS)


def signed_in_cookie(app: FastAPI) -> dict[str, str]:
    """A valid session cookie of the fuzzer, whose account is made again when a case deleted it
    (DELETE /api/v1/me), and whose cookie is fresh after a case signed out everywhere."""
    accounts = app.state.accounts
    found = accounts.by_email(EMAIL)
    if found is None:
        account = accounts.create(EMAIL, app.state.fuzz_hash, role=Role.CLINICIAN,
                                  at=datetime.now(UTC))  # fmt: skip
        person_id = account.id
    else:
        person_id = found[0].id
    response = Response()
    app.state.auth.set_cookie(response, person_id)
    cookie: SimpleCookie = SimpleCookie(response.headers["set-cookie"])
    return {SESSION_COOKIE: cookie[SESSION_COOKIE].value}


def fuzz(app: FastAPI, operation: Any, mode: schemathesis.GenerationMode) -> None:
    """Send ``EXAMPLES`` generated requests to ``operation``; schemathesis checks each answer."""

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=timedelta(seconds=10),
        derandomize=True,  # CI sends about the same requests each run (answers still vary)
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answered(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(cookies=signed_in_cookie(app))

    try:
        answered()
    except Unsatisfiable:
        if mode is POSITIVE:
            raise
        pytest.skip("every value of this operation's input is valid: no invalid request exists")


def test_the_fuzzed_operations_are_exactly_those_of_the_schema(
    answer_schema: schemathesis.BaseSchema,
) -> None:
    published = sorted(
        (operation.method.upper(), operation.path)
        for operation in (result.ok() for result in answer_schema.get_all_operations())  # type: ignore[union-attr]
    )
    assert published == [(method, path) for method, path, _ in OPERATIONS]


@pytest.mark.parametrize(("method", "path", "mode"), _cases(KNOWN_ANSWER_FAILURES))
def test_no_answer_is_a_server_error_or_outside_the_schema(
    app: FastAPI,
    answer_schema: schemathesis.BaseSchema,
    method: str,
    path: str,
    mode: schemathesis.GenerationMode,
) -> None:
    if known := KNOWN_ANSWER_FAILURES.get((mode.value, method, path)):
        known.check(app)
    fuzz(app, answer_schema[path][method], mode)


@pytest.mark.parametrize(("method", "path", "mode"), _cases(KNOWN_CONTRACT_GAPS))
def test_the_schema_says_what_the_api_accepts(
    app: FastAPI,
    contract_schema: schemathesis.BaseSchema,
    method: str,
    path: str,
    mode: schemathesis.GenerationMode,
) -> None:
    if known := KNOWN_CONTRACT_GAPS.get((mode.value, method, path)):
        known.check(app)
    fuzz(app, contract_schema[path][method], mode)
