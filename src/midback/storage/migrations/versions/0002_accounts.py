"""Accounts for server mode: passwords, roles, clinician invites, links, assignments, back-off.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        people.add_column(sa.Column("role", sa.String(20), nullable=False, server_default="person"))
        people.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "invites",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["people.id"], name="fk_invites_clinician_id_people",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["people.id"], name="fk_invites_used_by_people", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_invites"),
    )  # fmt: skip
    op.create_table(
        "links",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_links_person_id_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["people.id"], name="fk_links_clinician_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "clinician_id", name="pk_links"),
    )  # fmt: skip
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assigned_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_assignments_person_id_people",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["people.id"], name="fk_assignments_clinician_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assignments"),
    )  # fmt: skip
    op.create_index(
        "ix_assignments_person_id_assigned_at", "assignments", ["person_id", "assigned_at"]
    )
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TIME, nullable=True),
        sa.Column("last_failure_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_attempts"),
    )


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_index("ix_assignments_person_id_assigned_at", table_name="assignments")
    op.drop_table("assignments")
    op.drop_table("links")
    op.drop_table("invites")
    with op.batch_alter_table("people") as people:
        people.drop_column("session_version")
        people.drop_column("role")
        people.drop_column("password_hash")
