"""The JSON API under ``/api/v1``: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from midback.web.api import catalogue, planning, records, sessions


def router() -> APIRouter:
    """Every API route, mounted under ``/api/v1``."""
    api = APIRouter(prefix="/api/v1")
    api.include_router(catalogue.router)
    api.include_router(planning.router)
    api.include_router(sessions.router)
    api.include_router(records.router)
    return api
