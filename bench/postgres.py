"""A throwaway PostgreSQL cluster on loopback, for the storage benchmark, where one can run.

Debian's binaries (``/usr/lib/postgresql/N/bin``, newest first; ``MIDBACK_PG_BIN`` names
another folder). When we are root the cluster belongs to the ``postgres`` account, since
PostgreSQL refuses to run as root. Durability is traded for load speed (``fsync=off``), which
changes no query plan.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench.server import free_port

SUPERUSER = "postgres"


def bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None."""
    folders = [Path(os.environ["MIDBACK_PG_BIN"])] if os.environ.get("MIDBACK_PG_BIN") else []
    folders += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in folders:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _run(folder: Path, program: str, *args: str) -> None:
    command = [str(folder / program), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", SUPERUSER, "--", *command]
    subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@dataclass(frozen=True)
class Cluster:
    """A running cluster on 127.0.0.1:``port``."""

    port: int
    version: str

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` (psycopg 3, over TCP)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()
        return self.url(name)


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A running cluster in a temporary folder, stopped and removed when the block ends."""
    folder = bin_dir()
    if folder is None:
        raise FileNotFoundError("PostgreSQL's initdb and pg_ctl were not found")
    root = Path(tempfile.mkdtemp(prefix="midback-bench-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, user=SUPERUSER)
    started = False
    try:
        _run(
            folder,
            "initdb",
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=256MB"
        )
        _run(
            folder,
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        started = True
        probe = Cluster(port, "")
        engine = sa.create_engine(probe.url(), poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                version = str(connection.exec_driver_sql("SHOW server_version").scalar())
        finally:
            engine.dispose()
        yield Cluster(port, version)
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                _run(folder, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
