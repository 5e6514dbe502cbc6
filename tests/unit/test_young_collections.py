"""``web.collect.YoungCollections``: a collection of the young generations after every few HTTP
requests, once the response is sent."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from midback.web.collect import YoungCollections

EVENTS: list[str] = []


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Message) -> None:
    EVENTS.append(message["type"])


def _collect(generation: int) -> int:
    EVENTS.append(f"collect {generation}")
    return 0


def _serve(middleware: YoungCollections, kind: str, times: int) -> None:
    """Run ``times`` requests to the end; nothing here waits, so each coroutine finishes at its
    first step (no event loop: a test run may already have one running in this thread)."""
    for _ in range(times):
        step = middleware({"type": kind}, _receive, _send)
        try:
            step.send(None)
        except StopIteration:
            continue
        step.close()
        raise AssertionError("the request waited")


def test_the_young_generations_are_collected_after_every_nth_request_once_it_is_answered() -> None:
    EVENTS.clear()
    _serve(YoungCollections(_app, every=3, collect=_collect), "http", 7)
    collections = [i for i, e in enumerate(EVENTS) if e.startswith("collect")]
    assert [EVENTS[i] for i in collections] == ["collect 1", "collect 1"]
    # after the 3rd and the 6th response's body (two messages per request)
    assert collections == [6, 13]
    assert EVENTS[collections[0] - 1] == "http.response.body"


def test_other_scopes_are_passed_through_and_not_counted() -> None:
    EVENTS.clear()

    async def lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        EVENTS.append("lifespan")

    middleware = YoungCollections(lifespan, every=1, collect=_collect)
    _serve(middleware, "lifespan", 4)
    assert EVENTS == ["lifespan"] * 4
