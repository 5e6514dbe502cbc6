"""Account use cases both faces share: how passwords are hashed and checked.

The terminal (``midback user add``, ``set-password``) and the web (sign-up, password change,
login) hash with the same ``make_hasher`` and refuse the same weak passwords.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from midback.domain.accounts import password_problem
from midback.errors import MidbackError

ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1
"""OWASP's argon2id parameters (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1). Hashes made
with others (argon2-cffi's defaults use 64 MiB) are rehashed at the next sign-in."""


class WeakPassword(MidbackError):
    """A password midback refuses (too short, too common, ...): the message says why."""


def make_hasher() -> PasswordHasher:
    """The password hasher every part of midback uses (``ARGON2_*``)."""
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
    )


def checked_password(password: str) -> str:
    """``password`` if midback accepts it, else WeakPassword naming the problem."""
    problem = password_problem(password)
    if problem:
        raise WeakPassword(f"password: {problem}")
    return password
