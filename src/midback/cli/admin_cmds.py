"""Hosting commands: ``midback user add`` and ``midback db upgrade``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from midback.cli import output
from midback.cli import store as stores
from midback.errors import MidbackError, NotFound

if TYPE_CHECKING:
    from midback.services.store import Accounts


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
    from midback.domain.accounts import Role, normalise_email
    from midback.services.accounts import make_hasher

    normalise_email(email)  # EmailError names what is wrong before the password is asked
    password = _read_password(password_stdin)
    role = Role.CLINICIAN if clinician else Role.PERSON
    account = _accounts().create(email, make_hasher().hash(password), role=role, at=stores.now())
    output.console().print(f"Added {account.email} ({account.role.value}), id {account.id}.")


def _read_password(password_stdin: bool) -> str:
    from midback.services.accounts import checked_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return checked_password(password)


def _accounts() -> Accounts:
    from midback.services.store import open_accounts, open_store
    from midback.settings import Settings

    url = Settings.from_env().database_url
    return open_accounts(open_store(url), url)


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set an account's password (from a prompt, or stdin); signs it out everywhere."""
    from midback.services.accounts import make_hasher

    accounts = _accounts()
    found = accounts.by_email(email)
    if found is None:
        raise NotFound("account", email)
    password = _read_password(password_stdin)
    accounts.set_password(found[0].id, make_hasher().hash(password))
    output.console().print(f"Password of {found[0].email} set; every session of it ended.")


@user_app.command("reset-code")
def user_reset_code(
    email: Annotated[str, typer.Argument(help="The account's email.")],
) -> None:
    """Print a one-time code (good for an hour) the person enters on /reset to set a password."""
    from midback.domain.accounts import RESET_CODE_VALID

    code = _accounts().new_reset_code(email, stores.now(), valid_for=RESET_CODE_VALID)
    minutes = int(RESET_CODE_VALID.total_seconds() // 60)
    output.console().print(
        f"Reset code for {email}: {code}\nIt works once, for {minutes} minutes, at /reset."
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Run the database migrations up to the latest (SQLite or PostgreSQL)."""
    from midback.services.store import migrate
    from midback.settings import Settings

    shown, revision = migrate(Settings.from_env().database_url)
    output.console().print(f"Database {shown} is at revision {revision}.")


def register(app: typer.Typer) -> None:
    """Add ``user`` and ``db`` to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(db_app, name="db")
