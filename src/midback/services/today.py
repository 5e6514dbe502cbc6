"""Today's session for a person: their course's session when they follow a course, else a plan
from the choices they made last time. Nothing is stored (a read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from midback.domain.catalogue import Catalogue
from midback.domain.plans import Plan, PlanRequest

if TYPE_CHECKING:
    from midback.services.store import Repository


@dataclass(frozen=True)
class TodaySession:
    """What the home page offers a returning person: one session to start, or why there is none."""

    plan: Plan | None
    """The session, or None when the course's session is blocked (``blocked`` says why)."""
    course: bool
    """True when this is the course's session (played by ``/player?course=1``)."""
    blocked: str | None = None
    """Why the course has no session today, in words."""


def today_session(
    repo: Repository,
    cat: Catalogue,
    person_id: int,
    last: PlanRequest,
    *,
    now: datetime,
    program_id: str | None = None,
) -> TodaySession:
    """The course's session of today, or else the plan for ``last`` (the person's last choices,
    or a program). Screened as every plan is: raises ScreenRequired when no current screen is
    stored and ScreenBlocked when the screen refuses exercise."""
    from midback.services.courses import NoCourse, course_view
    from midback.services.planning import make_plan_for

    try:
        view = course_view(repo, cat, person_id, now=now)
    except NoCourse:
        plan = make_plan_for(repo, cat, person_id, last, now=now, program_id=program_id)
        return TodaySession(plan=plan, course=False)
    if view.session is None:
        # The gate first: a refusing or missing screen is said as on every other page.
        make_plan_for(repo, cat, person_id, last, now=now)
    return TodaySession(plan=view.session, course=True, blocked=view.blocked)
