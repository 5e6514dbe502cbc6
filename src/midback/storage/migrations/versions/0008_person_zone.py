"""People carry a time zone (their own "today") and a display name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        people.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.drop_column("display_name")
        people.drop_column("timezone")
