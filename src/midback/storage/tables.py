"""Tables: how records are laid out in the database (SQLAlchemy 2 declarative).

These rows are storage only; the repository turns them into ``domain.records`` values. Every
table of user data carries ``person_id`` so one database can serve many people. The Alembic
migrations create exactly this schema (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LOCAL_PERSON_ID = 1
"""The one person of a single-user (local) install; created by the first migration."""

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names, so migrations can refer to them on every database."""

SESSION_STATUSES = ("running", "completed", "quit", "interrupted")
LOG_STATUSES = ("completed", "skipped", "stopped_for_pain")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; read back aware even where the database
    (SQLite) keeps no zone."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} (need a timezone)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _score(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 10)"


class Base(DeclarativeBase):
    """Base of every table; carries the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UtcDateTime,
        dict[str, Any]: sa.JSON(none_as_null=True),  # None is SQL NULL, not JSON 'null'
    }


def table_of(row: type[Base]) -> sa.Table:
    """The Core table of ``row``, for statements built once and run without the ORM."""
    return Base.metadata.tables[row.__tablename__]


class PersonRow(Base):
    """A person; a local install has just one (``LOCAL_PERSON_ID``)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    created_at: Mapped[datetime]
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), server_default="person")
    session_version: Mapped[int] = mapped_column(server_default="0")
    """Raised on logout or password change: every older session cookie stops working."""
    revision: Mapped[int] = mapped_column(server_default="0")
    """Raised by every write of the person's sessions, logs, check-ins and screens: a process
    may keep what it derived from them while this stays the same (``Repository.revision``)."""
    base_revision: Mapped[int] = mapped_column(server_default="0")
    """Raised with ``revision`` by every write but a check-in: what a process derived from the
    person's records apart from their check-ins stays true while this stays the same (a
    check-in a day, then the plan or the history: only the check-ins are read again)."""
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    """The person's IANA time zone (their "today"); NULL: the machine's own zone."""
    display_name: Mapped[str | None] = mapped_column(sa.String(80))
    """How the person is named to a clinician and on handouts; NULL: not given."""


class SessionRow(Base):
    """One exercise session."""

    __tablename__ = "sessions"
    __table_args__ = (
        # Lets exercise_logs point at (session, person) so a log can never cross people.
        sa.UniqueConstraint("id", "person_id"),
        sa.UniqueConstraint("person_id", "idempotency_key"),  # NULLs never clash
        sa.Index(None, "person_id", "started_at"),
        sa.CheckConstraint(_in("status", SESSION_STATUSES), name="status"),
        sa.CheckConstraint(_score("pain_before"), name="pain_before"),
        sa.CheckConstraint(_score("pain_after"), name="pain_after"),
        sa.CheckConstraint(_score("effort"), name="effort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    plan: Mapped[dict[str, Any]]
    program_id: Mapped[str | None] = mapped_column(sa.String(100))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(20))
    pain_before: Mapped[int | None]
    pain_after: Mapped[int | None]
    effort: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))
    """The client's key for starting it: a retry of the same start finds this session."""


class ExerciseLogRow(Base):
    """One exercise of a session, committed as soon as it ends."""

    __tablename__ = "exercise_logs"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["session_id", "person_id"],
            ["sessions.id", "sessions.person_id"],
            ondelete="CASCADE",
        ),
        # NULL keys never clash (NULLs are distinct in SQLite and PostgreSQL alike).
        sa.UniqueConstraint("session_id", "idempotency_key"),
        sa.Index(None, "session_id"),
        sa.Index(None, "person_id", "logged_at"),
        sa.CheckConstraint(_in("status", LOG_STATUSES), name="status"),
        sa.CheckConstraint(_score("pain"), name="pain"),
        sa.CheckConstraint("position >= 0", name="position"),
        sa.CheckConstraint("effort IN ('easy', 'right', 'hard')", name="effort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int]
    person_id: Mapped[int]
    position: Mapped[int]
    exercise_id: Mapped[str] = mapped_column(sa.String(100))
    variant: Mapped[str | None] = mapped_column(sa.String(100))
    target: Mapped[dict[str, Any]]
    actual: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(sa.String(20))
    pain: Mapped[int | None]
    logged_at: Mapped[datetime]
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    effort: Mapped[str | None] = mapped_column(sa.String(10))
    """'easy', 'right' or 'hard' (records.Effort): the tap after the exercise; NULL if none."""


class CheckInRow(Base):
    """A morning check-in; one per person per day."""

    __tablename__ = "checkins"
    __table_args__ = (
        # Also the index for history queries by (person_id, day).
        sa.UniqueConstraint("person_id", "day"),
        sa.CheckConstraint(_score("morning_pain"), name="morning_pain"),
        sa.CheckConstraint(_score("stiffness"), name="stiffness"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    day: Mapped[date]
    morning_pain: Mapped[int]
    stiffness: Mapped[int | None]
    at: Mapped[datetime]
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100))


class ScreenRow(Base):
    """A safety screen and its result."""

    __tablename__ = "screen_results"
    __table_args__ = (sa.Index(None, "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    answers: Mapped[dict[str, Any]]
    verdict: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[dict[str, Any]]


class CourseRow(Base):
    """A course and its state (``domain.course.Course`` as JSON); one active per person."""

    __tablename__ = "courses"
    __table_args__ = (sa.Index(None, "person_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    active: Mapped[bool]
    state: Mapped[dict[str, Any]]


class ProgressionRow(Base):
    """A person's step on one exercise's progression ladder."""

    __tablename__ = "progression"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    step: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]


class ProgressCheckpointRow(Base):
    """A person's progression replayed up to a settled day (a cache: dropped whenever a write
    reaches back into those days, rebuilt by the next replay)."""

    __tablename__ = "progress_checkpoints"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[date]
    version: Mapped[int]
    states: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


class InviteRow(Base):
    """A clinician's invite code; a person links to the clinician by entering it."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None]
    """After this the code links nobody (NULL: made before invites expired; treated as expired)."""
    used_at: Mapped[datetime | None]
    """When it was used: set once, kept when the person who used it is deleted."""
    patient_name: Mapped[str | None] = mapped_column(sa.String(80))
    """Whom the clinician made it for, in their own words (NULL: not said)."""
    revoked_at: Mapped[datetime | None]
    """When the clinician withdrew it unused: from then on it links nobody."""


class LinkRow(Base):
    """A person linked to a clinician, who may then read what the person granted."""

    __tablename__ = "links"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]
    full: Mapped[bool] = mapped_column(server_default=sa.false())
    """The whole record (sessions, notes, screens); false: a summary (sessions per week, pain
    trend)."""
    since: Mapped[datetime | None]
    """Records before this stay hidden from the clinician (NULL: earlier data included)."""


class AssignmentRow(Base):
    """A program a clinician assigned to a linked person."""

    __tablename__ = "assignments"
    __table_args__ = (sa.Index(None, "person_id", "assigned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    program_id: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.Text)
    assigned_at: Mapped[datetime]


class LoginAttemptRow(Base):
    """Failed logins for a key (an email or a client address), for growing back-off."""

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    failures: Mapped[int]
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime]


class LoginKnownRow(Base):
    """An address an account signed in from (``email|address``): the per-account ceiling of
    failed logins never applies to it, so nobody can lock the owner out from elsewhere."""

    __tablename__ = "login_known"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    last_at: Mapped[datetime]


class PasswordResetRow(Base):
    """A one-time code to set a new password (made by ``midback user reset-code``)."""

    __tablename__ = "password_resets"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(100))
    """SHA-256 of the code, hex (the code is random: a slow hash adds nothing)."""
    expires_at: Mapped[datetime]


from midback.storage import clinical_tables as clinical_tables  # noqa: E402  (registers the clinical tables)
from midback.storage import workspace_tables as workspace_tables  # noqa: E402  (registers the workspace tables)
