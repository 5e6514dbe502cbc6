"""``midback plan``'s shortcut: the facts planning read of the local person, kept beside the
SQLite store, give the same plan as the store, and are used only while the store, the day, the
code and the screen still say what they said when kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midback.cli.app import app
from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.plans import PlanRequest
from midback.domain.questions import RedFlag
from midback.domain.vocab import Place
from midback.services import LOCAL_PERSON, kept_facts
from midback.services.clock import set_zone
from midback.services.planning import make_plan_for, person_facts
from midback.services.records import checkin
from midback.services.screening import take_screen
from midback.services.store import open_store
from tests.integration.helpers import screen_via_cli

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
CLEAR = Answers(age=40, pain_now=3, pain_duration_days=30, improving=True)
REQUEST = PlanRequest(minutes=15, place=Place.HOME)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'midback.db'}"


def keep_now(url: str, cat: Catalogue, at: datetime = NOW) -> kept_facts.StoreState:
    """What the slow path does: read the state, plan through the store, keep the facts."""
    state = kept_facts.store_state(url, LOCAL_PERSON)
    assert state is not None
    repo = open_store(url)
    make_plan_for(repo, cat, LOCAL_PERSON, REQUEST, now=at)
    assert kept_facts.keep(
        url, LOCAL_PERSON, person_facts(repo, cat, LOCAL_PERSON, now=at), now=at, state=state
    )
    repo.engine.dispose()
    return state


def kept(url: str, cat: Catalogue, at: datetime = NOW, request: PlanRequest = REQUEST) -> object:
    state = kept_facts.store_state(url, LOCAL_PERSON)
    return kept_facts.kept_plan(
        url, cat, LOCAL_PERSON, request, program_id=None, now=at, state=state
    )


def test_kept_facts_plan_as_the_store_does(url: str, cat: Catalogue) -> None:
    repo = open_store(url)
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    assert kept(url, cat) is None  # nothing kept yet
    keep_now(url, cat)
    for request in (REQUEST, PlanRequest(minutes=30, place=Place.GYM, seed=3)):
        expected = make_plan_for(open_store(url), cat, LOCAL_PERSON, request, now=NOW)
        assert kept(url, cat, request=request) == expected


def test_a_write_a_new_day_or_another_code_is_not_read_from_the_kept_facts(
    url: str, cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = open_store(url)
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    keep_now(url, cat)
    assert kept(url, cat) is not None
    assert kept(url, cat, at=NOW + timedelta(days=1)) is None  # another day: doses may move on
    monkeypatch.setattr(kept_facts, "_code_digest", lambda: "another version of midback")
    assert kept(url, cat) is None
    monkeypatch.undo()
    checkin(repo, LOCAL_PERSON, pain=4, stiffness=None, at=NOW)  # a write, as another process
    assert kept(url, cat) is None


def test_facts_read_before_a_write_are_not_kept(url: str, cat: Catalogue) -> None:
    repo = open_store(url)
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    state = kept_facts.store_state(url, LOCAL_PERSON)
    assert state is not None
    facts = person_facts(repo, cat, LOCAL_PERSON, now=NOW)
    checkin(repo, LOCAL_PERSON, pain=4, stiffness=None, at=NOW)  # between the read and the keep
    assert not kept_facts.keep(url, LOCAL_PERSON, facts, now=NOW, state=state)
    assert kept(url, cat) is None


def test_an_old_or_blocking_screen_takes_the_path_that_refuses(url: str, cat: Catalogue) -> None:
    repo = open_store(url)
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    keep_now(url, cat)
    set_zone(repo, LOCAL_PERSON, "UTC")  # the day below is the same wherever this runs
    last_hour = NOW + timedelta(days=30, hours=-1)
    keep_now(url, cat, at=last_hour)
    assert kept(url, cat, at=last_hour) is not None
    assert kept(url, cat, at=last_hour + timedelta(hours=2)) is None  # the same day, but expired
    urgent = CLEAR.model_copy(update={"red_flags": [RedFlag.CANCER_HISTORY]})
    take_screen(repo, LOCAL_PERSON, urgent, at=NOW)
    keep_now_state = kept_facts.store_state(url, LOCAL_PERSON)
    facts = person_facts(repo, cat, LOCAL_PERSON, now=NOW)
    assert keep_now_state is not None and facts.screen is not None
    assert kept_facts.keep(url, LOCAL_PERSON, facts, now=NOW, state=keep_now_state)
    assert kept(url, cat) is None  # a blocking verdict is never planned from the file


def test_a_damaged_file_is_ignored(url: str, cat: Catalogue, tmp_path: Path) -> None:
    repo = open_store(url)
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    keep_now(url, cat)
    file = tmp_path / ("midback.db" + kept_facts.SUFFIX)
    data = json.loads(file.read_text())
    data["facts"]["earned"] = {"cat-cow": {"sets": "many"}}
    file.write_text(json.dumps(data))
    assert kept(url, cat) is None
    file.write_text("{not json")
    assert kept(url, cat) is None


def test_other_databases_are_never_read(cat: Catalogue) -> None:
    for url in ("postgresql://u@localhost/midback", "sqlite://", "sqlite:///:memory:"):
        assert kept_facts.store_state(url, LOCAL_PERSON) is None


@pytest.mark.usefixtures("home")
def test_the_cli_plans_the_same_and_without_the_sql_toolkit(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    runner = CliRunner()
    args = ["plan", "--minutes", "10", "--place", "home", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert list(Path(os.environ["MIDBACK_HOME"]).glob("*" + kept_facts.SUFFIX))
    code = (
        "import sys\n"
        "from midback.cli.app import main\n"
        f"sys.argv = ['midback', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('LOADED' if 'sqlalchemy' in sys.modules else 'NOT LOADED', file=sys.stderr)\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert again.stderr.strip().endswith("NOT LOADED"), again.stderr
    checked = runner.invoke(app, ["checkin", "--pain", "4"])
    assert checked.exit_code == 0, checked.output
    after = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert after.stderr.strip().endswith("LOADED") and "NOT" not in after.stderr  # a write: store
