"""Screening use cases: take and keep a safety screen, read the current one (30 days), and the
checks that depend on it (the screen's limits on a request, the pain right now, a plan file).

The gate that every plan passes is ``services.planning.screened_request``; it reads here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from midback.domain.answers import Answers
from midback.domain.plans import Plan, PlanRequest
from midback.domain.safety import ScreenResult, Verdict, screen
from midback.domain.vocab import Place

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.storage.repository import Repository


@dataclass(frozen=True)
class StoredScreen:
    """The person's last stored screen and when they took it."""

    result: ScreenResult
    at: datetime


def apply_screen(request: PlanRequest, result: ScreenResult) -> PlanRequest:
    """``request`` within the limits ``result`` sets: its conditions (derived ones included),
    the weeks of pregnancy and a gentle session for irritable pain. Clearance lifts none."""
    update: dict[str, object] = {}
    conditions = request.conditions | set(result.conditions)
    if conditions != request.conditions:
        update["conditions"] = conditions
    if result.pregnancy_weeks is not None and request.pregnancy_weeks is None:
        update["pregnancy_weeks"] = result.pregnancy_weeks
    if result.gentle and not request.gentle:
        update["gentle"] = True
    return request.model_copy(update=update) if update else request  # frozen: safe to share


def session_request(request: PlanRequest, *, pain_before: int | None) -> PlanRequest:
    """``request`` for a session about to start, after asking the pain right now.

    Pain of 8/10 or more raises PainTooHigh (not a day to exercise on your own); 6 or 7 makes
    the session gentle (irritable pain: gentle movement and short, pain-free doses).
    """
    from midback.domain.safety import GENTLE_PAIN_FROM, SEVERE_PAIN_FROM
    from midback.errors import PainTooHigh

    if pain_before is None:
        return request
    if pain_before >= SEVERE_PAIN_FROM:
        raise PainTooHigh(pain_before, PAIN_TOO_HIGH.format(pain=pain_before))
    if pain_before >= GENTLE_PAIN_FROM:
        return request.model_copy(update={"gentle": True})
    return request


def is_gentle(pain_before: int | None) -> bool:
    """Whether a pain before the session of 6 or 7 calls for a gentle session."""
    from midback.domain.safety import GENTLE_PAIN_FROM, SEVERE_PAIN_FROM

    return pain_before is not None and GENTLE_PAIN_FROM <= pain_before < SEVERE_PAIN_FROM


def pain_note(pain_before: int | None) -> str | None:
    """What to tell the person when their pain before a session made it gentle, else None."""
    from midback.domain.safety import GENTLE_NOTE, GENTLE_PAIN_FROM, SEVERE_PAIN_FROM

    if pain_before is None or not GENTLE_PAIN_FROM <= pain_before < SEVERE_PAIN_FROM:
        return None
    return GENTLE_NOTE.format(pain=pain_before)


PAIN_TOO_HIGH = (
    "Your pain is {pain}/10 right now: today is not a day to exercise on your own. Rest, move "
    "gently around the house, and use what usually eases it. If it stays this bad, keeps you "
    "awake, or new symptoms appear, see the guide's page 'When to see a doctor' and contact "
    "your doctor."
)


def current_screen(repo: Repository, person_id: int, *, now: datetime) -> ScreenResult:
    """The person's stored screen; ScreenRequired when there is none or it is over 30 days old."""
    return _current(stored_screen(repo, person_id), now)


def _current(stored: StoredScreen | None, now: datetime) -> ScreenResult:
    """``stored``'s result; ScreenRequired when there is none or it is over 30 days old."""
    from midback.domain.safety import check_current

    check_current(stored.at if stored else None, now)
    assert stored is not None  # check_current raised otherwise
    return stored.result


def check_plan(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    plan: Plan,
    *,
    now: datetime,
    cleared: bool = False,
) -> None:
    """Check a plan made earlier (a file to print) against the person's current screen.

    Raises ScreenRequired or ScreenBlocked like ``screened_request``, and PlanError naming the
    first block that the screen's limits now rule out (a condition added since, say).
    """
    from midback.domain.candidates import allows
    from midback.errors import PlanError
    from midback.services import clinical

    stored = stored_screen(repo, person_id)
    result = _current(stored, now)
    cleared = clinical.check_allowed_for(
        repo,
        person_id,
        result,
        screen_at=stored.at if stored else None,
        self_tick=cleared,
        now=now,
        record=False,
    )
    limits = apply_screen(PlanRequest(minutes=1, place=Place.HOME, cleared=cleared), result)
    for number, block in enumerate(plan.blocks, 1):
        if not allows(cat.exercise(block.exercise_id), block.variant, limits):
            raise PlanError(
                f"exercise {number} ({block.name}) is ruled out by your safety screen; "
                "make a new plan with `midback plan`"
            )


def latest_screen(repo: Repository, person_id: int) -> ScreenResult | None:
    """The person's last stored screen result, if any."""
    stored = stored_screen(repo, person_id)
    return stored.result if stored else None


def stored_screen(repo: Repository, person_id: int) -> StoredScreen | None:
    """The person's last stored screen and when it was taken, if any."""
    record = repo.latest_screen(person_id)
    if record is None:
        return None
    return StoredScreen(ScreenResult.model_validate(record.result), record.at)


def save_screen(
    repo: Repository, person_id: int, answers: Answers, result: ScreenResult, at: datetime
) -> None:
    """Keep a screen so later sessions know the verdict and conditions."""
    repo.save_screen(
        person_id, answers.model_dump(mode="json"), result.verdict.value, result.to_json(), at
    )


def take_screen(
    repo: Repository, person_id: int, answers: Answers, *, at: datetime
) -> ScreenResult:
    """Screen ``answers`` and store the result: the gate of every later plan for 30 days."""
    result = screen(answers)
    save_screen(repo, person_id, answers, result, at)
    return result


def lifts_refusal(
    repo: Repository, person_id: int, verdict: Verdict, *, self_tick: bool, now: datetime
) -> bool:
    """Whether the person's stored urgent or doctor verdict is lifted: by a linked clinician's
    clearance of that screen, or by the person's own tick where no clinician is linked."""
    from midback.services.clinical import lifts

    stored = stored_screen(repo, person_id)
    screen_at = stored.at if stored else None
    return lifts(repo, person_id, verdict, screen_at=screen_at, self_tick=self_tick, now=now)
