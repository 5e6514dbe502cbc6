"""Hosting commands: ``midback user add`` and ``midback db upgrade``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from midback.cli import output
from midback.errors import MidbackError


class _AdminError(MidbackError):
    """A bad hosting request (e.g. a weak password)."""


user_app = typer.Typer(help="Accounts for server mode.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The person's email (their login).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    clinician: Annotated[
        bool, typer.Option("--clinician", help="A clinician, who can invite and follow people.")
    ] = False,
) -> None:
    """Add an account (the password comes from a prompt, or stdin with --password-stdin)."""
    from midback.domain.accounts import Role, password_problem
    from midback.services import open_store
    from midback.settings import Settings
    from midback.storage.accounts import SqlAccounts
    from midback.web.auth import make_hasher

    if "@" not in email:
        raise _AdminError(f"email: {email!r} is not an email address")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise _AdminError(f"password: {problem}")
    repo = open_store(Settings.from_env().database_url)
    role = Role.CLINICIAN if clinician else Role.PERSON
    account = SqlAccounts(repo.engine).create(
        email, make_hasher().hash(password), role=role, at=datetime.now(UTC)
    )
    output.console().print(f"Added {account.email} ({account.role.value}), id {account.id}.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Run the database migrations up to the latest (SQLite or PostgreSQL)."""
    from midback.settings import Settings
    from midback.storage.engine import current_revision, make_engine, upgrade

    url = Settings.from_env().database_url
    engine = make_engine(url)
    upgrade(engine)
    shown = engine.url.render_as_string(hide_password=True)
    output.console().print(f"Database {shown} is at revision {current_revision(engine)}.")


def register(app: typer.Typer) -> None:
    """Add ``user`` and ``db`` to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(db_app, name="db")
