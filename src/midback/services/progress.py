"""Progress use cases: each exercise's outcomes, their replay on its ladder from a checkpoint
of settled days (``progress``, a read), and on a write (``refresh``: a session finished) the
checkpoint moved on and the steps stored in the progression table.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from midback.services.clock import zone_for

if TYPE_CHECKING:  # loaded where used, keeping `midback plan` quick to start
    from midback.domain.catalogue import Catalogue
    from midback.domain.progression import Outcome, Replay, Standing
    from midback.domain.records import CheckIn, ExerciseLog, ProgressCheckpoint, SessionRecord
    from midback.storage.repository import Repository


def outcomes(
    sessions: list[SessionRecord],
    logs: list[ExerciseLog],
    checkins: list[CheckIn],
    *,
    zone: tzinfo | None = None,
) -> dict[str, list[Outcome]]:
    """Each exercise's outcomes in session order, with the check-ins around each session: the
    last one before it started, and the one of the next morning.

    Logs whose session is not in ``sessions`` are left out.
    """
    from midback.domain.history import local_day
    from midback.domain.progression import Outcome
    from midback.domain.records import LogStatus

    by_id = {s.id: s for s in sessions}
    days = sorted(checkins, key=lambda c: (c.day, c.at))
    day_keys = [c.day for c in days]
    morning = {c.day: c.morning_pain for c in days}
    around: dict[int, tuple[date, int | None, int | None]] = {}
    found: dict[str, list[Outcome]] = {}
    mine = [(by_id[log.session_id], log) for log in logs if log.session_id in by_id]
    mine.sort(key=lambda pair: (pair[0].started_at, pair[0].id, pair[1].logged_at, pair[1].id))
    for session, log in mine:
        if session.id not in around:
            # Check-ins up to the session's day are days[:cut]; the last one begun before it wins.
            day = local_day(session.started_at, zone)
            earlier = bisect_right(day_keys, day) - 1
            while earlier >= 0 and days[earlier].at > session.started_at:
                earlier -= 1
            around[session.id] = (
                day,
                days[earlier].morning_pain if earlier >= 0 else None,
                morning.get(day + timedelta(days=1)),
            )
        day, morning_before, morning_after = around[session.id]
        completed = log.status is LogStatus.COMPLETED
        found.setdefault(log.exercise_id, []).append(
            Outcome(
                at=log.logged_at,
                completed=completed,
                at_target=completed and log.actual == log.target,
                stopped_for_pain=log.status is LogStatus.STOPPED_FOR_PAIN,
                pain=log.pain if log.pain is not None else session.pain_after,
                morning_before=morning_before,
                morning_after=morning_after,
                day=day,
                effort=log.effort,
            )
        )
    return found


SETTLED_AFTER = timedelta(days=2)
"""A session's outcomes are final once its next morning has passed: its day is at least this
far behind today (a check-in is only ever for today)."""


def progress(repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> list[Standing]:
    """Every exercise the person has done, with its step and the reason for it (a read).

    Replays only the sessions after the stored checkpoint of settled days (``refresh`` moves it
    on, on writes). The repository drops the checkpoint when a write reaches back into the days
    it covers (a late log, an old session finished, a check-in, an import), so the answer is
    always that of a replay of the whole history.
    """
    return _replay(repo, cat, person_id, now)[0]


def refresh(repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> None:
    """After a write (a session finished): move the checkpoint on to the settled days (at most
    once a day) and store each exercise's changed step in the progression table."""
    standings, states, settled, since = _replay(repo, cat, person_id, now)
    if since is None or since < settled:
        _save_checkpoint(repo, person_id, settled, states, now)
    save_progress(repo, person_id, standings, now)


@dataclass(frozen=True)
class ReplayBase:
    """What a replay reads of a person apart from their check-ins (``replay_base``): kept
    while the person's base revision stays the same (``Repository.person_state``), so a
    check-in reads only the check-ins again (``replay_checkins``)."""

    zone: tzinfo | None
    settled: date
    """The last settled day (``SETTLED_AFTER``)."""
    since: date | None
    """The end of the checkpoint used; None: replayed from the start."""
    starts: dict[str, Replay]
    """Each exercise's replay up to ``since`` (the checkpoint's; empty without one)."""
    sessions: list[SessionRecord]
    """The sessions of the days after ``since``."""
    logs: list[ExerciseLog]
    """Their logs."""


def replay_base(repo: Repository, cat: Catalogue, person_id: int, *, now: datetime) -> ReplayBase:
    """What the replay of the person's progress at ``now`` reads apart from check-ins."""
    zone = zone_for(repo, person_id)
    settled = now.astimezone(zone).date() - SETTLED_AFTER
    saved = repo.progress_checkpoint(person_id)
    starts = _checkpoint_starts(saved, cat, settled)
    since = saved.until if saved is not None and starts is not None else None
    if since is None:
        sessions = repo.list_sessions(person_id, plans=False)
        logs = repo.logs_for_person(person_id)
    else:
        start = datetime.combine(since + timedelta(days=1), time(), tzinfo=zone)
        from_ = (start if zone is not None else start.astimezone()).astimezone(UTC)
        sessions = repo.list_sessions(person_id, since=from_, plans=False)
        logs = repo.logs_for_person(person_id, since=from_)
    return ReplayBase(zone, settled, since, starts or {}, sessions, logs)


def replay_checkins(repo: Repository, person_id: int, base: ReplayBase) -> list[CheckIn]:
    """The check-ins that bear on the sessions of ``base``: from the last one on or before
    the checkpoint's end (all without a checkpoint)."""
    if base.since is None:
        return repo.checkins(person_id)
    checkins = repo.checkins(person_id, since=base.since + timedelta(days=1))
    before = repo.last_checkin(person_id, on_or_before=base.since)
    return [before, *checkins] if before is not None else checkins


def standings(
    cat: Catalogue, base: ReplayBase, checkins: list[CheckIn]
) -> tuple[list[Standing], dict[str, Replay]]:
    """Every exercise's standing, replayed from ``base`` with ``checkins`` (pure), and the
    replay state of the settled days."""
    from midback.domain.progression import replay, standing

    settled = base.settled
    found = outcomes(base.sessions, base.logs, checkins, zone=base.zone)
    states = dict(base.starts)
    result = []
    for exercise_id, items in sorted(found.items()):
        exercise = cat.exercises.get(exercise_id)
        if exercise is None:
            continue
        start = states.get(exercise_id)
        done = [o for o in items if o.day is not None and o.day <= settled]
        if done:
            start = states[exercise_id] = replay(exercise, done, start)
        result.append(standing(exercise, items[len(done) :], start))
    held = {s.exercise_id for s in result}
    for exercise_id in sorted(set(states) - held):
        exercise = cat.exercises.get(exercise_id)
        if exercise is not None:
            result.append(standing(exercise, [], states[exercise_id]))
    return sorted(result, key=lambda s: s.exercise_id), states


def _replay(
    repo: Repository, cat: Catalogue, person_id: int, now: datetime
) -> tuple[list[Standing], dict[str, Replay], date, date | None]:
    """The standings, the replay state of the settled days, those days' end, and the end of
    the checkpoint used (None: replayed from the start)."""
    base = replay_base(repo, cat, person_id, now=now)
    found, states = standings(cat, base, replay_checkins(repo, person_id, base))
    return found, states, base.settled, base.since


def _checkpoint_starts(
    saved: ProgressCheckpoint | None, cat: Catalogue, settled: date
) -> dict[str, Replay] | None:
    """The saved replay per exercise, or None when there is none or it cannot be used (another
    rule version, a changed ladder, a day not settled yet, malformed)."""
    from midback.domain.progression import REPLAY_VERSION, Replay, exercise_ladder_key

    if saved is None or saved.version != REPLAY_VERSION or saved.until > settled:
        return None
    starts = {}
    for exercise_id, data in saved.states.items():
        exercise = cat.exercises.get(exercise_id)
        if exercise is None:
            continue
        try:
            state = Replay.from_json(data if isinstance(data, dict) else {})
        except (KeyError, TypeError, ValueError):
            return None
        if state.ladder != exercise_ladder_key(exercise):
            return None
        starts[exercise_id] = state
    return starts


def _save_checkpoint(
    repo: Repository, person_id: int, until: date, states: dict[str, Replay], now: datetime
) -> None:
    from midback.domain.progression import REPLAY_VERSION
    from midback.domain.records import ProgressCheckpoint

    repo.save_progress_checkpoint(
        ProgressCheckpoint(
            person_id=person_id,
            until=until,
            version=REPLAY_VERSION,
            states={exercise_id: state.to_json() for exercise_id, state in states.items()},
            saved_at=now,
        )
    )


def save_progress(
    repo: Repository, person_id: int, standings: list[Standing], at: datetime
) -> None:
    """Store each exercise's step (the progression table) where it changed."""
    from midback.domain.records import ProgressionStep

    held = repo.progression(person_id)
    for s in standings:
        old = held.get(s.exercise_id)
        if old is None or old.step != s.step or old.reason != s.reason:
            repo.set_progression(
                person_id,
                ProgressionStep(
                    person_id=person_id,
                    exercise_id=s.exercise_id,
                    step=s.step,
                    reason=s.reason,
                    updated_at=at,
                ),
            )
