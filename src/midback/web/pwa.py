"""The progressive web app: manifest and service worker, served from the site's root scope."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
