"""Clinicians: invite codes, linked people (read-only adherence and pain trend), assignments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from midback.domain.accounts import Assignment, Invite
from midback.domain.programme import Programme, ProgrammeDraft
from midback.domain.triage import SortKey, TriagePage
from midback.services import workspace
from midback.web.api import PREFIX
from midback.web.deps import Accounts, Cat, ClinicianId, Now, PersonId, Repo
from midback.web.routing import SegmentRouter

router = SegmentRouter(under=PREFIX, tags=["clinicians"])


class InviteCode(BaseModel):
    """An invite code to link to a clinician, and what the clinician may see: ``full`` the
    whole record (else a summary: sessions per week and the pain trend), ``include_earlier``
    what came before the link (else only what comes after)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=40)
    full: bool = False
    include_earlier: bool = False


class NewInvite(BaseModel):
    """Whom an invite is for (the clinician's own label)."""

    model_config = ConfigDict(extra="forbid")

    patient_name: str | None = Field(default=None, max_length=80)


class AssignBody(BaseModel):
    """A program to assign, with an optional note."""

    model_config = ConfigDict(extra="forbid")

    program_id: str = Field(max_length=60)
    note: str | None = Field(default=None, max_length=2000)


@router.post("/clinician/invites", status_code=status.HTTP_201_CREATED)
def new_invite(
    request: Request,
    clinician: ClinicianId,
    accounts: Accounts,
    now: Now,
    body: NewInvite | None = None,
) -> Invite:
    """A fresh invite code to give to a person: it links once, until ``expires_at``; any
    case, spaces and dashes are read alike."""
    days = request.app.state.settings.invite_days
    name = body.patient_name if body else None
    return accounts.new_invite(clinician, now, valid_for=timedelta(days=days), patient_name=name)


@router.delete("/clinician/invites/{code}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invite(code: str, clinician: ClinicianId, accounts: Accounts, now: Now) -> None:
    """Withdraw an unused invite (404 when it is not the clinician's, used or withdrawn)."""
    accounts.revoke_invite(clinician, code[:40], now)


@router.get("/clinician/invites")
def open_invites(clinician: ClinicianId, accounts: Accounts, now: Now) -> list[Invite]:
    """The clinician's invite codes not yet used or expired."""
    return accounts.open_invites(clinician, now)


@router.post("/links", status_code=status.HTTP_201_CREATED)
def link(body: InviteCode, person: PersonId, accounts: Accounts, now: Now) -> dict[str, int]:
    """Link to the clinician whose invite code this is, granting the scope asked for (by
    default a summary of what comes after the link)."""
    clinician = accounts.accept_invite(
        person, body.code, now, full=body.full, include_earlier=body.include_earlier
    )
    return {"clinician_id": clinician}


@router.get("/clinician/patients")
def patients(
    clinician: ClinicianId, accounts: Accounts, repo: Repo, now: Now
) -> list[dict[str, Any]]:
    """Each linked person with their adherence and weekly pain trend (read-only), from what
    each person lets the clinician see (their scope: earlier data only when included)."""
    result = []
    for patient in accounts.patients(clinician):
        history = _history(repo, accounts, clinician, patient.person_id, now)
        result.append(
            {**patient.model_dump(mode="json"), "history": history.model_dump(mode="json")}
        )
    return result


@router.get("/clinician/patients/{person_id}")
def patient(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, now: Now
) -> dict[str, Any]:
    """One linked person's adherence and pain trend and the scope they granted (404 for
    anyone not linked)."""
    scope = workspace.scope_for(accounts, clinician, person_id)
    history = _history(repo, accounts, clinician, person_id, now)
    return {
        "person_id": person_id,
        "scope": scope.model_dump(mode="json"),
        "history": history.model_dump(mode="json"),
        "assignments": [a.model_dump(mode="json") for a in accounts.assignments(person_id)],
    }


def _history(repo: Repo, accounts: Accounts, clinician: int, person_id: int, now: datetime) -> Any:
    scope = workspace.scope_for(accounts, clinician, person_id)
    return workspace.scoped_history(repo, person_id, scope, today=now.date(),
                                    weekly_target=workspace.weekly_target(repo, accounts,
                                                                          person_id))  # fmt: skip


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


# -- the workspace: triage, targets, programmes ----------------------------------------------


class TargetBody(BaseModel):
    """A person's own weekly target of sessions (null: back to the default)."""

    model_config = ConfigDict(extra="forbid")

    sessions: int | None = Field(ge=1, le=14)


@router.get("/clinician/triage")
def triage(
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: SortKey = SortKey.ALERTS,
    order: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> TriagePage:
    """One page (25 rows) of the clinician's linked people, searched by name or email and
    sorted (by default who needs attention first)."""
    descending = None if order is None else order == "desc"
    return workspace.triage(repo, accounts, cat, clinician, now=now, query=q, sort=sort,
                            descending=descending, page=page)  # fmt: skip


@router.put("/clinician/patients/{person_id}/target", status_code=status.HTTP_204_NO_CONTENT)
def set_target(
    person_id: int, body: TargetBody, clinician: ClinicianId, accounts: Accounts, repo: Repo,
    now: Now,
) -> None:  # fmt: skip
    """Set a linked person's weekly target (404 for anyone not linked)."""
    workspace.set_weekly_target(repo, accounts, clinician, person_id, body.sessions, now=now)


@router.get("/clinician/patients/{person_id}/programmes")
def programmes(
    person_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo
) -> list[Programme]:
    """A linked person's programmes, newest first, each with its history of changes."""
    return workspace.programmes_of(repo, accounts, clinician, person_id)


@router.post("/clinician/patients/{person_id}/programmes", status_code=status.HTTP_201_CREATED)
def start_programme(
    person_id: int, body: ProgrammeDraft, clinician: ClinicianId, accounts: Accounts,
    repo: Repo, cat: Cat, now: Now,
) -> Programme:  # fmt: skip
    """Start a programme for a linked person (their previous one ends): 422 naming the rule
    for an exercise their limits rule out or a dose out of range, 409 for a blocking screen
    not cleared or a course running."""
    return workspace.start_programme(repo, accounts, cat, clinician, person_id, body, now=now)


@router.put("/clinician/programmes/{programme_id}")
def edit_programme(
    programme_id: int, body: ProgrammeDraft, clinician: ClinicianId, accounts: Accounts,
    repo: Repo, cat: Cat, now: Now,
) -> Programme:  # fmt: skip
    """Change a linked person's active programme, checked like a new one."""
    return workspace.edit_programme(repo, accounts, cat, clinician, programme_id, body, now=now)


@router.post("/clinician/programmes/{programme_id}/end")
def end_programme(
    programme_id: int, clinician: ClinicianId, accounts: Accounts, repo: Repo, now: Now
) -> Programme:
    """End a linked person's active programme (kept in its history)."""
    return workspace.end_programme(repo, accounts, clinician, programme_id, now=now)


@router.get("/programme")
def my_programme(person: PersonId, accounts: Accounts, repo: Repo) -> Programme | None:
    """My active programme (null: none)."""
    return workspace.my_programme(repo, accounts, person)


@router.get("/programme/{programme_id}/plan")
def my_programme_plan(
    programme_id: int, person: PersonId, accounts: Accounts, repo: Repo, cat: Cat, now: Now
) -> dict[str, Any]:
    """My active programme as a session plan for the player (each block with its clinician's
    note), checked against my screen like every session (403 when it blocks)."""
    plan = workspace.programme_plan(repo, accounts, cat, person, programme_id, now=now)
    return plan.to_json()
