"""Clinical safety for a clinician's linked patients: alerts derived from the records, and
who may lift a blocking screen verdict.

Everything here is pure: the records come in, alerts and decisions come out. Alerts are never
stored; only their acknowledgement is (who, when), so a read never writes and an alert can
neither go stale nor be lost: it exists while the record that raises it does.

Who lifts a blocking verdict (``decide``), as a physiotherapist would:

- ``emergency`` (chest pain, breathlessness, signs of cord compression, ...) is lifted by
  nobody, the clinician included: the person needs emergency care now, not a remote sign-off,
  and once they have been seen, a new screen (without the symptoms) replaces it. The clinician
  sees the alert and acknowledges it; the screen keeps refusing plans.
- ``urgent`` and ``doctor`` are lifted by a linked clinician's clearance of that very screen
  (recorded: who, when, which screen, until when). Where a clinician is linked the person's own
  tick ("my doctor or physiotherapist has cleared me") lifts nothing: it is recorded as a
  self-clearance and raises an alert. Where none is linked the tick lifts it as before, and is
  recorded as self-cleared so it shows in the record.
- A clearance lifts the refusal only: the screen's conditions, pregnancy and irritability still
  limit every plan (``services.apply_screen``), whoever cleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, ValidationError

from midback.domain.records import CheckIn, ExerciseLog, ScreenRecord, SessionRecord
from midback.domain.safety import Verdict

ALERT_WINDOW_DAYS: Final = 90
"""Sessions, logs, check-ins and self-clearances older than this raise no alert (the latest
screen raises one whatever its age)."""
QUIT_PAIN_FROM: Final = 6
"""A quit session with pain at or above this (during an exercise or after) raises an alert:
6/10 is where midback already makes sessions gentle (irritable pain)."""
PAIN_RISE_POINTS: Final = 2.0
"""A rise of this many points on the 0-10 scale over two weeks raises an alert. A default
from the literature on the smallest important change of a 0-10 numeric rating scale: about
2 points (Farrar et al. 2001, Pain 94; Childs et al. 2005, Spine 30, found 2 points in low
back pain). A clinician may want another threshold; this is where it is set."""
PAIN_RISE_DAYS: Final = 14
"""The pain rise compares the average of the last 7 days with the 7 days before them."""
PAIN_RISE_MIN_READINGS: Final = 2
"""Each of the two weeks needs this many pain readings, so one bad morning raises nothing."""
NOTE_SHOWN: Final = 200
"""How much of a person's note an alert quotes (the session shows all of it)."""

SELF_CLEARED_LINKED: Final = (
    "You are linked to a clinician: they clear you to exercise from their page. Your own tick "
    "was recorded and they have been told."
)
"""Why a person's own tick lifted nothing (for the gate's refusal)."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Clearance(_Value):
    """A clinician's clearance of one screen: it lifts that screen's urgent or doctor verdict
    until ``expires_at`` (None: for as long as the screen counts) unless revoked."""

    id: int
    person_id: int
    clinician_id: int
    screen_id: int
    at: datetime
    expires_at: datetime | None = None
    note: str | None = None
    revoked_at: datetime | None = None

    def in_force(self, now: datetime) -> bool:
        """Whether it lifts the verdict at ``now``."""
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or now < self.expires_at


class SelfClearance(_Value):
    """A person's own tick of "my doctor or physiotherapist has cleared me" on a blocking
    screen; ``linked``: a clinician was linked then, so it lifted nothing."""

    id: int
    person_id: int
    screen_id: int
    at: datetime
    linked: bool


class Ack(_Value):
    """A clinician's acknowledgement of one alert (``key``)."""

    person_id: int
    clinician_id: int
    key: str
    at: datetime


class ClinicalNote(_Value):
    """A note a clinician wrote about a patient; never shown to the patient."""

    id: int
    person_id: int
    clinician_id: int
    at: datetime
    text: str


class AlertKind(StrEnum):
    """What raised an alert."""

    SCREEN = "screen"
    """The latest screen says emergency, urgent or see a doctor."""
    SELF_CLEARED = "self_cleared"
    """The person cleared themselves (their own tick, or "a clinician has examined me")."""
    HURT = "hurt"
    """The person pressed "it hurts" and stopped an exercise."""
    QUIT_PAIN = "quit_pain"
    """The person quit a session with pain of 6/10 or more."""
    NOTE = "note"
    """The person wrote a note on a session they quit or where something hurt."""
    PAIN_RISE = "pain_rise"
    """Pain rose 2 points or more over two weeks."""


class Alert(_Value):
    """Something a clinician should look at, with the record that raised it."""

    key: str
    """Stable while the record stands (``screen:12``, ``hurt:40``...): what an ack names."""
    person_id: int
    kind: AlertKind
    urgent: bool
    """Emergency or urgent screens: listed first and marked."""
    at: datetime
    """When the event happened."""
    title: str
    detail: str
    evidence: str
    """Where the record is: an anchor of the patient page (``#session-3``, ``#screen-2``)."""
    acknowledged: Ack | None = None


@dataclass(frozen=True)
class Facts:
    """What the alert rules read of one person (the store gathers it, for many at once)."""

    person_id: int
    latest_screen: ScreenRecord | None
    screens: list[ScreenRecord]
    """Screens in the window (for the "examined by a clinician" self-clearance)."""
    sessions: list[SessionRecord]
    """Sessions a rule can use (the store may leave out the others: completed, without a note,
    outside the two weeks of the pain rise)."""
    logs: list[ExerciseLog]
    """Logs a rule can use (the store may leave out those that neither hurt nor reached
    ``QUIT_PAIN_FROM``)."""
    checkins: list[CheckIn]
    self_clearances: list[SelfClearance]


_SCREEN_TITLES: Final = {
    Verdict.EMERGENCY: "Screen: emergency",
    Verdict.URGENT: "Screen: urgent (a doctor today)",
    Verdict.DOCTOR: "Screen: see a doctor",
}


def alerts(
    facts: Facts,
    *,
    now: datetime,
    acks: dict[str, Ack] | None = None,
    names: dict[str, str] | None = None,
) -> list[Alert]:
    """Every alert ``facts`` raise, urgent first then newest first, each with its ack if any.

    ``names`` turns exercise ids into names for the words; ``acks`` are by alert key.
    """
    acks = acks or {}
    names = names or {}
    since = now - timedelta(days=ALERT_WINDOW_DAYS)
    found = [
        *_screen_alerts(facts),
        *_self_cleared_alerts(facts, since),
        *_session_alerts(facts, since, names),
        *_pain_rise_alerts(facts, now),
    ]
    found = [a.model_copy(update={"acknowledged": acks.get(a.key)}) for a in found]
    found.sort(key=lambda a: a.at, reverse=True)
    found.sort(key=lambda a: not a.urgent)
    return found


def open_only(found: list[Alert]) -> list[Alert]:
    """The alerts nobody acknowledged."""
    return [a for a in found if a.acknowledged is None]


def _screen_alerts(facts: Facts) -> list[Alert]:
    screen = facts.latest_screen
    if screen is None:
        return []
    try:
        verdict = Verdict(screen.verdict)
    except ValueError:
        return []
    if verdict not in _SCREEN_TITLES:
        return []
    reasons = screen.result.get("reasons")
    words = [str(r.get("message", "")) for r in reasons if isinstance(r, dict)] if isinstance(
        reasons, list) else []  # fmt: skip
    return [
        Alert(
            key=f"screen:{screen.id}",
            person_id=facts.person_id,
            kind=AlertKind.SCREEN,
            urgent=verdict in (Verdict.EMERGENCY, Verdict.URGENT),
            at=screen.at,
            title=_SCREEN_TITLES[verdict],
            detail=" ".join(words) or verdict.value,
            evidence=f"#screen-{screen.id}",
        )
    ]


def _self_cleared_alerts(facts: Facts, since: datetime) -> list[Alert]:
    found = [
        Alert(
            key=f"self_cleared:{mark.id}",
            person_id=facts.person_id,
            kind=AlertKind.SELF_CLEARED,
            urgent=False,
            at=mark.at,
            title="Cleared themselves",
            detail=(
                "Ticked \u201cmy doctor or physiotherapist has cleared me\u201d on a blocking "
                "screen" + (" (it lifted nothing: you clear them)." if mark.linked else ".")
            ),
            evidence=f"#screen-{mark.screen_id}",
        )
        for mark in facts.self_clearances
        if mark.at >= since
    ]
    for screen in facts.screens:
        if screen.at >= since and self_assessed_lifted(screen):
            found.append(
                Alert(
                    key=f"self_assessed:{screen.id}",
                    person_id=facts.person_id,
                    kind=AlertKind.SELF_CLEARED,
                    urgent=False,
                    at=screen.at,
                    title="Cleared themselves on the screen",
                    detail=(
                        f"Answered that a clinician had examined their back; without that "
                        f"answer the screen would have said \u201c{self_assessed_lifted(screen)}"
                        "\u201d."
                    ),
                    evidence=f"#screen-{screen.id}",
                )
            )
    return found


def self_assessed_lifted(screen: ScreenRecord) -> str | None:
    """The blocking verdict the screen would have given had the person not answered "a
    clinician has examined my back" (None: that answer changed nothing that blocks)."""
    from midback.domain.answers import Answers
    from midback.domain.safety import BLOCKING
    from midback.domain.safety import screen as run_screen

    if screen.answers.get("assessed_by_clinician") is not True:
        return None
    try:
        without = run_screen(
            Answers.model_validate({**screen.answers, "assessed_by_clinician": False})
        )
    except (ValidationError, ValueError):
        return None
    given = screen.verdict
    if without.verdict in BLOCKING and without.verdict.value != given:
        return without.verdict.value
    return None


def _session_alerts(facts: Facts, since: datetime, names: dict[str, str]) -> list[Alert]:
    found: list[Alert] = []
    by_session: dict[int, list[ExerciseLog]] = {}
    for log in facts.logs:
        by_session.setdefault(log.session_id, []).append(log)
    for log in facts.logs:
        if log.status.value != "stopped_for_pain" or log.logged_at < since:
            continue
        pain = f" at pain {log.pain}/10" if log.pain is not None else ""
        found.append(
            Alert(
                key=f"hurt:{log.id}",
                person_id=facts.person_id,
                kind=AlertKind.HURT,
                urgent=False,
                at=log.logged_at,
                title="Pressed \u201cit hurts\u201d",
                detail=f"Stopped {names.get(log.exercise_id, log.exercise_id)}{pain}.",
                evidence=f"#session-{log.session_id}",
            )
        )
    for session in facts.sessions:
        if session.started_at < since:
            continue
        logs = by_session.get(session.id, [])
        pains = [p for p in (session.pain_after, *(log.pain for log in logs)) if p is not None]
        quit = session.status.value == "quit"
        top = max(pains, default=None)
        at = session.ended_at or session.started_at
        if quit and top is not None and top >= QUIT_PAIN_FROM:
            found.append(
                Alert(
                    key=f"quit_pain:{session.id}",
                    person_id=facts.person_id,
                    kind=AlertKind.QUIT_PAIN,
                    urgent=False,
                    at=at,
                    title=f"Quit a session with pain {top}/10",
                    detail=_session_words(session, logs),
                    evidence=f"#session-{session.id}",
                )
            )
        hurt = any(log.status.value == "stopped_for_pain" for log in logs)
        note = (session.note or "").strip()
        if note and (quit or hurt):
            shown = note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1] + "\u2026"
            found.append(
                Alert(
                    key=f"note:{session.id}",
                    person_id=facts.person_id,
                    kind=AlertKind.NOTE,
                    urgent=False,
                    at=at,
                    title="Wrote a note on a session that " + ("they quit" if quit else "hurt"),
                    detail=f"\u201c{shown}\u201d",
                    evidence=f"#session-{session.id}",
                )
            )
    return found


def _session_words(session: SessionRecord, logs: list[ExerciseLog]) -> str:
    hurt = sum(1 for log in logs if log.status.value == "stopped_for_pain")
    parts = [f"{hurt} exercise(s) stopped for pain"] if hurt else []
    if session.pain_before is not None:
        parts.append(f"pain before {session.pain_before}/10")
    if session.pain_after is not None:
        parts.append(f"pain after {session.pain_after}/10")
    return ("; ".join(parts) or "Quit") + "."


@dataclass(frozen=True)
class PainRise:
    """The two weeks' average pain, when both have enough readings."""

    earlier: float
    later: float

    @property
    def change(self) -> float:
        return self.later - self.earlier


def pain_rise(facts: Facts, *, today: date) -> PainRise | None:
    """Average pain (morning check-ins and pain before sessions) of the 7 days ending
    ``today`` against the 7 days before them; None when either week has too few readings."""
    start = today - timedelta(days=PAIN_RISE_DAYS - 1)
    middle = today - timedelta(days=PAIN_RISE_DAYS // 2 - 1)
    readings: list[tuple[date, int]] = [(c.day, c.morning_pain) for c in facts.checkins]
    readings += [
        (s.started_at.date(), s.pain_before) for s in facts.sessions if s.pain_before is not None
    ]
    earlier = [p for day, p in readings if start <= day < middle]
    later = [p for day, p in readings if middle <= day <= today]
    if min(len(earlier), len(later)) < PAIN_RISE_MIN_READINGS:
        return None
    return PainRise(sum(earlier) / len(earlier), sum(later) / len(later))


def _pain_rise_alerts(facts: Facts, now: datetime) -> list[Alert]:
    today = now.date()
    rise = pain_rise(facts, today=today)
    if rise is None or rise.change < PAIN_RISE_POINTS:
        return []
    year, week, _ = today.isocalendar()
    return [
        Alert(
            key=f"pain_rise:{year}-W{week:02d}",
            person_id=facts.person_id,
            kind=AlertKind.PAIN_RISE,
            urgent=False,
            at=now,
            title=f"Pain rose {rise.change:.1f} points over two weeks",
            detail=(
                f"Average {rise.earlier:.1f}/10 the week before last, {rise.later:.1f}/10 this "
                f"week (an alert from a rise of {PAIN_RISE_POINTS:.0f} points)."
            ),
            evidence="#pain",
        )
    ]


@dataclass(frozen=True)
class Decision:
    """Whether a screen's refusal is lifted, and by what."""

    lifted: bool
    clearance: Clearance | None = None
    """The clinician's clearance that lifts it."""
    self_cleared: bool = False
    """The person's own tick counted (no clinician linked) or was recorded (one linked)."""


def decide(
    verdict: Verdict,
    *,
    clearances: list[Clearance],
    linked: bool,
    self_tick: bool,
    now: datetime,
) -> Decision:
    """Whether a screen with ``verdict`` is lifted (see the module's rules).

    ``clearances`` are those of this screen; ``linked``: the person has a clinician.
    """
    if verdict is Verdict.EMERGENCY or verdict not in (Verdict.URGENT, Verdict.DOCTOR):
        return Decision(lifted=False)
    for clearance in sorted(clearances, key=lambda c: c.at, reverse=True):
        if clearance.in_force(now):
            return Decision(lifted=True, clearance=clearance, self_cleared=self_tick)
    if self_tick:
        return Decision(lifted=not linked, self_cleared=True)
    return Decision(lifted=False)
