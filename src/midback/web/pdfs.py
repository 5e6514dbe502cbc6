"""Handout PDFs for the web: made once per content and kept, a few at a time.

Laying out ``/print/all.pdf`` takes seconds of CPU and memory; the same pages give the same
bytes, so each PDF is kept (the newest ``KEPT`` by a digest of its pages and start day) and at
most ``SLOTS`` are laid out at once per process. A request that waits ``WAIT_S`` for a slot is
answered 503 with Retry-After (``PdfBusy``).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date

from starlette.concurrency import run_in_threadpool

from midback.caches import LruCache
from midback.errors import MidbackError
from midback.handout import HandoutPage, pdf_bytes

SLOTS = 2
KEPT = 16
WAIT_S = 20.0
BUSY_RETRY_AFTER_S = 5


class PdfBusy(MidbackError):
    """Every PDF slot stayed taken for ``WAIT_S``: try again after ``retry_after``."""

    def __init__(self) -> None:
        self.retry_after = BUSY_RETRY_AFTER_S
        super().__init__("handouts are being printed for others; try again in a moment")


class PdfMaker:
    """Makes and keeps handout PDFs for one app (``app.state.pdfs``)."""

    def __init__(self, *, slots: int = SLOTS, kept: int = KEPT) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._kept: LruCache[str, bytes] = LruCache(kept)

    async def pdf(self, pages: list[HandoutPage], *, start: date | None = None) -> bytes:
        """The PDF of ``pages`` (kept, or laid out in a worker thread when a slot is free)."""
        key = hashlib.sha256(repr((pages, start)).encode()).hexdigest()
        kept = self._kept.get(key)
        if kept is not None:
            return kept
        return await run_in_threadpool(self._make, key, pages, start)

    def _make(self, key: str, pages: list[HandoutPage], start: date | None) -> bytes:
        if not self._slots.acquire(timeout=WAIT_S):
            raise PdfBusy()
        try:
            kept = self._kept.get(key)  # made by another request while this one waited
            if kept is None:
                kept = pdf_bytes(pages, start=start)
                self._kept.put(key, kept)
            return kept
        finally:
            self._slots.release()
