"""Exercise logs carry the person's effort rating: one tap after each exercise.

``effort`` is 'easy', 'right' or 'hard' (records.Effort: too easy, about right, too hard), or
NULL when the person did not answer; progression reads it beside pain.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercise_logs") as logs:
        logs.add_column(sa.Column("effort", sa.String(length=10), nullable=True))
        logs.create_check_constraint(
            "ck_exercise_logs_effort", "effort IN ('easy', 'right', 'hard')"
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise_logs") as logs:
        logs.drop_constraint("ck_exercise_logs_effort", type_="check")
        logs.drop_column("effort")
