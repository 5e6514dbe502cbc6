"""Clinicians: invite codes, linked people (read-only adherence and pain trend), assignments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field

from midback.services import person_history
from midback.storage.accounts import Assignment, Invite
from midback.web.deps import Accounts, Cat, ClinicianId, Now, PersonId, Repo

router = APIRouter(tags=["clinicians"])


class InviteCode(BaseModel):
    """An invite code to link to a clinician."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=40)


class AssignBody(BaseModel):
    """A program to assign, with an optional note."""

    model_config = ConfigDict(extra="forbid")

    program_id: str = Field(max_length=60)
    note: str | None = Field(default=None, max_length=2000)


@router.post("/clinician/invites", status_code=status.HTTP_201_CREATED)
def new_invite(request: Request, clinician: ClinicianId, accounts: Accounts, now: Now) -> Invite:
    """A fresh invite code to give to a person: it links once, until ``expires_at``."""
    days = request.app.state.settings.invite_days
    return accounts.new_invite(clinician, now, valid_for=timedelta(days=days))


@router.get("/clinician/invites")
def open_invites(clinician: ClinicianId, accounts: Accounts, now: Now) -> list[Invite]:
    """The clinician's invite codes not yet used or expired."""
    return accounts.open_invites(clinician, now)


@router.post("/links", status_code=status.HTTP_201_CREATED)
def link(body: InviteCode, person: PersonId, accounts: Accounts, now: Now) -> dict[str, int]:
    """Link to the clinician whose invite code this is."""
    return {"clinician_id": accounts.accept_invite(person, body.code, now)}


@router.get("/clinician/patients")
def patients(
    clinician: ClinicianId, accounts: Accounts, repo: Repo, now: Now
) -> list[dict[str, Any]]:
    """Each linked person with their adherence and weekly pain trend (read-only)."""
    result = []
    for patient in accounts.patients(clinician):
        history = person_history(repo, patient.person_id, today=now.date())
        result.append(
            {**patient.model_dump(mode="json"), "history": history.model_dump(mode="json")}
        )
    return result


@router.get("/clinician/patients/{person_id}")
def patient(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, now: Now
) -> dict[str, Any]:
    """One linked person's adherence and pain trend (404 for anyone not linked)."""
    from midback.errors import NotFound

    if not accounts.is_linked(clinician, person_id):
        raise NotFound("person", person_id)
    history = person_history(repo, person_id, today=now.date())
    return {
        "person_id": person_id,
        "history": history.model_dump(mode="json"),
        "assignments": [a.model_dump(mode="json") for a in accounts.assignments(person_id)],
    }


@router.post("/clinician/patients/{person_id}/assignments", status_code=status.HTTP_201_CREATED)
def assign(
    person_id: int, body: AssignBody, clinician: ClinicianId, accounts: Accounts, cat: Cat, now: Now
) -> Assignment:
    """Assign a program to a linked person (404 for anyone not linked or an unknown program)."""
    cat.program(body.program_id)
    return accounts.assign(clinician, person_id, body.program_id, body.note, now)


@router.get("/assignments")
def my_assignments(person: PersonId, accounts: Accounts) -> list[Assignment]:
    """Programs my clinicians assigned to me, newest first."""
    return accounts.assignments(person)
