"""page: the player page's weight with everything it loads, and its first paint.

Each load is a fresh browser context (empty cache, no service worker) on a live server.
Bytes are the decoded (uncompressed) bodies of every response the page received: the document,
its styles, scripts and icon. First paint and first contentful paint come from the page's
``performance.getEntriesByType("paint")``. The service worker, installed after the first load,
then fetches its offline cache (``SHELL`` in ``sw.js``); those bytes are counted apart, by
fetching the same URLs, since they load in the background after the page is usable.
"""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench import browser
from bench.result import Result, Row, at_most, stats
from bench.server import serving

LIMIT_KB = 100.0
PLAYER = "/player?minutes=10&place=home"


def _load(page: Any, url: str) -> tuple[dict[str, int], dict[str, float]]:
    """Load ``url``: (bytes by response URL, timings in ms)."""
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    timings: dict[str, float] = browser.wait_until(
        page,
        lambda: page.evaluate(
            """() => {
                const paint = Object.fromEntries(performance.getEntriesByType("paint")
                    .map((e) => [e.name, e.startTime]));
                const nav = performance.getEntriesByType("navigation")[0];
                if (!paint["first-contentful-paint"] || !nav || !nav.loadEventEnd) return null;
                const fcp = paint["first-contentful-paint"];
                return {ttfb: nav.responseStart, fp: paint["first-paint"] ?? fcp, fcp,
                        dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
            }"""
        ),
        what="first contentful paint",
    )
    sizes = {}
    for response in responses:
        if response.request.method == "GET" and response.status == 200:
            sizes[response.url] = len(response.body())
    return sizes, timings


def run(quick: bool) -> Result:
    """Bytes of the player page with what it loads (target <= 100 KB); first paint."""
    result = Result("page", "The player page: bytes with everything it loads; first paint")
    why = browser.missing()
    if why is not None:
        result.rows.append(
            Row(
                "player page + subresources",
                None,
                unit="KB",
                stat="total",
                target=f"<= {LIMIT_KB:g} KB",
                note=f"not run: {why}",
            )
        )
        return result
    loads = 2 if quick else 10
    timings: list[dict[str, float]] = []
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="midback-bench-") as home, serving(Path(home)) as app:
        with browser.chromium() as chromium:
            for _ in range(loads):
                context = chromium.new_context(viewport={"width": 412, "height": 900})
                page = context.new_page()
                sizes, timing = _load(page, app.url + PLAYER)
                timings.append(timing)
                context.close()
        bodies = {url: httpx.get(url, timeout=10).content for url in sizes}
        shell = _shell(app.url)
    total_kb = sum(sizes.values()) / 1024
    gzip_kb = sum(len(gzip.compress(body, 6)) for body in bodies.values()) / 1024
    listing = ", ".join(
        f"{_path(url)} {size / 1024:.1f}"
        for url, size in sorted(sizes.items(), key=lambda item: -item[1])
    )
    result.rows.append(
        Row(
            "player page + subresources, uncompressed",
            total_kb,
            unit="KB",
            stat="total",
            target=f"<= {LIMIT_KB:g} KB",
            met=at_most(total_kb, LIMIT_KB),
            note=listing,
        )
    )
    result.rows.append(
        Row(
            "the same, if served gzip-compressed (level 6)",
            gzip_kb,
            unit="KB",
            stat="total",
            note="the server does not compress today",
        )
    )
    shell_kb = sum(shell.values()) / 1024
    result.rows.append(
        Row(
            "service worker's offline cache, fetched after the first load",
            shell_kb,
            unit="KB",
            stat="total",
            note=", ".join(f"{p} {b / 1024:.1f}" for p, b in shell.items()),
        )
    )
    for key, label in (
        ("ttfb", "time to the document's first byte"),
        ("fp", "first paint"),
        ("fcp", "first contentful paint"),
        ("dcl", "DOMContentLoaded end"),
        ("load", "load event end"),
    ):
        s = stats([t[key] for t in timings])
        result.rows.append(Row(label, s.median, spread=s.iqr, samples=s.n))
    result.notes.append(
        f"{loads} cold loads of {PLAYER} (a new context each: empty cache, no service worker);"
        f" {browser.version()}, headless, 412x900; server and browser on loopback."
    )
    return result


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0] or "/"


def _shell(base: str) -> dict[str, int]:
    """Bytes of each URL the service worker caches on install (its ``SHELL`` list)."""
    script = httpx.get(base + "/sw.js", timeout=10).text
    found = re.search(r"const SHELL = \[(.*?)\];", script, re.S)
    urls = (
        [u for u in re.findall(r'"([^"]+)"', found.group(1)) if u.startswith("/")] if found else []
    )
    return {url: len(httpx.get(base + url, timeout=10).content) for url in urls}
