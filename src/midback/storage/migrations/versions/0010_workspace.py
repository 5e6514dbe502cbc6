"""Clinician workspace: programmes, consent scopes, invites for named patients, outcome measures.

Links carry the scope the person granted (``full``; ``since``: earlier data hidden); invites
carry the patient's name and can be revoked; programmes with their history, each person's
weekly target, and outcome measures (PSFS, GROC) get tables of their own. Depends only on
0008's tables (0009's are another issue's).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("links") as links:
        links.add_column(sa.Column("full", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))  # fmt: skip
        links.add_column(sa.Column("since", _WHEN, nullable=True))
    with op.batch_alter_table("invites") as invites:
        invites.add_column(sa.Column("patient_name", sa.String(length=80), nullable=True))
        invites.add_column(sa.Column("revoked_at", _WHEN, nullable=True))
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("days_per_week", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("ended_at", _WHEN, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_programmes"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name="fk_programmes_person_id_people", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["clinician_id"], ["people.id"],
                                name="fk_programmes_clinician_id_people", ondelete="SET NULL"),
        sa.CheckConstraint("days_per_week >= 1 AND days_per_week <= 7",
                           name="ck_programmes_days_per_week"),
    )  # fmt: skip
    op.create_index("ix_programmes_person_id_active", "programmes", ["person_id", "active"])
    op.create_table(
        "programme_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("snapshot", sa.JSON(none_as_null=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_programme_events"),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"],
                                name="fk_programme_events_programme_id_programmes",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_id"], ["people.id"],
                                name="fk_programme_events_by_id_people", ondelete="SET NULL"),
        sa.CheckConstraint("action IN ('started', 'edited', 'ended')",
                           name="ck_programme_events_action"),
    )  # fmt: skip
    op.create_index(
        "ix_programme_events_programme_id_at", "programme_events", ["programme_id", "at"]
    )
    op.create_table(
        "weekly_targets",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_weekly_targets"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name="fk_weekly_targets_person_id_people", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by"], ["people.id"],
                                name="fk_weekly_targets_set_by_people", ondelete="SET NULL"),
        sa.CheckConstraint("sessions >= 1 AND sessions <= 14", name="ck_weekly_targets_sessions"),
    )  # fmt: skip
    op.create_table(
        "outcome_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("timepoint", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(none_as_null=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outcome_measures"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name="fk_outcome_measures_person_id_people", ondelete="CASCADE"),
        sa.CheckConstraint("kind IN ('psfs', 'groc')", name="ck_outcome_measures_kind"),
    )  # fmt: skip
    op.create_index("ix_outcome_measures_person_id_at", "outcome_measures", ["person_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_outcome_measures_person_id_at", table_name="outcome_measures")
    op.drop_table("outcome_measures")
    op.drop_table("weekly_targets")
    op.drop_index("ix_programme_events_programme_id_at", table_name="programme_events")
    op.drop_table("programme_events")
    op.drop_index("ix_programmes_person_id_active", table_name="programmes")
    op.drop_table("programmes")
    with op.batch_alter_table("invites") as invites:
        invites.drop_column("revoked_at")
        invites.drop_column("patient_name")
    with op.batch_alter_table("links") as links:
        links.drop_column("since")
        links.drop_column("full")
