"""Clinical safety: clinicians' clearances of screens, people's own clearances, acknowledged
alerts and clinical notes (alerts themselves are derived on read, never stored).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["people.id"], name=f"fk_{table}_{column}_people", ondelete="CASCADE"
    )


def _screen(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["screen_id"], ["screen_results.id"], name=f"fk_{table}_screen_id_screen_results",
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_clearances"),
        _person("clearances", "person_id"),
        _person("clearances", "clinician_id"),
        _screen("clearances"),
    )
    op.create_index("ix_clearances_person_id_screen_id", "clearances", ["person_id", "screen_id"])
    op.create_table(
        "self_clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_self_clearances"),
        sa.UniqueConstraint(
            "person_id", "screen_id", name="uq_self_clearances_person_id_screen_id"
        ),
        _person("self_clearances", "person_id"),
        _screen("self_clearances"),
    )
    op.create_table(
        "alert_acks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_acks"),
        sa.UniqueConstraint(
            "clinician_id",
            "person_id",
            "alert_key",
            name="uq_alert_acks_clinician_id_person_id_alert_key",
        ),
        _person("alert_acks", "person_id"),
        _person("alert_acks", "clinician_id"),
    )
    op.create_table(
        "clinical_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clinical_notes"),
        _person("clinical_notes", "person_id"),
        _person("clinical_notes", "clinician_id"),
    )
    op.create_index("ix_clinical_notes_person_id_at", "clinical_notes", ["person_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_clinical_notes_person_id_at", table_name="clinical_notes")
    op.drop_table("clinical_notes")
    op.drop_table("alert_acks")
    op.drop_table("self_clearances")
    op.drop_index("ix_clearances_person_id_screen_id", table_name="clearances")
    op.drop_table("clearances")
