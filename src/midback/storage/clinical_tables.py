"""Tables of clinical safety: clinicians' clearances of screens, people's own clearances,
acknowledged alerts and clinical notes (server mode; migration 0009).

Alerts themselves are never stored: they are derived from the records on every read
(``domain.clinical``); only who acknowledged which alert, and when, is kept.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from midback.storage.tables import Base


class ClearanceRow(Base):
    """A clinician's clearance of one screen of a linked person."""

    __tablename__ = "clearances"
    __table_args__ = (sa.Index(None, "person_id", "screen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screen_results.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    """After this the screen's verdict blocks again (NULL: while the screen counts)."""
    note: Mapped[str | None] = mapped_column(sa.Text)
    revoked_at: Mapped[datetime | None]
    """When the clinician withdrew it (NULL: not withdrawn)."""


class SelfClearanceRow(Base):
    """A person's own tick of "my doctor or physiotherapist has cleared me" on a blocking
    screen; one per screen."""

    __tablename__ = "self_clearances"
    __table_args__ = (sa.UniqueConstraint("person_id", "screen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    screen_id: Mapped[int] = mapped_column(sa.ForeignKey("screen_results.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    linked: Mapped[bool]
    """A clinician was linked at the time: the tick lifted nothing."""


class AlertAckRow(Base):
    """A clinician acknowledged one alert (by its key) of a linked person."""

    __tablename__ = "alert_acks"
    __table_args__ = (sa.UniqueConstraint("clinician_id", "person_id", "alert_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    alert_key: Mapped[str] = mapped_column(sa.String(120))
    at: Mapped[datetime]


class ClinicalNoteRow(Base):
    """A clinician's note about a patient (never shown to the patient)."""

    __tablename__ = "clinical_notes"
    __table_args__ = (sa.Index(None, "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(sa.Text)
