"""Accounts in server mode: roles, the people a clinician may see, and login back-off (pure)."""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from midback.errors import MidbackError

MIN_PASSWORD_LENGTH = 10
FREE_FAILURES = 4
"""Failed logins of one account from one address allowed before any wait."""
FIRST_LOCK_S = 2
MAX_LOCK_S = 15 * 60
FORGET_AFTER = timedelta(hours=1)
"""A throttle key's failures are forgotten after this long without one."""


@dataclass(frozen=True)
class Backoff:
    """How one kind of throttle key backs off: ``free`` failures, then ``first_s`` seconds,
    doubling with each further failure up to ``max_s``."""

    free: int
    first_s: int
    max_s: int

    def wait(self, failures: int) -> timedelta:
        """How long to refuse after ``failures`` failures in a row."""
        extra = failures - self.free
        if extra <= 0:
            return timedelta(0)
        return timedelta(seconds=min(self.max_s, self.first_s * 2 ** min(extra - 1, 30)))


PER_PAIR = Backoff(free=FREE_FAILURES, first_s=FIRST_LOCK_S, max_s=MAX_LOCK_S)
"""One account guessed from one address: the owner's own mistakes and a targeted guesser."""
PER_ADDRESS = Backoff(free=20, first_s=FIRST_LOCK_S, max_s=MAX_LOCK_S)
"""One address guessing many accounts (password spraying); generous, as one proxy or office
address may carry many people."""
PER_ACCOUNT = Backoff(free=20, first_s=FIRST_LOCK_S, max_s=MAX_LOCK_S)
"""One account guessed from many addresses: a ceiling that never applies to the addresses the
account signed in from before (so an attacker cannot lock the owner out)."""
PER_SIGNUP_ADDRESS = Backoff(free=5, first_s=FIRST_LOCK_S, max_s=MAX_LOCK_S)
"""Accounts created from one address (sign-up, when on)."""
KNOWN_FOR = timedelta(days=90)
"""An address that signed in to an account is its owner's for this long."""


class Role(StrEnum):
    """What an account may do."""

    PERSON = "person"
    CLINICIAN = "clinician"


class Account(BaseModel):
    """A signed-up person (never carries the password hash out of storage)."""

    model_config = ConfigDict(frozen=True)

    id: int
    email: str | None
    role: Role
    created_at: datetime
    display_name: str | None = None


class Patient(BaseModel):
    """What a clinician sees of a linked person: adherence and pain trend, read-only."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    email: str | None
    linked_at: datetime
    display_name: str | None = None

    @property
    def name(self) -> str:
        """How the person is named: their display name, else their email."""
        return self.display_name or self.email or f"person {self.person_id}"


class Scope(BaseModel):
    """What a person lets one clinician see: ``full`` the whole record (sessions, notes,
    screens), else a summary (sessions per week and the pain trend); ``since`` hides what
    came before it (None: earlier data included)."""

    model_config = ConfigDict(frozen=True)

    full: bool = False
    since: datetime | None = None

    def shows(self, at: datetime) -> bool:
        """Whether a record made at ``at`` is within the scope."""
        return self.since is None or at >= self.since

    @property
    def label(self) -> str:
        """The scope in words, as the person's account page lists it."""
        what = "full record" if self.full else "summary only"
        return what + (", earlier data included" if self.since is None else ", from linking on")


class LinkedClinician(BaseModel):
    """A clinician a person linked to (who may read what ``scope`` grants)."""

    model_config = ConfigDict(frozen=True)

    clinician_id: int
    email: str | None
    linked_at: datetime
    display_name: str | None = None
    scope: Scope = Scope()

    @property
    def name(self) -> str:
        """How the clinician is named: their display name, else their email."""
        return self.display_name or self.email or f"clinician {self.clinician_id}"


class Invite(BaseModel):
    """An invite code a clinician gives to a person, good once until it expires."""

    model_config = ConfigDict(frozen=True)

    code: str
    created_at: datetime
    expires_at: datetime
    patient_name: str | None = None
    """Whom the clinician made it for (their own label; the person need not match it)."""

    @property
    def shown(self) -> str:
        """The code as printed for people: groups of four (``ABCD-EFGH``)."""
        return show_code(self.code)


class Assignment(BaseModel):
    """A program a clinician assigned."""

    model_config = ConfigDict(frozen=True)

    id: int
    person_id: int
    clinician_id: int
    program_id: str
    note: str | None
    assigned_at: datetime


CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Invite code letters: digits and capitals without 0/O, 1/I/L, which read alike."""
CODE_LENGTH = 8
"""Letters in an invite code: 31**8 (about 8.5e11) codes, each good once for days."""
MAX_NAME_LENGTH = 80
"""The longest display name (the column's width)."""


def show_code(code: str) -> str:
    """``code`` in groups of four, for reading out and typing back."""
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return code  # an older code: shown as it is
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str:
    """An invite code as typed, in its stored form: upper case, without spaces or dashes."""
    return "".join(c for c in text.upper() if c not in " -\t")


def clean_display_name(text: str) -> str | None:
    """A display name as stored: NFKC, trimmed; None for empty. DisplayNameError when it
    holds a control or invisible character or is over ``MAX_NAME_LENGTH``."""
    name = unicodedata.normalize("NFKC", text).strip()
    if not name:
        return None
    if len(name) > MAX_NAME_LENGTH:
        raise DisplayNameError(f"display_name: over {MAX_NAME_LENGTH} characters")
    bad = next((c for c in name if unicodedata.category(c) in _INVISIBLE), None)
    if bad is not None:
        raise DisplayNameError(
            f"display_name: contains an invisible or control character (U+{ord(bad):04X})"
        )
    return name


class AccountError(MidbackError):
    """An account request that cannot be done (email taken, invite used, not a clinician)."""


class DisplayNameError(MidbackError):
    """Text that cannot be a display name (says why)."""


RESET_CODE_VALID = timedelta(hours=1)
"""How long a password reset code from ``midback user reset-code`` works."""


def lockout(failures: int) -> timedelta:
    """How long to refuse one account from one address after ``failures`` failed tries.

    Nothing for the first FREE_FAILURES, then FIRST_LOCK_S seconds doubling with each further
    failure, at most MAX_LOCK_S.
    """
    return PER_PAIR.wait(failures)


def client_key(address: str) -> str:
    """The throttle's name for a client address: IPv4 as it is, IPv6 by its /64 (one host
    holds a whole /64, so its single addresses are free to the attacker)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "a password must not start or end with spaces"
    return None


MAX_EMAIL_LENGTH = 320
"""The longest email (RFC 5321's 64 + 1 + 255), also the column's width."""


class EmailError(MidbackError):
    """Text that cannot be an account's email (says why)."""


def normalise_email(email: str) -> str:
    """The one form an email is stored and compared in: NFKC (full-width and other look-alike
    forms folded to the plain letters), trimmed, lower case.

    EmailError when it is not ``name@domain``, holds a control or invisible (zero-width,
    bidirectional) character, or is over ``MAX_EMAIL_LENGTH`` once normalised.
    """
    text = unicodedata.normalize("NFKC", email).strip().lower()
    bad = next((c for c in text if unicodedata.category(c) in _INVISIBLE), None)
    if bad is not None:
        raise EmailError(f"email: contains an invisible or control character (U+{ord(bad):04X})")
    if len(text) > MAX_EMAIL_LENGTH:
        raise EmailError(f"email: over {MAX_EMAIL_LENGTH} characters")
    name, at, domain = text.rpartition("@")
    if not at or not name or not domain or any(c.isspace() for c in text):
        raise EmailError("email: expected name@domain")
    return text


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories never in an email: control, format (zero-width, bidi), surrogate,
private use, unassigned, line and paragraph separators."""
