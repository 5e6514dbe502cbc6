"""The app's routers: each tells a request at once when none of its routes can match it.

FastAPI (0.165) matches a request against an app's included routers one after another, and each
against its routes in turn, a regular expression and some bookkeeping of the request's scope per
route. With the API first and thirteen routers of pages after it, ``/healthz`` (after them all)
was matched against 73 routes, about two thirds of its time in-process, and a page against
every route of the routers before its own. A ``SegmentRouter`` knows the first segment of each
of its routes' paths (``plan`` for ``/plan``, ``api`` for ``/api/v1/plan``) and answers "no
match" at once for a path that starts with none of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path  # how FastAPI's own routes read a path
from starlette.routing import Match
from starlette.types import Scope


class SegmentRouter(APIRouter):
    """An ``APIRouter`` that passes over a path none of its routes can match: one whose first
    segment is not the first segment of any of its routes' paths (or of its prefix, when it has
    one). A route whose first segment is a parameter (or that has no path, as an included router
    has not) can match anything: then every path is tried."""

    _heads: frozenset[str] | None = None
    _heads_of = -1
    """How many routes ``_heads`` was read from (routes added later are read again)."""

    def __init__(self, *, under: str = "", **options: Any) -> None:
        """``under``: the prefix of the router this one is included in (the API's parts are
        included under ``/api/v1``): its routes' paths are read after it. ``options``: as
        ``APIRouter`` takes them."""
        super().__init__(**options)
        self.under = under

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if self.under:
            if path != self.under and not path.startswith(self.under + "/"):
                return Match.NONE, {}
            path = path[len(self.under) :]
        heads = self._first_segments()
        if heads is not None and first_segment(path) not in heads:
            return Match.NONE, {}
        return super().matches(scope)

    def _first_segments(self) -> frozenset[str] | None:
        if self._heads_of != len(self.routes):
            if self.prefix:  # every route's path starts with it, included routers' too
                self._heads = first_segments([self.prefix])
            else:
                self._heads = first_segments([getattr(r, "path", None) for r in self.routes])
            self._heads_of = len(self.routes)
        return self._heads


def first_segments(paths: list[str | None]) -> frozenset[str] | None:
    """The first segments of ``paths``; None when one may be anything (a parameter, or a route
    without a path)."""
    heads = set()
    for path in paths:
        if path is None or "{" in (head := first_segment(path)):
            return None
        heads.add(head)
    return frozenset(heads)


def first_segment(path: str) -> str:
    """``plan`` for ``/plan/x``, ``plan`` for ``/plan``, the empty text for ``/``."""
    return path.split("/", 2)[1] if path.startswith("/") else path
