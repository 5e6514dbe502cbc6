"""80 sign-ins at once against one server process: argon2's memory stays bounded (issue 15,
item 2). Each hash holds ``ARGON2_MEMORY_KIB``; at most ``HASH_SLOTS`` run at once, the rest
wait their turn (or get 503 with Retry-After), so the process's peak RSS grows by a few hashes'
worth, not 80."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from midback.domain.accounts import Role
from midback.services.accounts import ARGON2_MEMORY_KIB, make_hasher
from midback.storage import make_engine
from midback.storage.accounts import SqlAccounts
from midback.web.auth import HASH_SLOTS
from tests.load.servers import serving
from tests.loops import run_in_own_loop
from tests.pg import new_sqlite

LOGINS = 80
PASSWORD = "memory test password 1"
DEADLINE_S = 60.0
GROWTH_LIMIT_MIB = 160
"""Peak RSS may grow by this much: HASH_SLOTS (at most 4) x 19 MiB, and room for 80 requests
in flight. Without the bound, 40 threads hashing at once take 40 x 19 MiB = 760 MiB."""


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


async def _login_all(url: str, emails: list[str]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=DEADLINE_S) as client:

        async def one(email: str) -> int:
            body = {"email": email, "password": PASSWORD}
            response = await client.post("/api/v1/auth/login", json=body)
            return response.status_code

        return await asyncio.wait_for(asyncio.gather(*(one(e) for e in emails)), DEADLINE_S)


@pytest.mark.load
def test_eighty_parallel_logins_keep_a_worker_s_memory_bounded(tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the server's RSS")
    url = new_sqlite(tmp_path, migrated=True)
    engine = make_engine(url)
    accounts, password_hash = SqlAccounts(engine), make_hasher().hash(PASSWORD)
    emails = [f"memory{n:03d}@example.org" for n in range(LOGINS + 1)]
    for email in emails:
        accounts.create(email, password_hash, role=Role.PERSON, at=datetime.now(UTC))
    engine.dispose()
    with serving(url, tmp_path) as (server,):
        pid = server.process.pid
        assert run_in_own_loop(_login_all(server.url, emails[:1])) == [200]  # warm: one of each
        before = _kib(pid, "VmRSS")
        statuses = run_in_own_loop(_login_all(server.url, emails[1:]))
        peak = _kib(pid, "VmHWM")
    growth_mib = (peak - before) / 1024
    print(f"\n{LOGINS} parallel logins: peak RSS +{growth_mib:.0f} MiB "
          f"({HASH_SLOTS} slots of {ARGON2_MEMORY_KIB // 1024} MiB)")  # fmt: skip
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= LOGINS // 2
    assert growth_mib < GROWTH_LIMIT_MIB
