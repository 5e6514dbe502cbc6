"""For any answers: a verdict that blocks gets no plan, week or session on any face (the CLI,
the API, the player's session start), and one that allows gets them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from midback.cli import app as cli
from midback.domain.answers import parse_answers
from midback.domain.questions import RedFlag
from midback.domain.safety import screen
from midback.domain.vocab import Condition
from midback.settings import Settings
from midback.web.app import create_app

runner = CliRunner()

answers = st.fixed_dictionaries(
    {
        "age": st.integers(16, 90),
        "pain_now": st.integers(0, 10),
        "pain_duration_days": st.integers(0, 400),
        "improving": st.booleans(),
        "assessed_by_clinician": st.booleans(),
        "red_flags": st.lists(st.sampled_from([f.value for f in RedFlag]), max_size=2, unique=True),
        "conditions": st.lists(
            st.sampled_from([c.value for c in Condition]), max_size=2, unique=True
        ),
    }
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'web.db'}")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(given_answers=answers, cleared=st.booleans())
def test_no_face_plans_or_plays_for_a_blocking_verdict(
    client: TestClient,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    given_answers: dict[str, Any],
    cleared: bool,
) -> None:
    result = screen(parse_answers(given_answers))
    blocked = result.verdict.value == "emergency" or (result.blocking and not cleared)
    only_surgery = "recent_spine_surgery" in given_answers["conditions"] and not cleared
    assert client.post("/api/v1/screen", json=given_answers).status_code == 200
    body = {"minutes": 10, "place": "home", "cleared": cleared}
    plan = client.post("/api/v1/plan", json=body)
    week = client.post("/api/v1/week", json={**body, "days": 2})
    session = client.post("/api/v1/sessions", json={**body, "pain_before": 2})
    if blocked:
        assert [plan.status_code, week.status_code, session.status_code] == [403, 403, 403]
        assert plan.json()["verdict"] == result.verdict.value
    elif not only_surgery:
        assert (plan.status_code, week.status_code, session.status_code) == (200, 200, 201)
        assert plan.json()["blocks"]

    monkeypatch.setenv("MIDBACK_HOME", str(home / "cli"))
    monkeypatch.delenv("MIDBACK_DATABASE_URL", raising=False)
    path = home / "answers.json"
    path.write_text(json.dumps(given_answers), encoding="utf-8")
    assert runner.invoke(cli.app, ["screen", "--answers", str(path), "--json"]).exit_code == 0
    flags = ["--cleared"] if cleared else []
    planned = runner.invoke(cli.app, ["plan", "--minutes", "10", "--place", "home", "--json",
                                      *flags])  # fmt: skip
    if blocked:
        assert planned.exit_code == 3, planned.output
        assert json.loads(planned.stdout)["verdict"] == result.verdict.value
    elif not only_surgery:
        assert planned.exit_code == 0, planned.output
