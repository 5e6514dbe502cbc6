"""Account safety: invites expire and are used once for ever, addresses each account signed in
from (the failed-login ceiling spares them), one-time password reset codes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("invites") as invites:
        invites.add_column(sa.Column("expires_at", _TIME, nullable=True))
        invites.add_column(sa.Column("used_at", _TIME, nullable=True))
    # An invite already used keeps counting as used when its person is deleted later; one not
    # yet used gets the usual 7 days from now.
    op.execute("UPDATE invites SET used_at = created_at WHERE used_by IS NOT NULL")
    bind = op.get_bind()
    expires = datetime.now(UTC) + timedelta(days=7)
    if bind.dialect.name == "sqlite":  # stored naive, in UTC (tables.UtcDateTime)
        expires = expires.replace(tzinfo=None)
    bind.execute(
        sa.text("UPDATE invites SET expires_at = :at WHERE used_by IS NULL"), {"at": expires}
    )
    op.create_table(
        "login_known",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("last_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_known"),
    )
    op.create_table(
        "password_resets",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(100), nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_password_resets"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_password_resets_person_id_people",
            ondelete="CASCADE",
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("password_resets")
    op.drop_table("login_known")
    with op.batch_alter_table("invites") as invites:
        invites.drop_column("used_at")
        invites.drop_column("expires_at")
