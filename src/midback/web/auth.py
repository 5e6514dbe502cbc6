"""Sign-in for server mode: argon2id password hashes and signed, HttpOnly session cookies.

A session cookie holds the person's id and their ``session_version``, signed with the secret
key (itsdangerous). Logging out raises the version, so every copy of the old cookie stops
working; nothing is kept in the process, so any number of server processes share sign-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from midback.domain.accounts import Account, normalise_email
from midback.errors import MidbackError, NotFound
from midback.settings import Settings
from midback.storage.accounts import SqlAccounts

SESSION_COOKIE = "midback_session"
SESSION_DAYS = 14
_DUMMY_HASH_INPUT = "midback-timing-equaliser"


class LoginRefused(MidbackError):
    """Wrong email or password (never says which)."""


class LoginLocked(MidbackError):
    """Too many failed logins: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


@dataclass
class Auth:
    """Hashing, cookies and login checks for one app."""

    settings: Settings
    accounts: SqlAccounts

    def __post_init__(self) -> None:
        self.hasher = PasswordHasher()  # argon2id with the library's current defaults
        self._dummy = self.hasher.hash(_DUMMY_HASH_INPUT)
        self._signer = URLSafeTimedSerializer(
            self.settings.secret_key or "local-mode-has-no-sessions", salt="midback-session"
        )

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        return self.hasher.hash(password)

    def login(self, email: str, password: str, *, client: str, now: datetime) -> Account:
        """The account for these credentials, with growing back-off on failures."""
        keys = [f"email:{normalise_email(email)}", f"client:{client}"]
        locked = self.accounts.locked_until(keys, now)
        if locked is not None:
            raise LoginLocked(max(1, int((locked - now).total_seconds() + 0.999)))
        found = self.accounts.by_email(email)
        stored = found[1] if found else None
        if not self._verify(stored or self._dummy, password) or found is None or stored is None:
            self.accounts.record_failure(keys, now)
            raise LoginRefused("wrong email or password")
        self.accounts.clear_failures(keys)
        if self.hasher.check_needs_rehash(stored):
            self.accounts.set_password(found[0].id, self.hash(password))
        return found[0]

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def set_cookie(self, response: Response, account_id: int) -> None:
        """Sign the person in on ``response``."""
        account, version = self.accounts.get(account_id)
        # The account's creation time binds the cookie to this account, not just its id (an id
        # can be given again after a deletion on SQLite).
        token = self._signer.dumps(
            {"p": account_id, "v": version, "c": account.created_at.isoformat()}
        )
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_DAYS * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
            path="/",
        )

    @staticmethod
    def clear_cookie(response: Response) -> None:
        """Remove the session cookie."""
        response.delete_cookie(SESSION_COOKIE, path="/")

    def person(self, request: Request) -> int | None:
        """The signed-in person of ``request``, or None."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            data = self._signer.loads(token, max_age=SESSION_DAYS * 24 * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        person_id, version, created = data.get("p"), data.get("v"), data.get("c")
        if not isinstance(person_id, int) or not isinstance(version, int):
            return None
        try:
            account, current = self.accounts.get(person_id)
        except NotFound:
            return None
        if current != version or created != account.created_at.isoformat():
            return None
        return person_id
