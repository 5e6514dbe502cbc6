"""Settings: where midback keeps its data, read from the environment when asked, never at import.

Each field names the environment variable that overrides it (see ``ENV_VARS``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

ENV_VARS: dict[str, str] = {
    "home": "MIDBACK_HOME",
    "database_url": "MIDBACK_DATABASE_URL",
}
"""Field name -> the environment variable that sets it."""


class Settings(BaseModel):
    """Where midback keeps its data. Build with ``Settings.from_env()`` (or by hand in tests)."""

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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); empty variables count as unset."""
        env = os.environ if environ is None else environ
        home_text = env.get(ENV_VARS["home"])
        home = Path(home_text).expanduser() if home_text else platformdirs.user_data_path("midback")
        database_url = env.get(ENV_VARS["database_url"]) or f"sqlite:///{home / 'midback.db'}"
        return cls(home=home, database_url=database_url)
