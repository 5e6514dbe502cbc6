"""Progress checkpoints (each person's progression replayed up to a settled day) and each
person's revision (raised by every write of their records).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "progress_checkpoints",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("states", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_progress_checkpoints"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_progress_checkpoints_person_id_people",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("progress_checkpoints")
    with op.batch_alter_table("people") as people:
        people.drop_column("revision")
