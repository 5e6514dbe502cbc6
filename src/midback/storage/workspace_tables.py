"""Tables of the clinician's workspace: programmes and their history, weekly targets, outcome
measures (migration 0010). Registered on ``tables.Base`` by the last line of ``tables.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from midback.storage.tables import Base

PROGRAMME_ACTIONS = ("started", "edited", "ended")
OUTCOME_KINDS = ("psfs", "groc")


class ProgrammeRow(Base):
    """A programme a clinician built for a linked person; one active per person."""

    __tablename__ = "programmes"
    __table_args__ = (
        sa.Index(None, "person_id", "active"),
        sa.CheckConstraint("days_per_week >= 1 AND days_per_week <= 7", name="days_per_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    clinician_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(120))
    days_per_week: Mapped[int]
    items: Mapped[dict[str, Any]]
    """``{"items": [ProgrammeItem as JSON, ...]}`` (``domain.programme``)."""
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    active: Mapped[bool]
    version: Mapped[int] = mapped_column(server_default="1")


class ProgrammeEventRow(Base):
    """One change of a programme (started, edited, ended) with what it held after it."""

    __tablename__ = "programme_events"
    __table_args__ = (
        sa.Index(None, "programme_id", "at"),
        sa.CheckConstraint(
            "action IN (" + ", ".join(repr(a) for a in PROGRAMME_ACTIONS) + ")", name="action"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    snapshot: Mapped[dict[str, Any]]
    """The programme's title, days a week and items after this change."""


class WeeklyTargetRow(Base):
    """A person's own target of sessions a week, set by a clinician (none: the default)."""

    __tablename__ = "weekly_targets"
    __table_args__ = (sa.CheckConstraint("sessions >= 1 AND sessions <= 14", name="sessions"),)

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    sessions: Mapped[int]
    set_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    set_at: Mapped[datetime]


class OutcomeRow(Base):
    """One outcome measure a person answered: PSFS (activities rated 0-10) or GROC."""

    __tablename__ = "outcome_measures"
    __table_args__ = (
        sa.Index(None, "person_id", "at"),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(repr(k) for k in OUTCOME_KINDS) + ")", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(sa.String(10))
    timepoint: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[dict[str, Any]]
