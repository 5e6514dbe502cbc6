"""Initial schema: people, sessions, exercise logs, check-ins, screens, progression.

Dialect-neutral (SQLite now, PostgreSQL later). Also creates the local person (id 1).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _score(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 10)"


def upgrade() -> None:
    people = op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("email", name="uq_people_email"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("program_id", sa.String(100), nullable=True),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pain_before", sa.Integer(), nullable=True),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("id", "person_id", name="uq_sessions_id_person_id"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_sessions_person_id_people", ondelete="CASCADE"
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'quit', 'interrupted')", name="ck_sessions_status"
        ),
        sa.CheckConstraint(_score("pain_before"), name="ck_sessions_pain_before"),
        sa.CheckConstraint(_score("pain_after"), name="ck_sessions_pain_after"),
        sa.CheckConstraint(_score("effort"), name="ck_sessions_effort"),
    )
    op.create_index("ix_sessions_person_id_started_at", "sessions", ["person_id", "started_at"])
    op.create_table(
        "exercise_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("variant", sa.String(100), nullable=True),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("actual", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("logged_at", _TIME, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_exercise_logs"),
        sa.ForeignKeyConstraint(
            ["session_id", "person_id"],
            ["sessions.id", "sessions.person_id"],
            name="fk_exercise_logs_session_id_person_id_sessions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "session_id", "idempotency_key", name="uq_exercise_logs_session_id_idempotency_key"
        ),
        sa.CheckConstraint(
            "status IN ('completed', 'skipped', 'stopped_for_pain')", name="ck_exercise_logs_status"
        ),
        sa.CheckConstraint(_score("pain"), name="ck_exercise_logs_pain"),
        sa.CheckConstraint("position >= 0", name="ck_exercise_logs_position"),
    )
    op.create_index("ix_exercise_logs_session_id", "exercise_logs", ["session_id"])
    op.create_index(
        "ix_exercise_logs_person_id_logged_at", "exercise_logs", ["person_id", "logged_at"]
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("morning_pain", sa.Integer(), nullable=False),
        sa.Column("stiffness", sa.Integer(), nullable=True),
        sa.Column("at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        sa.UniqueConstraint("person_id", "day", name="uq_checkins_person_id_day"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_checkins_person_id_people", ondelete="CASCADE"
        ),
        sa.CheckConstraint(_score("morning_pain"), name="ck_checkins_morning_pain"),
        sa.CheckConstraint(_score("stiffness"), name="ck_checkins_stiffness"),
    )
    op.create_table(
        "screen_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(40), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_screen_results"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_screen_results_person_id_people",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_screen_results_person_id_at", "screen_results", ["person_id", "at"])
    op.create_table(
        "progression",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("person_id", "exercise_id", name="pk_progression"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_progression_person_id_people",
            ondelete="CASCADE",
        ),
    )
    op.bulk_insert(people, [{"id": 1, "email": None, "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("progression")
    op.drop_table("screen_results")
    op.drop_table("checkins")
    op.drop_index("ix_exercise_logs_person_id_logged_at", table_name="exercise_logs")
    op.drop_index("ix_exercise_logs_session_id", table_name="exercise_logs")
    op.drop_table("exercise_logs")
    op.drop_index("ix_sessions_person_id_started_at", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("people")
