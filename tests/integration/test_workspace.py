"""The clinician's workspace on SQLite and PostgreSQL: the triage list of 500 people (ordering,
paging, search, each person's own target, pain change, scope), the programme builder (limits
refused naming the rule, doses inside the catalogue's range, a blocking screen, one active
programme, edit, end and history), and the scope each person grants (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from midback.domain.accounts import Role, Scope
from midback.domain.answers import Answers
from midback.domain.loader import catalogue
from midback.domain.programme import (
    Programme,
    ProgrammeDraft,
    ProgrammeError,
    ProgrammeItem,
    ProgrammeLimited,
)
from midback.domain.triage import SortKey
from midback.errors import NotFound
from midback.services import workspace
from midback.services.screening import take_screen
from midback.storage import SqlRepository, make_engine
from midback.storage.accounts import SqlAccounts
from midback.storage.tables import CheckInRow, LinkRow, PersonRow, SessionRow
from midback.storage.workspace_tables import WeeklyTargetRow

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CAT = catalogue()


class World:
    """A migrated store with its accounts and a clinician."""

    def __init__(self, url: str) -> None:
        from midback.storage.engine import upgrade

        self.engine = make_engine(url)
        upgrade(self.engine)
        self.repo = SqlRepository(self.engine)
        self.accounts = SqlAccounts(self.engine)
        self.clinician = self.accounts.create(
            "doc@example.org", "x", role=Role.CLINICIAN, at=NOW - timedelta(days=90)
        ).id

    def person(self, email: str, *, name: str | None = None) -> int:
        person = self.accounts.create(email, "x", role=Role.PERSON, at=NOW - timedelta(days=90))
        if name:
            self.accounts.set_display_name(person.id, name)
        return person.id

    def link(self, person: int, *, full: bool = False, earlier: bool = True,
             at: datetime = NOW - timedelta(days=60)) -> None:  # fmt: skip
        invite = self.accounts.new_invite(self.clinician, at, valid_for=timedelta(days=7))
        self.accounts.accept_invite(person, invite.code, at, full=full, include_earlier=earlier)

    def screen(self, person: int, **answers: object) -> None:
        base: dict[str, object] = {"age": 50, "pain_now": 3, "pain_duration_days": 10}
        take_screen(self.repo, person, Answers.model_validate({**base, **answers}),
                    at=NOW - timedelta(days=1))  # fmt: skip


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    made = World(database_url)
    yield made
    made.engine.dispose()


# -- triage ---------------------------------------------------------------------------------


def _many(world: World, count: int) -> list[int]:
    """``count`` linked people in a few bulk inserts: person i was last active i hours ago,
    completed i % 11 sessions in the last two weeks, and their pain moved by (i % 7) - 3."""
    with world.engine.begin() as db:
        db.execute(sa.insert(PersonRow), [
            {"email": f"p{i:03d}@example.org", "created_at": NOW - timedelta(days=90),
             "role": "person", "display_name": f"Patient {i:03d}"}
            for i in range(count)
        ])  # fmt: skip
        ids = dict(db.execute(sa.select(PersonRow.email, PersonRow.id)).all())
        people = [ids[f"p{i:03d}@example.org"] for i in range(count)]
        db.execute(sa.insert(LinkRow), [
            {"person_id": p, "clinician_id": world.clinician,
             "created_at": NOW - timedelta(days=60), "full": False, "since": None}
            for p in people
        ])  # fmt: skip
        sessions, checkins = [], []
        for i, p in enumerate(people):
            for n in range(i % 11):
                sessions.append({"person_id": p, "plan": {}, "started_at": NOW - timedelta(
                    hours=i + n * 24), "status": "completed"})  # fmt: skip
            sessions.append({"person_id": p, "plan": {}, "status": "quit",
                             "started_at": NOW - timedelta(days=20)})  # fmt: skip
            for day, pain in ((3, 4 + (i % 7) - 3), (20, 4)):
                when = NOW - timedelta(days=day, hours=1)
                checkins.append({"person_id": p, "day": when.date(), "morning_pain": pain,
                                 "at": when})  # fmt: skip
        db.execute(sa.insert(SessionRow), sessions)
        db.execute(sa.insert(CheckInRow), checkins)
    return people


def test_the_triage_list_of_500_people_sorts_and_pages_from_aggregates(world: World) -> None:
    people = _many(world, 500)
    page = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            sort=SortKey.LAST_ACTIVE, descending=True)  # fmt: skip
    assert (page.total, page.pages, len(page.rows)) == (500, 20, 25)
    # person i last completed a session i hours ago (when i % 11 > 0) and checked in 73 hours
    # ago: the later of the two counts; ties in name order
    expected = sorted(range(500), key=lambda i: (min(i if i % 11 else 999, 73), i))
    assert [r.person_id for r in page.rows] == [people[i] for i in expected[:25]]
    last = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            sort=SortKey.LAST_ACTIVE, descending=True, page=20)  # fmt: skip
    assert [r.person_id for r in last.rows] == [people[i] for i in expected[475:]]
    beyond = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                              sort=SortKey.LAST_ACTIVE, page=99)  # fmt: skip
    assert beyond.page == 20


def test_adherence_counts_against_each_persons_own_target(world: World) -> None:
    people = _many(world, 30)
    with world.engine.begin() as db:
        db.execute(sa.insert(WeeklyTargetRow), [
            {"person_id": people[10], "sessions": 1, "set_by": world.clinician, "set_at": NOW}
        ])  # fmt: skip
    rows = {r.person_id: r for r in workspace.triage(
        world.repo, world.accounts, CAT, world.clinician, now=NOW, sort=SortKey.ADHERENCE,
        descending=True).rows}  # fmt: skip
    # person 10 did 10 sessions in two weeks against 1 a week: 5 times the target, the top
    assert next(iter(rows)) == people[10]
    assert rows[people[10]].adherence == pytest.approx(10 / 2)
    assert rows[people[9]].adherence == pytest.approx(9 / 10)  # default 5 a week
    assert rows[people[9]].target_is_default and not rows[people[10]].target_is_default


def test_pain_change_compares_the_last_two_weeks_with_the_two_before(world: World) -> None:
    people = _many(world, 14)
    page = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            sort=SortKey.PAIN_CHANGE)  # fmt: skip
    changes = {r.person_id: r.pain_change for r in page.rows}
    assert changes[people[6]] == 3.0 and changes[people[0]] == -3.0
    assert page.rows[0].pain_change == 3.0  # worsening first by default


def test_search_finds_by_name_or_email_and_nobody_elses_patient(world: World) -> None:
    _many(world, 40)
    other = world.person("zed@example.org", name="Zed Unlinked")
    found = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                             query="patient 03")  # fmt: skip
    assert sorted(r.name for r in found.rows) == [f"Patient 03{i}" for i in range(10)]
    assert workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            query="P007@EXAMPLE").total == 1  # fmt: skip
    assert workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            query="zed").total == 0  # fmt: skip
    assert workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW,
                            query="100%_").total == 0  # fmt: skip
    assert other not in {r.person_id for r in found.rows}


def test_the_triage_row_hides_what_came_before_a_link_without_earlier_data(world: World) -> None:
    alice = world.person("alice@example.org")
    world.repo.add_checkin(alice, (NOW - timedelta(days=5)).date(), 6, None,
                           NOW - timedelta(days=5))  # fmt: skip
    world.link(alice, earlier=False, at=NOW - timedelta(days=2))
    (row,) = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW).rows
    assert (row.last_active, row.pain_recent) == (None, None)
    world.accounts.unlink(alice, world.clinician)
    world.link(alice, earlier=True, at=NOW - timedelta(days=1))
    (row,) = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW).rows
    assert row.pain_recent == 6.0 and row.last_active == NOW - timedelta(days=5)


def test_a_weekly_target_is_checked_and_only_for_a_linked_person(world: World) -> None:
    alice, bob = world.person("alice@example.org"), world.person("bob@example.org")
    world.link(alice)
    workspace.set_weekly_target(world.repo, world.accounts, world.clinician, alice, 3, now=NOW)
    (row,) = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW).rows
    assert row.weekly_target == 3
    with pytest.raises(workspace.TargetError, match="outside 1-14"):
        workspace.set_weekly_target(world.repo, world.accounts, world.clinician, alice, 15,
                                    now=NOW)  # fmt: skip
    with pytest.raises(NotFound):
        workspace.set_weekly_target(world.repo, world.accounts, world.clinician, bob, 3, now=NOW)


# -- the programme builder -----------------------------------------------------------------


def _draft(*items: ProgrammeItem, days: int = 3) -> ProgrammeDraft:
    return ProgrammeDraft(title="Back on track", days_per_week=days, items=list(items))


CAT_COW = ProgrammeItem(exercise_id="cat-cow", reps=10, note="Slowly, within comfort")
BRIDGE = ProgrammeItem(exercise_id="bridge", sets=2, reps=8, hold_s=5)


def _start(world: World, person: int, draft: ProgrammeDraft) -> Programme:
    return workspace.start_programme(world.repo, world.accounts, CAT, world.clinician, person,
                                     draft, now=NOW)  # fmt: skip


def test_an_exercise_the_persons_limits_rule_out_is_refused_naming_the_rule(world: World) -> None:
    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice, conditions=["osteoporosis"])
    with pytest.raises(ProgrammeLimited) as refused:
        _start(world, alice, _draft(CAT_COW, ProgrammeItem(exercise_id="crunch", sets=2,
                                                           reps=15)))  # fmt: skip
    assert refused.value.exercise_id == "crunch"
    assert refused.value.rule in str(refused.value) and "Crunch" in str(refused.value)
    assert workspace.my_programme(world.repo, world.accounts, alice) is None


def test_a_dose_outside_the_catalogues_range_is_refused(world: World) -> None:
    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice)
    with pytest.raises(ProgrammeError, match="reps: 20 is outside the range 5-15"):
        _start(world, alice, _draft(ProgrammeItem(exercise_id="bridge", reps=20, hold_s=5)))
    with pytest.raises(ProgrammeError, match="breaths: Cat-cow is not dosed in them"):
        _start(world, alice, _draft(ProgrammeItem(exercise_id="cat-cow", reps=10, breaths=3)))


def test_a_blocking_screen_refuses_a_programme_until_a_clinician_clears_it(world: World) -> None:
    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice, red_flags=["night_pain"])
    with pytest.raises(workspace.ProgrammeRefused, match="says doctor"):
        _start(world, alice, _draft(CAT_COW))
    world.screen(alice, red_flags=["chest_pain"])
    with pytest.raises(workspace.ProgrammeRefused, match="emergency is never cleared"):
        _start(world, alice, _draft(CAT_COW))
    bob = world.person("bob@example.org")
    world.link(bob)
    with pytest.raises(workspace.ProgrammeRefused, match="screen: Take the safety screen"):
        _start(world, bob, _draft(CAT_COW))


def test_one_programme_is_active_and_edits_and_ends_are_kept_in_its_history(world: World) -> None:
    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice)
    first = _start(world, alice, _draft(CAT_COW))
    second = _start(world, alice, _draft(CAT_COW, BRIDGE, days=4))
    active = workspace.my_programme(world.repo, world.accounts, alice)
    assert active is not None and active.id == second.id
    edited = workspace.edit_programme(world.repo, world.accounts, CAT, world.clinician,
                                      second.id, _draft(BRIDGE, days=2), now=NOW)  # fmt: skip
    assert (edited.version, edited.days_per_week, [i.exercise_id for i in edited.items]) == (
        2, 2, ["bridge"])  # fmt: skip
    ended = workspace.end_programme(world.repo, world.accounts, world.clinician, edited.id,
                                    now=NOW + timedelta(hours=1))  # fmt: skip
    assert not ended.active and ended.ended_at == NOW + timedelta(hours=1)
    assert workspace.my_programme(world.repo, world.accounts, alice) is None
    history = workspace.programmes_of(world.repo, world.accounts, world.clinician, alice)
    assert [p.id for p in history] == [second.id, first.id]
    assert [e.action.value for e in history[0].events] == ["started", "edited", "ended"]
    assert [e.action.value for e in history[1].events] == ["started", "ended"]
    assert history[0].events[0].snapshot.days_per_week == 4
    with pytest.raises(NotFound):
        workspace.end_programme(world.repo, world.accounts, world.clinician, edited.id, now=NOW)


def test_another_clinicians_patient_or_programme_is_not_found(world: World) -> None:
    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice)
    made = _start(world, alice, _draft(CAT_COW))
    other = world.accounts.create("other@example.org", "x", role=Role.CLINICIAN, at=NOW).id
    with pytest.raises(NotFound):
        workspace.start_programme(world.repo, world.accounts, CAT, other, alice,
                                  _draft(CAT_COW), now=NOW)  # fmt: skip
    with pytest.raises(NotFound):
        workspace.end_programme(world.repo, world.accounts, other, made.id, now=NOW)
    with pytest.raises(NotFound):
        workspace.programmes_of(world.repo, world.accounts, other, alice)


def test_a_course_running_refuses_a_programme(world: World) -> None:
    from midback.domain.plans import PlanRequest
    from midback.domain.vocab import Place
    from midback.services.courses import start_course

    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice)
    start_course(world.repo, CAT, alice, PlanRequest(minutes=15, place=Place.HOME), now=NOW)
    with pytest.raises(workspace.ProgrammeRefused, match="following a course"):
        _start(world, alice, _draft(CAT_COW))


def test_the_players_plan_is_the_active_programme_with_its_notes(world: World) -> None:
    alice, bob = world.person("alice@example.org"), world.person("bob@example.org")
    world.link(alice)
    world.screen(alice)
    made = _start(world, alice, _draft(CAT_COW, BRIDGE))
    plan = workspace.programme_plan(world.repo, world.accounts, CAT, alice, made.id, now=NOW)
    assert [(b.exercise_id, b.note) for b in plan.blocks] == [
        ("cat-cow", "Slowly, within comfort"), ("bridge", None)]  # fmt: skip
    assert plan.blocks[1].dose.sets == 2 and plan.blocks[1].dose.reps == 8
    with pytest.raises(NotFound):
        workspace.programme_plan(world.repo, world.accounts, CAT, bob, made.id, now=NOW)
    world.screen(alice, red_flags=["fever"])  # a later blocking screen stops it being played
    from midback.errors import ScreenBlocked

    with pytest.raises(ScreenBlocked):
        workspace.programme_plan(world.repo, world.accounts, CAT, alice, made.id, now=NOW)


# -- consent ------------------------------------------------------------------------------------


def test_the_scope_is_what_the_person_chose_and_ends_with_the_link(world: World) -> None:
    alice = world.person("alice@example.org")
    at = NOW - timedelta(days=2)
    world.link(alice, full=True, earlier=False, at=at)
    assert workspace.scope_for(world.accounts, world.clinician, alice) == Scope(full=True, since=at)
    (clinician,) = world.accounts.clinicians(alice)
    assert clinician.scope.label == "full record, from linking on"
    world.accounts.unlink(alice, world.clinician)
    with pytest.raises(NotFound):
        workspace.scope_for(world.accounts, world.clinician, alice)


def test_the_summary_history_holds_only_what_the_scope_shows(world: World) -> None:
    alice = world.person("alice@example.org")
    for days in (10, 1):
        when = NOW - timedelta(days=days)
        world.repo.add_checkin(alice, when.date(), 7 if days == 10 else 3, None, when)
    world.link(alice, earlier=False, at=NOW - timedelta(days=5))
    scope = workspace.scope_for(world.accounts, world.clinician, alice)
    hidden = workspace.scoped_history(world.repo, alice, scope, today=NOW.date(),
                                      weekly_target=None)  # fmt: skip
    shown = workspace.scoped_history(world.repo, alice, Scope(), today=NOW.date(),
                                     weekly_target=None)  # fmt: skip
    pains = [w.average_pain for w in hidden.weeks if w.average_pain is not None]
    assert pains == [3.0]
    assert 7.0 in [w.average_pain for w in shown.weeks]


def test_alerts_are_counted_per_person_within_what_they_share(world: World) -> None:
    alice, bob = world.person("alice@example.org"), world.person("bob@example.org")
    world.screen(alice, red_flags=["chest_pain"])  # a day before NOW
    world.screen(bob, red_flags=["chest_pain"])
    world.link(alice, earlier=True, at=NOW - timedelta(hours=2))
    world.link(bob, earlier=False, at=NOW - timedelta(hours=2))
    rows = {r.person_id: r for r in workspace.triage(
        world.repo, world.accounts, CAT, world.clinician, now=NOW).rows}  # fmt: skip
    assert rows[alice].alerts >= 1
    assert rows[bob].alerts == 0  # his emergency came before the link he shares from
    chest = Answers(age=50, pain_now=3, pain_duration_days=10, red_flags=["chest_pain"])
    take_screen(world.repo, bob, chest, at=NOW - timedelta(hours=1))
    page = workspace.triage(world.repo, world.accounts, CAT, world.clinician, now=NOW)
    assert page.rows[0].alerts >= 1 and {r.person_id for r in page.rows if r.alerts} == {
        alice, bob}  # fmt: skip


def test_deleting_a_person_leaves_no_workspace_row_of_theirs(world: World) -> None:
    from midback.domain.measures import Activity, Psfs, Timepoint

    alice = world.person("alice@example.org")
    world.link(alice)
    world.screen(alice)
    _start(world, alice, _draft(CAT_COW))
    workspace.set_weekly_target(world.repo, world.accounts, world.clinician, alice, 3, now=NOW)
    workspace.answer_outcomes(world.repo, world.accounts, alice, Timepoint.START,
                              Psfs(activities=[Activity(name="Lifting", score=4)]), None,
                              now=NOW)  # fmt: skip
    world.accounts.delete(alice)
    with world.engine.connect() as db:
        for table in ("programmes", "weekly_targets", "outcome_measures"):
            count = db.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE person_id = :p"),
                               {"p": alice}).scalar_one()  # fmt: skip
            assert count == 0, table
        assert db.execute(sa.text("SELECT COUNT(*) FROM programme_events")).scalar_one() == 0
