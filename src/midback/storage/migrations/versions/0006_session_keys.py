"""Sessions take an idempotency key: a retried start finds the session it made.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as sessions:
        sessions.add_column(sa.Column("idempotency_key", sa.String(100), nullable=True))
        sessions.create_unique_constraint(
            "uq_sessions_person_id_idempotency_key", ["person_id", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as sessions:
        sessions.drop_constraint("uq_sessions_person_id_idempotency_key", type_="unique")
        sessions.drop_column("idempotency_key")
