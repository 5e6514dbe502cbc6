"""Check-ins take an idempotency key: a retried check-in finds the one it made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as checkins:
        checkins.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as checkins:
        checkins.drop_column("idempotency_key")
