"""A throwaway PostgreSQL for tests: its own cluster in a temp folder, on a free loopback port.

``pg_server`` (session) starts one when PostgreSQL's binaries are there (Debian's
``postgresql-15``: ``/usr/lib/postgresql/15/bin``; ``MIDBACK_PG_BIN`` names another folder) and
skips the PostgreSQL tests, saying why, when they are not, unless ``MIDBACK_REQUIRE_PG=1`` (as CI
sets), where a missing server fails instead. ``pg_database`` gives each test fresh databases and
empties them after, for later tests. Every server is stopped and its folder removed when the test
session ends. ``uv run python -m tests.pg`` starts one by hand and prints its URL.

The shared cluster trades durability for speed (``fsync=off``, ``synchronous_commit=off``). A
``durable`` one (the fault tests') keeps synchronous commit: stopped like a crash, it still has
every transaction it acknowledged (only a crash of the machine itself could lose one).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from midback.storage.engine import make_engine, upgrade

REQUIRE_ENV = "MIDBACK_REQUIRE_PG"
"""Set to 1 (CI does) to fail, not skip, when no PostgreSQL server can be started."""
BIN_ENV = "MIDBACK_PG_BIN"
"""A folder with initdb and pg_ctl, to use instead of Debian's."""
SUPERUSER = "postgres"
"""initdb names the superuser after the account that runs it; we always run it as postgres."""
START_TIMEOUT_S = 30
ROOT_PREFIX = "midback-pg-"
OWNER_FILE = "owner.pid"
"""The test process that started the cluster; a later run stops clusters whose owner died."""

NewDatabase = Callable[..., str]
"""``new(migrated=False) -> url``: a fresh, empty (or migrated) database's SQLAlchemy URL."""


def find_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: ``MIDBACK_PG_BIN`` when set (and only it), else
    Debian's newest, else the one on PATH."""
    if os.environ.get(BIN_ENV):
        candidates = [Path(os.environ[BIN_ENV])]
    else:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _sweep_orphans(bin_dir: Path) -> None:
    """Stop and delete the clusters of test runs that were killed before they could (their
    owner process is gone)."""
    for root in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # being created, or not ours
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            PgServer(bin_dir, root).remove()
        except PermissionError:
            pass  # alive, another account's


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in ``root`` (owned by the postgres account when we are root)."""

    def __init__(self, bin_dir: Path, root: Path, *, durable: bool = True) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.durable = durable
        self._names = itertools.count(1)
        self._lock = threading.Lock()
        self._clean: list[str] = []

    @classmethod
    def create(cls, *, durable: bool = True) -> PgServer:
        """A new cluster in a new temp folder, started. RuntimeError says what went wrong."""
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError(
                "PostgreSQL's initdb and pg_ctl were not found (apt-get install postgresql-15,"
                f" or set {BIN_ENV})"
            )
        _sweep_orphans(bin_dir)
        root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        (root / OWNER_FILE).write_text(str(os.getpid()))
        server = cls(bin_dir, root, durable=durable)
        try:
            if os.geteuid() == 0:
                shutil.chown(root, user=SUPERUSER, group=None)
            server._run("initdb", "-D", str(server.data), "-A", "trust", "-U", SUPERUSER,
                        "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
            server.start()
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return server

    # -- the server --------------------------------------------------------------------------

    def start(self) -> None:
        """Start (again) and wait until it takes connections."""
        options = [
            f"-p {self.port}",
            f"-k {self.root}",
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=200",
            "-c fsync=off",  # no machine crash to survive; commits still reach the WAL
            "-c full_page_writes=off",
        ]
        if not self.durable:
            options.append("-c synchronous_commit=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", " ".join(options), "-w", "-t", str(START_TIMEOUT_S), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop: ``fast`` ends sessions cleanly, ``immediate`` is like a crash (WAL replay)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop (if running) and delete the cluster's folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise subprocess.CalledProcessError(
                result.returncode, command, result.stdout, f"{result.stderr}\n{tail}"
            )

    # -- databases ---------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this server (psycopg 3, over TCP on loopback)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, migrated: bool = False) -> str:
        """An empty database (at the newest revision if ``migrated``); its URL.

        Databases given back (``give_back``) are emptied and used again: resetting one takes a
        few milliseconds, while creating one after another was dropped waits on a checkpoint.
        """
        with self._lock:
            name = self._clean.pop() if self._clean else None
            if name is None:
                name = f"test_{os.getpid()}_{next(self._names)}"
                self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        url = self.url(name)
        if migrated:
            upgrade(url)
        return url

    def give_back(self, url: str) -> None:
        """End every connection to the database of ``url``, empty it, and keep it for reuse."""
        name = sa.make_url(url).database
        assert name is not None
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        engine = make_engine(url, poolclass=sa.NullPool)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            engine.dispose()
        with self._lock:
            self._clean.append(name)

    def _admin(self, statement: str) -> None:
        engine = make_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()


# -- pytest fixtures (import them into a conftest.py) ------------------------------------------

_shared: dict[str, PgServer] = {}
_users = {"count": 0}


def start_or_skip(*, durable: bool = True) -> PgServer:
    """A new server; skips the test when PostgreSQL is missing (fails with MIDBACK_REQUIRE_PG=1)."""
    try:
        return PgServer.create(durable=durable)
    except (FileNotFoundError, subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        reason = f"no PostgreSQL server for the tests: {detail}".strip()
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The test session's PostgreSQL, shared by every conftest that imports this fixture."""
    if "server" not in _shared:
        _shared["server"] = start_or_skip(durable=False)
    _users["count"] += 1
    try:
        yield _shared["server"]
    finally:
        _users["count"] -= 1
        if _users["count"] == 0:
            _shared.pop("server").remove()


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[NewDatabase]:
    """Makes fresh databases on ``pg_server`` (``migrated=True`` for one at the newest revision);
    they are emptied when the test ends, for later tests."""
    made: list[str] = []

    def new(*, migrated: bool = False) -> str:
        url = pg_server.create_database(migrated=migrated)
        made.append(url)
        return url

    yield new
    for url in made:
        pg_server.give_back(url)


# -- both backends ---------------------------------------------------------------------------

BACKENDS = ["sqlite", "postgresql"]
"""The databases the storage and API tests run on."""
_files = itertools.count()


def new_sqlite(tmp_path: Path, *, migrated: bool = False) -> str:
    """The URL of a new SQLite file in ``tmp_path`` (at the newest revision if ``migrated``)."""
    url = f"sqlite:///{tmp_path / 'data' / f'store{next(_files)}.db'}"
    if migrated:
        upgrade(url)
    return url


def migrated_database(request: pytest.FixtureRequest, backend: str) -> str:
    """A database of ``backend`` at the newest revision, for fixtures with params of their own:
    a SQLite file in the test's tmp_path, or a fresh PostgreSQL database (``pg_database``)."""
    if backend == "postgresql":
        pg: NewDatabase = request.getfixturevalue("pg_database")
        return pg(migrated=True)
    return new_sqlite(request.getfixturevalue("tmp_path"), migrated=True)


def main() -> None:
    """``uv run python -m tests.pg``: a throwaway server with one migrated database, for trying
    midback on PostgreSQL by hand; stops and deletes everything on Enter or Ctrl+C."""
    server = PgServer.create()
    try:
        url = server.create_database(migrated=True)
        print(f"export MIDBACK_DATABASE_URL={url}")
        with contextlib.suppress(KeyboardInterrupt, EOFError):
            input("PostgreSQL is running; press Enter to stop it.\n")
    finally:
        server.remove()


if __name__ == "__main__":
    main()
