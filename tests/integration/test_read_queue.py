"""Plans and timelines are made in the app's queue of CPU-bound reads (``deps.queued``): at most
``QUEUE_THREADS`` at once, the others waiting their turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx
import pytest

from midback.settings import Settings
from midback.web.app import create_app
from midback.web.deps import QUEUE_THREADS
from tests.integration.helpers import screen_answers

BODY = {"minutes": 10, "place": "home"}


@pytest.mark.parametrize("path", ["/api/v1/plan", "/api/v1/timeline"])
def test_a_plan_waits_while_the_queue_is_full_and_is_made_in_its_turn(
    tmp_path: Path, path: str
) -> None:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    queue = app.state.queue
    assert queue.total_tokens == QUEUE_THREADS

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
