"""The person's course: show it, start one, swap a core exercise, stop it."""

from __future__ import annotations

from typing import Any

from midback.services import courses as course_cases
from midback.web.api import PREFIX
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.routing import SegmentRouter
from midback.web.schemas import CourseBody, SwapBody

router = SegmentRouter(under=PREFIX, prefix="/course", tags=["course"])


@router.get("")
def get_course(repo: Repo, cat: Cat, person: PersonId, now: Now) -> dict[str, Any]:
    """Your course as it stands today (404 when you follow none)."""
    return course_cases.course_view(repo, cat, person, now=now).to_json()


@router.post("", status_code=201)
def post_course(
    body: CourseBody, repo: Repo, cat: Cat, person: PersonId, now: Now
) -> dict[str, Any]:
    """Start a course (ending the one you follow), within your stored safety screen (403 when
    it refuses plans or is missing)."""
    course = course_cases.start_course(
        repo, cat, person, body.request(), now=now, weeks=body.weeks, program_id=body.program_id
    )
    return course.to_json()


@router.post("/swap")
def post_swap(body: SwapBody, repo: Repo, cat: Cat, person: PersonId, now: Now) -> dict[str, Any]:
    """Swap one core exercise for another that moves the same way."""
    return course_cases.swap(repo, cat, person, body.exercise_id, now=now).to_json()


@router.post("/stop")
def post_stop(repo: Repo, person: PersonId, now: Now) -> dict[str, Any]:
    """Stop following your course (its record stays)."""
    return course_cases.stop(repo, person, now=now).to_json()
