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
from midback.cli.store import database_url
from midback.domain.answers import Answers
from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue
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


PLAN_ARGS = ["plan", "--minutes", "10", "--place", "home", "--json"]
PLAN_IN_A_NEW_PROCESS = (
    "import sys\n"
    "from midback.cli.app import main\n"
    f"sys.argv = ['midback', *{PLAN_ARGS!r}]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as done:\n"
    "    assert not done.code, done.code\n"
    "print('LOADED' if 'sqlalchemy' in sys.modules else 'NOT LOADED', file=sys.stderr)\n"
)


def plan_in_a_new_process() -> tuple[object, bool]:
    """``midback plan ... --json`` as a person runs it: its plan, and whether it loaded the SQL
    toolkit (the store's path) or not (the kept facts)."""
    done = subprocess.run(
        [sys.executable, "-c", PLAN_IN_A_NEW_PROCESS],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = done.stderr.strip().rsplit("\n", 1)[-1]
    assert loaded in ("LOADED", "NOT LOADED"), done.stderr
    return json.loads(done.stdout), loaded == "LOADED"


def store_plan() -> object:
    """The plan made through the store now (what the shortcut must equal)."""
    repo = open_store(database_url())
    made = make_plan_for(repo, catalogue(), LOCAL_PERSON, PlanRequest(minutes=10, place=Place.HOME),
                         now=datetime.now(UTC))  # fmt: skip
    repo.engine.dispose()
    return made.to_json()


@pytest.mark.usefixtures("home")
def test_the_cli_plans_the_same_and_without_the_sql_toolkit(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    runner = CliRunner()
    first = runner.invoke(app, PLAN_ARGS)
    assert first.exit_code == 0, first.output
    assert list(Path(os.environ["MIDBACK_HOME"]).glob("*" + kept_facts.SUFFIX))
    plan, loaded = plan_in_a_new_process()
    assert plan == json.loads(first.stdout)
    assert not loaded


@pytest.mark.usefixtures("home")
def test_after_a_cli_write_the_next_plan_still_needs_no_store(tmp_path: Path) -> None:
    """The command that wrote keeps the facts again (it has the store open): the plan after a
    check-in or a screen takes the shortcut, and equals the plan made through the store."""
    screen_via_cli(tmp_path)  # the first screen keeps facts: even the first plan is quick
    plan, loaded = plan_in_a_new_process()
    assert not loaded and plan == store_plan()
    checked = CliRunner().invoke(app, ["checkin", "--pain", "7"])
    assert checked.exit_code == 0, checked.output
    plan, loaded = plan_in_a_new_process()
    assert not loaded
    assert plan == store_plan()


@pytest.mark.usefixtures("home")
def test_a_write_by_another_process_takes_the_stores_path(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    repo = open_store(database_url())  # as the web app or another tool would write
    checkin(repo, LOCAL_PERSON, pain=6, stiffness=None, at=datetime.now(UTC))
    repo.engine.dispose()
    plan, loaded = plan_in_a_new_process()
    assert loaded and plan == store_plan()
    plan, loaded = plan_in_a_new_process()  # and that plan kept the facts again
    assert not loaded


def test_refresh_writes_only_when_the_file_is_behind(url: str, cat: Catalogue) -> None:
    repo = open_store(url)
    assert kept_facts.refresh(repo, lambda: cat, url, LOCAL_PERSON, now=NOW)
    assert kept(url, cat) is None  # no screen: the store's path asks for one
    take_screen(repo, LOCAL_PERSON, CLEAR, at=NOW)
    assert kept(url, cat) is None
    assert kept_facts.refresh(repo, lambda: cat, url, LOCAL_PERSON, now=NOW)
    assert kept(url, cat) == make_plan_for(repo, cat, LOCAL_PERSON, REQUEST, now=NOW)

    def unread() -> Catalogue:
        raise AssertionError("the facts are current: nothing to read")

    assert not kept_facts.refresh(repo, unread, url, LOCAL_PERSON, now=NOW)
    checkin(repo, LOCAL_PERSON, pain=5, stiffness=None, at=NOW)
    assert kept(url, cat) is None
    assert kept_facts.refresh(repo, lambda: cat, url, LOCAL_PERSON, now=NOW)
    assert kept(url, cat) == make_plan_for(repo, cat, LOCAL_PERSON, REQUEST, now=NOW)
    later = NOW + timedelta(days=1)
    assert kept_facts.refresh(repo, lambda: cat, url, LOCAL_PERSON, now=later)  # a new day
    assert kept(url, cat, at=later) == make_plan_for(repo, cat, LOCAL_PERSON, REQUEST, now=later)
    other = "postgresql://u@localhost/midback"
    assert not kept_facts.refresh(repo, unread, other, LOCAL_PERSON, now=NOW)


@pytest.mark.usefixtures("home")
def test_only_a_command_that_ended_well_keeps_facts_and_a_failure_there_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen_via_cli(tmp_path, red_flags=[RedFlag.CANCER_HISTORY.value])
    home = Path(os.environ["MIDBACK_HOME"])
    kept_file = next(home.glob("*" + kept_facts.SUFFIX))
    kept_file.unlink()
    runner = CliRunner()
    blocked = runner.invoke(app, PLAN_ARGS)  # opens the store, then refuses: exit 3
    assert blocked.exit_code == 3, blocked.output
    assert not kept_file.exists()

    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(kept_facts, "refresh", broken)
    checked = runner.invoke(app, ["checkin", "--pain", "3", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["morning_pain"] == 3
    assert not kept_file.exists()
