"""A linked patient's course, for their clinician (server mode): see it, assign one, swap an
exercise. The patient's own screen and limits apply, as if the patient did it themselves; a
patient not linked to this clinician answers 404."""

from __future__ import annotations

from typing import Any

from midback.errors import NotFound
from midback.services import courses as course_cases
from midback.web.api import PREFIX
from midback.web.deps import Accounts, Cat, ClinicianId, Now, Repo
from midback.web.routing import SegmentRouter
from midback.web.schemas import CourseBody, SwapBody

router = SegmentRouter(
    under=PREFIX, prefix="/clinician/patients/{person_id}/course", tags=["clinicians"]
)


def _linked(accounts: Accounts, clinician: int, person_id: int) -> None:
    if not accounts.is_linked(clinician, person_id):
        raise NotFound("person", person_id)


@router.get("")
def patient_course(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, cat: Cat, now: Now
) -> dict[str, Any]:
    """The patient's course as it stands today (read-only; 422 when they follow none)."""
    _linked(accounts, clinician, person_id)
    return course_cases.course_view(repo, cat, person_id, now=now).to_json()


@router.post("", status_code=201)
def assign_course(
    person_id: int,
    body: CourseBody,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
) -> dict[str, Any]:
    """Start a course for the patient (ending theirs): planned within their screen's limits,
    refused (403) while their screen refuses plans."""
    _linked(accounts, clinician, person_id)
    course = course_cases.start_course(repo, cat, person_id, body.request(), now=now,
                                       weeks=body.weeks, program_id=body.program_id)  # fmt: skip
    return course.to_json()


@router.post("/swap")
def swap_exercise(
    person_id: int,
    body: SwapBody,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
) -> dict[str, Any]:
    """Swap one of the patient's core exercises for another that moves the same way."""
    _linked(accounts, clinician, person_id)
    return course_cases.swap(repo, cat, person_id, body.exercise_id, now=now).to_json()
