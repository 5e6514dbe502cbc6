"""The JSON API under ``/api/v1``: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from midback.web.routing import SegmentRouter

PREFIX = "/api/v1"


def router() -> APIRouter:
    """Every API route, mounted under ``/api/v1``."""
    from midback.web.api.auth import router as auth
    from midback.web.api.catalogue import router as catalogue
    from midback.web.api.clinician import router as clinician
    from midback.web.api.clinician_courses import router as clinician_courses
    from midback.web.api.courses import router as courses
    from midback.web.api.planning import router as planning
    from midback.web.api.records import router as records
    from midback.web.api.sessions import router as sessions

    api = SegmentRouter(prefix=PREFIX)
    # The busiest first: FastAPI tries the parts in turn (no two share a method and path).
    parts = (planning, sessions, records, catalogue, courses, auth, clinician, clinician_courses)
    for part in parts:
        api.include_router(part)
    return api
