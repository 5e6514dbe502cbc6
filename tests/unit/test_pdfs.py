"""Handout PDFs on the web are made once per content and a few at a time (issue 15, item 10)."""

from __future__ import annotations

import threading

import pytest

from midback.handout import HandoutPage
from midback.web import pdfs
from midback.web.pdfs import PdfBusy, PdfMaker
from tests.loops import run_in_own_loop

PAGE = HandoutPage(slug="p", title="P", lead="", exercises=[], sources=[])


def test_the_same_pages_are_laid_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []

    def pdf_bytes(pages: object, start: object = None) -> bytes:
        made.append(1)
        return b"%PDF"

    monkeypatch.setattr(pdfs, "pdf_bytes", pdf_bytes)
    maker = PdfMaker()
    assert run_in_own_loop(maker.pdf([PAGE])) == b"%PDF"
    assert run_in_own_loop(maker.pdf([PAGE])) == b"%PDF"
    assert len(made) == 1


def test_a_request_that_finds_every_slot_taken_is_told_to_come_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(pages: list[HandoutPage], start: object = None) -> bytes:
        started.set()
        release.wait(5)
        return b"%PDF"

    monkeypatch.setattr(pdfs, "pdf_bytes", slow)
    monkeypatch.setattr(pdfs, "WAIT_S", 0.1)
    maker = PdfMaker(slots=1)
    other = HandoutPage(slug="q", title="Q", lead="", exercises=[], sources=[])
    first = threading.Thread(target=lambda: run_in_own_loop(maker.pdf([PAGE])))
    first.start()
    started.wait(5)
    try:
        with pytest.raises(PdfBusy):
            run_in_own_loop(maker.pdf([other]))
    finally:
        release.set()
        first.join(5)
