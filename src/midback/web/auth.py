"""Sign-in for server mode: argon2id password hashes and signed, HttpOnly session cookies.

A session cookie holds the person's id and their ``session_version``, signed with the secret
key (itsdangerous). Logging out raises the version, so every copy of the old cookie stops
working; nothing is kept in the process, so any number of server processes share sign-ins.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from midback.domain.accounts import (
    KNOWN_FOR,
    PER_ACCOUNT,
    PER_ADDRESS,
    PER_PAIR,
    PER_SIGNUP_ADDRESS,
    Account,
    AccountError,
    EmailError,
    client_key,
    normalise_email,
    password_problem,
)
from midback.errors import MidbackError, NotFound
from midback.services.accounts import make_hasher
from midback.services.store import Accounts as SqlAccounts
from midback.settings import Settings

_T = TypeVar("_T")
SESSION_COOKIE = "midback_session"
CLEAR_SITE_DATA = '"cache", "storage"'
"""Sent on signing out and on deleting the account."""
SESSION_DAYS = 14
_DUMMY_HASH_INPUT = "midback-timing-equaliser"

HASH_SLOTS = max(1, min(4, os.cpu_count() or 1))
"""Threads of a process that hash; more requests wait their turn. Each hash holds
ARGON2_MEMORY_KIB, and each thread's malloc arena keeps it after: so hashing runs on these
threads only, never on the request threads (40 of them would keep 40 x 19 MiB)."""
HASH_WAIT_S = 5.0
"""How long a request waits for its hash (queue and work) before it is answered 503."""
HASH_BUSY_RETRY_AFTER_S = 2


_pool: list[ThreadPoolExecutor] = []
_pool_lock = threading.Lock()


def _hashing_threads() -> ThreadPoolExecutor:
    """The process's hashing threads, shared by every app in it; started on first use."""
    with _pool_lock:
        if not _pool:
            _pool.append(ThreadPoolExecutor(HASH_SLOTS, thread_name_prefix="argon2"))
        return _pool[0]


class LoginRefused(MidbackError):
    """Wrong email or password (never says which)."""


class HashingBusy(MidbackError):
    """Every hashing slot stayed taken for ``HASH_WAIT_S``: try again after ``retry_after``."""

    def __init__(self) -> None:
        self.retry_after = HASH_BUSY_RETRY_AFTER_S
        super().__init__("too many sign-ins at once; try again in a moment")


class PasswordProblem(MidbackError):
    """A new password that is not acceptable (says why, after the field's name)."""


class LoginLocked(MidbackError):
    """Too many failed logins: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many tries from here; try again in {retry_after} s")


@dataclass
class Auth:
    """Hashing, cookies and login checks for one app."""

    settings: Settings
    accounts: SqlAccounts

    def __post_init__(self) -> None:
        self.hasher = make_hasher()
        self._dummy = self._hashed(self.hasher.hash, _DUMMY_HASH_INPUT)
        self._signer = URLSafeTimedSerializer(
            self.settings.secret_key or "local-mode-has-no-sessions", salt="midback-session"
        )

    def _hashed(self, work: Callable[..., _T], *args: str) -> _T:
        """``work(*args)`` on one of the ``HASH_SLOTS`` hashing threads (HashingBusy when not
        done in ``HASH_WAIT_S``): argon2's memory is bounded however many sign-ins arrive."""
        future = _hashing_threads().submit(work, *args)
        try:
            return future.result(timeout=HASH_WAIT_S)
        except FutureTimeout:
            future.cancel()
            raise HashingBusy() from None

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        return self._hashed(self.hasher.hash, password)

    def login(self, email: str, password: str, *, client: str, now: datetime) -> Account:
        """The account for these credentials, throttled (LoginLocked) per account and address,
        per address, and per account from addresses it never signed in from.

        The attempt on this account from this address is counted before the password is
        checked (and forgotten on success), so parallel guesses at one account cannot slip past
        its lock; the address's and the account's wider counts take real failures only.
        """
        try:
            name = normalise_email(email)
        except EmailError:
            raise LoginRefused("wrong email or password") from None
        address = client_key(client)
        pair, known = {f"pair:{name}|{address}": PER_PAIR}, f"{name}|{address}"
        others = {f"client:{address}": PER_ADDRESS}
        if not self.accounts.is_known(known, since=now - KNOWN_FOR):
            others[f"account:{name}"] = PER_ACCOUNT
        locked = self.accounts.begin_attempt(pair, now, checked=list(others))
        if locked is not None:
            raise LoginLocked(max(1, int((locked - now).total_seconds() + 0.999)))
        found = self.accounts.by_email(name)
        stored = found[1] if found else None
        if not self._verify(stored or self._dummy, password) or found is None or stored is None:
            self.accounts.record_failures(others, now)
            raise LoginRefused("wrong email or password")
        self.accounts.succeeded(forget=f"pair:{name}|{address}", known=known, now=now)
        if self.hasher.check_needs_rehash(stored):
            self.accounts.set_password(found[0].id, self.hash(password), end_sessions=False)
        return found[0]

    def change_password(
        self, person_id: int, current: str, new: str, *, client: str, now: datetime
    ) -> None:
        """Set a new password after checking the current one (throttled like a login:
        LoginRefused, LoginLocked), and end every session of the person."""
        problem = password_problem(new)
        if problem:
            raise PasswordProblem(f"new_password: {problem}")
        account, _ = self.accounts.get(person_id)
        self.login(account.email or "", current, client=client, now=now)
        self.accounts.set_password(person_id, self.hash(new))

    def reset_password(self, email: str, code: str, new: str, *, client: str, now: datetime) -> int:
        """Set a new password with a reset code from ``midback user reset-code`` (throttled
        per account and address, and per address); ends every session; the person's id."""
        problem = password_problem(new)
        if problem:
            raise PasswordProblem(f"new_password: {problem}")
        try:
            name = normalise_email(email)
        except EmailError:
            raise AccountError("code: this reset code is wrong, used or expired") from None
        address = client_key(client)
        others = {f"client:{address}": PER_ADDRESS}
        pair = {f"reset:{name}|{address}": PER_PAIR}
        locked = self.accounts.begin_attempt(pair, now, checked=list(others))
        if locked is not None:
            raise LoginLocked(max(1, int((locked - now).total_seconds() + 0.999)))
        try:
            return self.accounts.reset_password(name, code, self.hash(new), now)
        except AccountError:
            self.accounts.record_failures(others, now)
            raise

    def count_signup(self, *, client: str, now: datetime) -> None:
        """Count a sign-up from ``client``; LoginLocked once an address has made
        ``PER_SIGNUP_ADDRESS.free`` in the last hour (sign-up says whether an email is taken, so
        asking it fast would list the accounts)."""
        key = f"signup:{client_key(client)}"
        locked = self.accounts.begin_attempt({key: PER_SIGNUP_ADDRESS}, now)
        if locked is not None:
            raise LoginLocked(max(1, int((locked - now).total_seconds() + 0.999)))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hashed(self.hasher.verify, stored, password)
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
        """Remove the session cookie, and have the browser drop what it kept of the person:
        HTTP cache, the service worker's caches, local storage (``Clear-Site-Data``; the pages
        send the player's queue, or warn that it will be lost, before they sign out)."""
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA

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
