"""Accounts in server mode: roles, the people a clinician may see, and login back-off (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

MIN_PASSWORD_LENGTH = 10
FREE_FAILURES = 4
"""Failed logins allowed before any wait."""
FIRST_LOCK_S = 2
MAX_LOCK_S = 15 * 60


class Role(StrEnum):
    """What an account may do."""

    PERSON = "person"
    CLINICIAN = "clinician"


class Account(BaseModel):
    """A signed-up person (never carries the password hash out of storage)."""

    model_config = ConfigDict(frozen=True)

    id: int
    email: str | None
    role: Role
    created_at: datetime


class Patient(BaseModel):
    """What a clinician sees of a linked person: adherence and pain trend, read-only."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    email: str | None
    linked_at: datetime


def lockout(failures: int) -> timedelta:
    """How long to refuse logins after ``failures`` failed tries in a row.

    Nothing for the first FREE_FAILURES, then FIRST_LOCK_S seconds doubling with each further
    failure, at most MAX_LOCK_S.
    """
    extra = failures - FREE_FAILURES
    if extra <= 0:
        return timedelta(0)
    return timedelta(seconds=min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (extra - 1)))


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "a password must not start or end with spaces"
    return None


def normalise_email(email: str) -> str:
    """The form an email is stored and compared in (trimmed, lower case)."""
    return email.strip().lower()
