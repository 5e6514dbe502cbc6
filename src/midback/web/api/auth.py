"""Server-mode accounts: login and logout for scripts, sign-up, the person's own account."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from midback.domain.accounts import (
    MIN_PASSWORD_LENGTH,
    Account,
    LinkedClinician,
    Role,
    password_problem,
)
from midback.services.clock import person_zone, set_zone
from midback.web.api import PREFIX
from midback.web.deps import Accounts, AuthDep, Now, PersonId, Repo
from midback.web.routing import SegmentRouter

router = SegmentRouter(under=PREFIX, tags=["accounts"])

EMAIL_PATTERN = r"^[^@\s\x85]+@[^@\s\x85]+$"
"""name@domain without spaces (U+0085 is named: JSON Schema's and pydantic's whitespace differ
on it)."""


class Credentials(BaseModel):
    """An email and a password."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=1, max_length=1000)


class DeleteBody(BaseModel):
    """Deleting an account must be confirmed by typing ``delete``."""

    model_config = ConfigDict(extra="forbid")

    confirm: str = Field(pattern="^delete$")


NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=1000,
        pattern=r"^\S[\s\S]*\S$",
        description="At least 10 characters, not starting or ending with a space.",
    ),
]


class NewAccount(BaseModel):
    """An email and a password for a new account."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    password: NewPassword


class PasswordChange(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1000)
    new_password: NewPassword


class PasswordReset(BaseModel):
    """A reset code from the host (``midback user reset-code``) and the new password."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    code: str = Field(min_length=8, max_length=40)
    new_password: NewPassword


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _server_only(request: Request) -> None:
    if request.app.state.settings.mode != "server":
        raise HTTPException(status_code=404, detail="accounts exist in server mode only")


@router.post("/auth/login")
def login(
    body: Credentials, request: Request, response: Response, auth: AuthDep, now: Now
) -> Account:
    """Check the credentials and set the session cookie (429 with Retry-After when locked)."""
    _server_only(request)
    account = auth.login(body.email, body.password, client=_client(request), now=now)
    auth.set_cookie(response, account.id)
    return account


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, auth: AuthDep, accounts: Accounts) -> None:
    """End the session everywhere (every copy of the cookie stops working)."""
    _server_only(request)
    person = auth.person(request)
    if person is not None:
        accounts.end_sessions(person)
    auth.clear_cookie(response)


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED)
def signup(
    body: NewAccount, request: Request, response: Response, auth: AuthDep, accounts: Accounts,
    now: Now,
) -> Account:  # fmt: skip
    """Create an account, where the host allows sign-up, and sign in."""
    _server_only(request)
    if not request.app.state.settings.allow_signup:
        raise HTTPException(status_code=403, detail="sign-up is off on this server")
    problem = password_problem(body.password)
    if problem:
        raise HTTPException(status_code=422, detail=[
            {"loc": ["body", "password"], "msg": problem, "type": "value_error"}
        ])  # fmt: skip
    auth.count_signup(client=request.client.host if request.client else "unknown", now=now)
    account = accounts.create(body.email, auth.hash(body.password), role=Role.PERSON, at=now)
    auth.set_cookie(response, account.id)
    return account


@router.get("/me")
def me(request: Request, person: PersonId, accounts: Accounts) -> dict[str, Any]:
    """The signed-in person (in local mode, the local person)."""
    if request.app.state.settings.mode == "local":
        return {"id": person, "email": None, "role": "person", "mode": "local"}
    account, _ = accounts.get(person)
    return {**account.model_dump(mode="json"), "mode": "server"}


_ZONES = frozenset(available_timezones())


class ZoneBody(BaseModel):
    """The person's IANA time zone (their "today"); null clears it."""

    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(
        max_length=64,
        examples=["Europe/London"],
        json_schema_extra={"enum": [*sorted(_ZONES), None]},
    )

    @field_validator("timezone")
    @classmethod
    def _an_iana_zone(cls, value: str | None) -> str | None:
        """Exactly the names the schema lists ("" or a padded name included: null clears)."""
        if value is not None and value not in _ZONES:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)")
        return value


@router.get("/me/timezone")
def my_zone(person: PersonId, repo: Repo) -> dict[str, str | None]:
    """The time zone my days are counted in (null: the server's own)."""
    return {"timezone": person_zone(repo, person)}


@router.put("/me/timezone", responses={422: {"description": "Not an IANA time zone."}})
def set_my_zone(body: ZoneBody, person: PersonId, repo: Repo) -> dict[str, str | None]:
    """Count my days (check-ins, history, the week, progression) in this time zone; the
    browser sends ``Intl.DateTimeFormat().resolvedOptions().timeZone``."""
    return {"timezone": set_zone(repo, person, body.timezone)}


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChange, request: Request, response: Response, person: PersonId, auth: AuthDep,
    now: Now,
) -> None:  # fmt: skip
    """Change the password (the current one is checked): every other session ends; this one
    gets a fresh cookie."""
    _server_only(request)
    auth.change_password(person, body.current_password, body.new_password,
                         client=_client(request), now=now)  # fmt: skip
    auth.set_cookie(response, person)


@router.post("/auth/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(body: PasswordReset, request: Request, auth: AuthDep, now: Now) -> None:
    """Set a new password with a one-time code from the host; every session ends (sign in
    with the new password)."""
    _server_only(request)
    auth.reset_password(body.email, body.code, body.new_password, client=_client(request),
                        now=now)  # fmt: skip


@router.get("/me/clinicians")
def my_clinicians(request: Request, person: PersonId, accounts: Accounts) -> list[LinkedClinician]:
    """The clinicians who can see my adherence and pain trend."""
    _server_only(request)
    return accounts.clinicians(person)


@router.delete("/me/clinicians/{clinician_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink_clinician(
    clinician_id: int, request: Request, person: PersonId, accounts: Accounts
) -> None:
    """Withdraw a clinician's access to my record, at once (404 when not linked)."""
    _server_only(request)
    accounts.unlink(person, clinician_id)


@router.get("/me/export")
def export_me(person: PersonId, repo: Repo) -> dict[str, Any]:
    """Everything the person recorded, as one JSON document."""
    from midback.services.records import export_json

    return export_json(repo, person)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(
    body: DeleteBody, request: Request, response: Response, person: PersonId, accounts: Accounts,
    auth: AuthDep,
) -> None:  # fmt: skip
    """Delete the account and every row of the person's data."""
    _server_only(request)
    accounts.delete(person)
    auth.clear_cookie(response)
