"""Dependencies of routes, as ``Annotated`` aliases: the store, the catalogue, the person, now.

Those that only read the app's state are ``async``: FastAPI runs a plain ``def`` dependency in
its thread pool, a hop there and back on every request for each one (about a tenth of a cached
plan request's CPU time, measured). Anything that may wait on the database (the signed-in
person in server mode, the clinician's account) still runs in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from midback.domain.accounts import Role
from midback.domain.catalogue import Catalogue
from midback.services import LOCAL_PERSON
from midback.services.planning import PlanSeal
from midback.services.store import Accounts as SqlAccounts
from midback.services.store import Repository, local_file
from midback.settings import Settings
from midback.web.auth import Auth

T = TypeVar("T")

QUEUE_THREADS = 2
"""How many CPU-bound reads (``queued``) one worker process runs at once, with a server
database."""


def read_queue(database_url: str) -> CapacityLimiter | None:
    """The queue ``queued`` runs CPU-bound reads in: None for a SQLite store (they run on the
    event loop), QUEUE_THREADS threads for a server database (PostgreSQL)."""
    if local_file(database_url):
        return None
    return CapacityLimiter(QUEUE_THREADS)


async def queued(request: Request, work: Callable[[], T]) -> T:
    """``work()``, a CPU-bound read (a plan, a timeline, the plan and history pages).

    With a SQLite store it runs on the event loop itself, in arrival order: its reads are of a
    local file and never wait on a writer (WAL), and a hop to a thread and back cost more than
    it saved, since the interpreter lock lets one thread run at a time anyway: the event loop
    and the thread handed the lock back and forth. Measured at 8 clients on one worker, A/B in
    the same minutes: a new plan body each request 444-531 -> 579-610 requests/s (p99 31-36 ->
    32-34 ms), a new timeline 397-458 -> 494-525 requests/s, a cached plan 1,250 -> 1,560-1,830
    requests/s, the history page right after a write p99 27-32 -> 16-19 ms.

    With a server database a read waits on the network, so the work goes to a thread of the
    app's queue (``read_queue``): at most QUEUE_THREADS at once, the others waiting in arrival
    order. In FastAPI's own pool (up to 40 threads taking turns on one interpreter lock) a long
    plan took as long as every request running beside it; queued, a request waits for those
    ahead and then takes its own time (a new plan body each request p99 157-164 -> 80-98 ms, when
    every store was queued). Only work that never waits on a lock goes here: no writes, no
    password hashing."""
    limiter: CapacityLimiter | None = request.app.state.queue
    if limiter is None:
        return work()
    return await anyio.to_thread.run_sync(work, limiter=limiter)


async def written(request: Request, work: Callable[[], T]) -> T:
    """``work()``, a short write of one person's records (an exercise logged).

    With a SQLite store it runs on the event loop, as ``queued`` reads do: a commit to a local
    file in WAL mode takes about a millisecond, and the writes took turns at the store's writer
    lock (``storage.engine.SqliteWriter``) anyway, so the hop to FastAPI's thread pool and back
    only added the interpreter lock's hand-offs. Measured at 8 clients, A/B in the same minutes
    (two runs each, alternating twice): a log write on one worker 245-305 -> 430-521 requests/s,
    p50 26-32 -> 13-17 ms, p99 38-51 -> 36-44 ms; on two workers 343-364 -> 614-769 requests/s,
    p99 40-46 -> 21-28 ms. While the other worker process holds the writer lock, this worker's
    loop waits for it (a commit's length; the two-worker runs include that). With a server
    database the write waits on the network and on row locks, so it runs in FastAPI's thread
    pool, as before."""
    if request.app.state.queue is None:  # a SQLite store (``read_queue``)
        return work()
    return await run_in_threadpool(work)


async def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


async def _catalogue(request: Request) -> Catalogue:
    cat: Catalogue = request.app.state.catalogue
    return cat


async def _person(request: Request) -> int:
    """The signed-in person; in local mode, the one implicit person. 401 when signed out."""
    settings: Settings = request.app.state.settings
    if settings.mode == "local":
        return LOCAL_PERSON
    auth: Auth = request.app.state.auth
    person = await run_in_threadpool(auth.person, request)  # may read the database
    if person is None:
        raise HTTPException(status_code=401, detail="sign in first")
    return person


def _clinician(request: Request, person: Annotated[int, Depends(_person)]) -> int:
    """The signed-in clinician (403 for anyone else)."""
    accounts: SqlAccounts = request.app.state.accounts
    account, _ = accounts.get(person)
    if account.role is not Role.CLINICIAN:
        raise HTTPException(status_code=403, detail="for clinicians only")
    return person


async def _accounts(request: Request) -> SqlAccounts:
    accounts: SqlAccounts = request.app.state.accounts
    return accounts


async def _auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


async def _seal(request: Request) -> PlanSeal:
    seal: PlanSeal = request.app.state.plan_seal
    return seal


async def _now(request: Request) -> datetime:
    """The app's clock (``create_app(clock=...)``; the wall clock in UTC by default). A
    coroutine: FastAPI runs a plain function dependency in the thread pool, a hop per request
    for a clock read."""
    now: datetime = request.app.state.clock()
    return now


@dataclass(frozen=True)
class Served:
    """What the busiest routes (the plan, the timeline, the plan page) read of the app and the
    request, in one dependency: the store, the catalogue, the person (as ``PersonId``: 401 when
    signed out) and the time. FastAPI solves each of a route's dependencies on every request,
    and ``Repo``, ``Cat``, ``PersonId`` and ``Now`` were four: a cached plan 0.49 -> 0.41 ms
    in-process (A/B, 4 interleaved runs each)."""

    repo: Repository
    cat: Catalogue
    person: int
    now: datetime


async def _served(request: Request) -> Served:
    return Served(
        await _repo(request), await _catalogue(request), await _person(request), await _now(request)
    )


Repo = Annotated[Repository, Depends(_repo)]
Cat = Annotated[Catalogue, Depends(_catalogue)]
PersonId = Annotated[int, Depends(_person)]
Now = Annotated[datetime, Depends(_now)]
Seal = Annotated[PlanSeal, Depends(_seal)]
ClinicianId = Annotated[int, Depends(_clinician)]
Accounts = Annotated[SqlAccounts, Depends(_accounts)]
AuthDep = Annotated[Auth, Depends(_auth)]
ServedDep = Annotated[Served, Depends(_served)]
