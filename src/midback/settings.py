"""Settings: where midback keeps its data and how it serves, read from the environment when asked.

Nothing is read at import. Each field names the environment variable that sets it (``ENV_VARS``);
a test fails when one is missing from the README.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

from midback.errors import MidbackError
from midback.words import yes_no

ENV_VARS: dict[str, str] = {
    "home": "MIDBACK_HOME",
    "database_url": "MIDBACK_DATABASE_URL",
    "mode": "MIDBACK_MODE",
    "secret_key": "MIDBACK_SECRET_KEY",
    "allow_signup": "MIDBACK_SIGNUP",
    "secure_cookies": "MIDBACK_SECURE_COOKIES",
    "allowed_hosts": "MIDBACK_ALLOWED_HOSTS",
    "access_token": "MIDBACK_ACCESS_TOKEN",
    "invite_days": "MIDBACK_INVITE_DAYS",
}
"""Field name -> the environment variable that sets it."""

MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
"""What ``_entropy_bits`` must find in a secret key (secrets.token_urlsafe(32) has ~190)."""
KNOWN_DEFAULT_SECRETS = frozenset(
    {"changeme", "change-me", "secret", "secret-key", "dev", "development", "midback", "password"}
)


class SettingsError(MidbackError):
    """Settings that cannot work (e.g. server mode without a strong secret key)."""


class Settings(BaseModel):
    """Where midback keeps its data and how the web app serves. Build with ``from_env()``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(
        description=(
            "Folder for midback's data (MIDBACK_HOME); default: the platform's user data "
            "folder, e.g. ~/.local/share/midback on Linux."
        )
    )
    database_url: str = Field(
        description=(
            "SQLAlchemy URL of the database (MIDBACK_DATABASE_URL); default: "
            "sqlite:///{home}/midback.db."
        )
    )
    mode: Literal["local", "server"] = Field(
        default="local",
        description="local: one implicit person, no login; server: accounts (MIDBACK_MODE).",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs session cookies in server mode; at least 32 characters.",
        repr=False,
    )
    allow_signup: bool = Field(
        default=False, description="Server mode: anyone may create an account (MIDBACK_SIGNUP)."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure (set when served behind https; MIDBACK_SECURE_COOKIES).",
    )

    allowed_hosts: tuple[str, ...] = Field(
        default=(),
        description=(
            "Host names the app answers to besides loopback and the address it serves on "
            "(MIDBACK_ALLOWED_HOSTS, comma-separated; '*.example.org' for subdomains)."
        ),
    )
    access_token: str | None = Field(
        default=None,
        description=(
            "Local mode: every route but static files needs this token once (the URL `serve` "
            "prints on a network address), then a cookie signed with it (MIDBACK_ACCESS_TOKEN)."
        ),
        repr=False,
    )

    invite_days: int = Field(
        default=7, ge=1, le=90,
        description="Server mode: days a clinician's invite code stays good (MIDBACK_INVITE_DAYS).",
    )  # fmt: skip

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); empty variables count as unset."""
        env = os.environ if environ is None else environ
        home_text = env.get(ENV_VARS["home"])
        home = Path(home_text).expanduser() if home_text else platformdirs.user_data_path("midback")
        database_url = env.get(ENV_VARS["database_url"]) or f"sqlite:///{home / 'midback.db'}"
        mode = env.get(ENV_VARS["mode"]) or "local"
        if mode not in ("local", "server"):
            raise SettingsError(f"{ENV_VARS['mode']}: {mode!r} is not local or server")
        return cls(
            home=home,
            database_url=database_url,
            mode=mode,
            secret_key=env.get(ENV_VARS["secret_key"]) or None,
            allow_signup=_flag(env, "allow_signup"),
            secure_cookies=_flag(env, "secure_cookies"),
            allowed_hosts=_names(env.get(ENV_VARS["allowed_hosts"]) or ""),
            access_token=env.get(ENV_VARS["access_token"]) or None,
            invite_days=_whole(env, "invite_days", default=7),
        )

    def check_server(self) -> None:
        """Refuse server mode without a strong secret key (SettingsError says why)."""
        if self.mode != "server":
            return
        key = self.secret_key or ""
        name = ENV_VARS["secret_key"]
        if not key:
            raise SettingsError(f"{name} is required in server mode")
        if len(key) < MIN_SECRET_LENGTH:
            raise SettingsError(f"{name} must be at least {MIN_SECRET_LENGTH} characters")
        if key.strip().lower() in KNOWN_DEFAULT_SECRETS or len(set(key)) < 8:
            raise SettingsError(f"{name} is a known default or too simple; use a random key")
        if _entropy_bits(key) < MIN_SECRET_BITS:
            raise SettingsError(
                f"{name} looks guessable (about {_entropy_bits(key):.0f} bits; needs "
                f"{MIN_SECRET_BITS}); use a random key, e.g. python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'"
            )


def _entropy_bits(key: str) -> float:
    """A cautious estimate of a key's randomness: its length times the Shannon entropy of its
    characters, counting a character that follows its neighbour in a run (``abcd``, ``1234``,
    ``aaaa``) as adding nothing."""
    fresh = [c for i, c in enumerate(key) if i == 0 or abs(ord(c) - ord(key[i - 1])) > 1]
    if not fresh:
        return 0.0
    counts = Counter(fresh)
    per_char = -sum(n / len(fresh) * math.log2(n / len(fresh)) for n in counts.values())
    return per_char * len(fresh)


def _whole(env: Mapping[str, str], field: str, *, default: int) -> int:
    text = (env.get(ENV_VARS[field]) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 90:
        raise SettingsError(f"{ENV_VARS[field]}: {text!r} is not a whole number from 1 to 90")
    return int(text)


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in text.split(",") if name.strip())


def _flag(env: Mapping[str, str], field: str) -> bool:
    value = env.get(ENV_VARS[field])
    flag = yes_no(value)
    if flag is None:
        raise SettingsError(f"{ENV_VARS[field]}: {value!r} is not true or false")
    return flag
