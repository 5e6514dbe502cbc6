"""Plans and timelines are CPU-bound reads (``deps.queued``): with a SQLite store they run on
the event loop; with a server database in the app's queue, at most ``QUEUE_THREADS`` at once,
the others waiting their turn. A logged exercise (``deps.written``) is written on the event loop
with SQLite and in the thread pool with a server database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import anyio
import httpx
import pytest
from anyio import CapacityLimiter

from midback.settings import Settings
from midback.web.app import create_app
from midback.web.deps import QUEUE_THREADS, queued, read_queue, written
from tests.integration.helpers import screen_answers

BODY = {"minutes": 10, "place": "home"}


@pytest.mark.parametrize("path", ["/api/v1/plan", "/api/v1/timeline"])
def test_a_plan_waits_while_the_queue_is_full_and_is_made_in_its_turn(
    tmp_path: Path, path: str
) -> None:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    assert app.state.queue is None  # a SQLite store plans on the event loop
    # As with a server database (a PostgreSQL store here would need a server).
    queue = app.state.queue = read_queue("postgresql+psycopg://midback@db.example/midback")
    assert queue is not None and queue.total_tokens == QUEUE_THREADS

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            screened = await client.post("/api/v1/screen", json=screen_answers())
            assert screened.status_code == 200, screened.text
            answers: list[httpx.Response] = []

            async def ask() -> None:
                answers.append(await client.post(path, json=BODY))

            busy = [object() for _ in range(QUEUE_THREADS)]
            for planner in busy:  # the queue is full: every thread is planning
                await queue.acquire_on_behalf_of(planner)
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(ask)
                await anyio.sleep(0.3)
                assert answers == []  # still waiting its turn
                queue.release_on_behalf_of(busy[0])  # a thread comes free
            return answers

    # An event loop of its own: the browser tests may have one running in this thread.
    with ThreadPoolExecutor(1) as thread:
        answers = thread.submit(anyio.run, scenario).result()
    assert [a.status_code for a in answers] == [200]
    made = answers[0].json()
    assert made.get("plan", made)["minutes"] == 10


def test_which_store_queues_its_reads() -> None:
    assert read_queue("sqlite:///m.db") is None
    assert read_queue("sqlite://") is None
    queue = read_queue("postgresql+psycopg://midback@db.example/midback")
    assert isinstance(queue, CapacityLimiter) and queue.total_tokens == QUEUE_THREADS


@pytest.mark.parametrize("run", [queued, written], ids=["read", "write"])
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_work_runs_on_the_event_loop_with_sqlite_and_in_a_thread_otherwise(
    database: str, run: Any
) -> None:
    url = "sqlite:///m.db" if database == "sqlite" else "postgresql://db.example/midback"
    request = cast(Any, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace())))
    request.app.state.queue = read_queue(url)

    async def scenario() -> tuple[int, int]:
        return threading.get_ident(), await run(request, threading.get_ident)

    with ThreadPoolExecutor(1) as thread:
        loop_thread, work_thread = thread.submit(anyio.run, scenario).result()
    assert (work_thread == loop_thread) is (database == "sqlite")


def test_a_logged_exercise_is_written_on_the_event_loop_with_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from midback.services import sessions

    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    threads: list[int] = []
    log = sessions.log

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return log(*args, **kwargs)

    monkeypatch.setattr(sessions, "log", spy)

    async def scenario() -> tuple[int, list[int]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.post("/api/v1/screen", json=screen_answers())).status_code == 200
            started = await client.post("/api/v1/sessions", json=BODY)
            assert started.status_code == 201, started.text
            session_id = started.json()["session"]["id"]
            logs = f"/api/v1/sessions/{session_id}/logs"
            body = {"position": 0, "status": "completed", "idempotency_key": "log-0001"}
            answers = [await client.post(logs, json=body) for _ in range(2)]
            codes = [a.status_code for a in answers]
            assert codes == [201, 201], answers[0].text
            assert answers[0].json() == answers[1].json()  # the retry is the same log
            stored = await client.get(f"/api/v1/sessions/{session_id}")
            assert stored.status_code == 200, stored.text
            return threading.get_ident(), codes

    with ThreadPoolExecutor(1) as thread:
        loop_thread, _ = thread.submit(anyio.run, scenario).result()
    assert threads and set(threads) == {loop_thread}
