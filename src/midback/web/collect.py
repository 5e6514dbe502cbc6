"""Young garbage collections at a steady pace in a served worker (``app_from_env``).

Python collects its young generation when the objects made since the last collection outnumber
those freed by 700. A worker's caches let go of about as many objects as they keep (each new
plan kept, some 65 objects, pushes the oldest out), so that count hardly rises: a collection
came only when one request's own short-lived objects tipped it over, and it then scanned all
that was kept since the last one. Measured in-process over 3,000 new plans: pauses of 13-19 ms
that freed nothing, the young generations holding 33,000 objects (the last 512 plans, all still
kept). Collected every ``EVERY`` requests they hold a few requests' worth: the longest new plan
9-11 ms against 14-33 ms, and less time collecting in all (50-90 against 84-165 ms per 3,000
requests of the plan, new shape and plan page misses). At 8 clients on one worker (uvicorn and
wrk, 3 alternating rounds): the plan page's p99 43.5-49.1 against 54.9-64.5 ms, a new shape's
44.3-61.0 against 52.7-73.2 ms, the cached plan 2,217-2,583 against 2,092-2,280 requests/s.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

EVERY = 16
"""Requests between two collections of the young generations."""


class YoungCollections:
    """After every ``every``-th HTTP request, collect the two young generations (``collect``:
    ``gc.collect``). The response has been sent by then: the pause falls between requests."""

    def __init__(
        self, app: ASGIApp, *, every: int = EVERY, collect: Callable[[int], int] = gc.collect
    ) -> None:
        self.app = app
        self.every = every
        self.collect = collect
        self._served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
        self._served += 1
        if self._served >= self.every:
            self._served = 0
            self.collect(1)
