"""Figures in real Chromium: screenshots against stored references, and the moving figure.

The still figures are screenshot at 200 px wide (a phone's figure), in light and dark mode,
saved to ``artifacts/figures/`` and compared with ``tests/e2e/figure_refs/`` region by region
(a grid of cells, each within a small mean pixel difference, so a change confined to a hand
or an arrow is not averaged away over the whole picture). After a deliberate change of the
drawings, refresh the references with
``MIDBACK_UPDATE_FIGURE_REFS=1 uv run pytest tests/e2e/test_figures_e2e.py`` and look at them.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Browser, Page

from midback.figures.render import render_figure
from midback.web.app import create_app as build
from tests.e2e import live
from tests.e2e.browser import QUIET_PLUGIN, player, wait_stage, wait_until
from tests.integration.test_figure_cli import with_figures

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

ROOT = Path(__file__).resolve().parents[2]
REFS = Path(__file__).with_name("figure_refs")
ARTIFACTS = ROOT / "artifacts" / "figures"
UPDATE = os.environ.get("MIDBACK_UPDATE_FIGURE_REFS") == "1"
GRID = (5, 4)
"""Columns and rows of the regions compared (a 400 x 300 shot: cells of 80 x 75 pixels; a
figure lying flat is shot 400 x 200)."""
MAX_REGION_DIFFERENCE = 3.0
"""Mean absolute difference per channel (0-255) allowed in any one region."""
SHOTS: list[tuple[str, Literal["light", "dark"]]] = [
    ("cat-cow", "light"),
    ("cat-cow", "dark"),
    ("seated-rotation", "light"),
    ("side-reach", "light"),
    ("bridge", "light"),
    ("thread-the-needle", "light"),
    ("prone-chest-lift", "light"),
    ("shoulder-roll", "light"),
    ("scapular-squeeze", "dark"),
]


def figure_page(page: Page, exercise_id: str) -> None:
    """A page with nothing but the figure as an image, 200 px wide and as high as its own
    shape makes it (100 px for a body lying flat, 150 for one standing)."""
    data = base64.b64encode(render_figure(exercise_id).encode()).decode()
    page.set_content(
        "<!doctype html><body style='margin:0;background:#777'>"
        f"<img id='figure' width='200' alt='' src='data:image/svg+xml;base64,{data}'>"
    )
    page.wait_for_function("() => document.getElementById('figure').complete")


def region_differences(a: Path, b: Path) -> dict[tuple[int, int], float]:
    """The mean pixel difference of each region (column, row) of two images of one size."""
    first, second = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    assert first.size == second.size, f"{a.name}: {first.size} against {second.size}"
    difference = ImageChops.difference(first, second)
    columns, rows = GRID
    width, height = difference.size
    out = {}
    for column in range(columns):
        for row in range(rows):
            box = (
                width * column // columns,
                height * row // rows,
                width * (column + 1) // columns,
                height * (row + 1) // rows,
            )
            out[(column, row)] = sum(ImageStat.Stat(difference.crop(box)).mean) / 3
    return out


Scheme = Literal["light", "dark"]


def shoot(browser: Browser, exercise_id: str, scheme: Scheme) -> Path:
    """Screenshot the figure in ``scheme`` (light or dark) into ``artifacts/figures/``."""
    context = browser.new_context(
        viewport={"width": 200, "height": 150}, device_scale_factor=2, color_scheme=scheme
    )
    try:
        page = context.new_page()
        figure_page(page, exercise_id)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{exercise_id}-{scheme}.png"
        page.locator("#figure").screenshot(path=str(shot))
    finally:
        context.close()
    return shot


@pytest.mark.parametrize(("exercise_id", "scheme"), SHOTS, ids=[f"{e}-{s}" for e, s in SHOTS])
def test_figures_look_as_their_references(
    browser: Browser, exercise_id: str, scheme: Scheme
) -> None:
    shot = shoot(browser, exercise_id, scheme)
    reference = REFS / shot.name
    if UPDATE or not reference.exists():
        REFS.mkdir(exist_ok=True)
        reference.write_bytes(shot.read_bytes())
        if not UPDATE:
            pytest.fail(f"no reference for {shot.name}: stored this one, look at it and commit it")
    differences = region_differences(shot, reference)
    worst = max(differences, key=differences.__getitem__)
    assert differences[worst] <= MAX_REGION_DIFFERENCE, (
        f"{shot.name} differs from its reference by {differences[worst]:.2f} in region"
        f" {worst} (column, row of {GRID}; see {shot})"
    )


def test_the_region_comparison_sees_a_change_a_whole_picture_mean_would_miss(
    tmp_path: Path,
) -> None:
    blank = Image.new("RGB", (400, 300), "white")
    marked = blank.copy()
    marked.paste((0, 0, 0), (10, 10, 40, 40))  # a dark square: 1% of the picture
    blank.save(tmp_path / "a.png")
    marked.save(tmp_path / "b.png")
    overall = sum(ImageStat.Stat(ImageChops.difference(blank, marked)).mean) / 3
    assert overall < MAX_REGION_DIFFERENCE
    assert max(region_differences(tmp_path / "a.png", tmp_path / "b.png").values()) > (
        MAX_REGION_DIFFERENCE
    )


def test_the_contact_sheet_is_written_as_png_into_artifacts() -> None:
    from midback.domain.loader import catalogue
    from midback.figures.sheet import contact_sheet, png_of, sheet_size

    svg = contact_sheet(catalogue())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "contact-sheet.svg").write_text(svg, encoding="utf-8")
    sheet = ARTIFACTS / "contact-sheet.png"
    sheet.write_bytes(png_of(svg))
    image = Image.open(sheet).convert("L")
    assert image.size == sheet_size(svg)
    low, high = image.getextrema()
    assert isinstance(low, int) and isinstance(high, int)  # one band: grey levels
    assert low < 60 and high > 230  # figures drawn in ink on white cells, not a blank page


def test_the_dark_figure_is_drawn_light_on_dark(browser: Browser) -> None:
    light = Image.open(shoot(browser, "bird-dog", "light")).convert("L")
    dark = Image.open(shoot(browser, "bird-dog", "dark")).convert("L")
    assert ImageStat.Stat(light).mean[0] > 180 > 90 > ImageStat.Stat(dark).mean[0]


# -- the moving figure in the player --------------------------------------------------------


@pytest.fixture(scope="module")
def figure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    """The app served for real, with the figure routes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live, "create_app", lambda *a, **k: with_figures(build(*a, **k)))
        with live.serving(tmp_path_factory.mktemp("figures")) as server:
            yield server


def figure(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate("() => window.midbackFigure.state()")
    return state


def start(page: Page, server: live.LiveServer, program: str, speed: int) -> None:
    page.goto(f"{server.url}/player?program={program}&speed={speed}")
    page.get_by_role("button", name="Start without rating").click()
    wait_stage(page, "run")


def test_the_figure_follows_cat_cow_and_holds_still_when_paused(
    page: Page, figure_server: live.LiveServer, console_errors: list[str]
) -> None:
    start(page, figure_server, "three-for-relief", 6)
    wait_until(page, lambda: player(page)["cueKind"] == "rep", what="the first rep of cat-cow")
    wait_until(page, lambda: figure(page)["shown"], what="the figure to show")
    seen = set()
    for _ in range(40):
        seen.add(figure(page)["pose"])
        page.wait_for_timeout(50)
    assert {"cow", "cat"} <= seen, seen
    assert figure(page)["figure"] == "cat-cow|"
    canvas = page.evaluate("() => fetch('/figures/cat-cow.json').then((r) => r.json())")
    box = page.eval_on_selector("#run-figure svg", "(svg) => svg.getAttribute('viewBox')")
    assert box == f"0 0 {canvas['width']} {canvas['height']}"  # the figure's own canvas
    page.keyboard.press("Space")
    wait_until(page, lambda: player(page)["paused"], what="the pause")
    page.wait_for_timeout(300)  # a frame already scheduled when the key came may still draw
    frozen = figure(page)
    page.wait_for_timeout(600)
    assert figure(page) == frozen
    page.screenshot(path=str(ARTIFACTS / "player-cat-cow.png"))
    assert console_errors == []


def test_the_second_side_is_the_mirror_image(
    page: Page, figure_server: live.LiveServer, console_errors: list[str]
) -> None:
    start(page, figure_server, "three-for-relief", 40)
    page.keyboard.press("ArrowRight")  # on to the seated rotation, done on each side
    wait_until(page, lambda: figure(page)["figure"] == "seated-rotation|", what="the rotation")
    sides: set[str] = set()

    def both_sides() -> bool:
        sides.add(figure(page)["side"])
        return sides >= {"left", "right"}

    wait_until(page, both_sides, what=lambda: f"both sides (seen {sides})", timeout_s=30)
    assert console_errors == []


THUMB_PAGES = {
    "exercises": "/exercises",
    "programs": "/programs",
    "program": "/programs/three-for-relief",
    "plan": "/plan?minutes=10&place=home",
    "week": "/week?minutes=10&place=home",
}


@pytest.mark.parametrize("name", list(THUMB_PAGES))
def test_every_page_that_names_exercises_shows_their_thumbnails(
    page: Page, figure_server: live.LiveServer, console_errors: list[str], name: str
) -> None:
    page.set_viewport_size({"width": 412, "height": 900})
    page.goto(figure_server.url + THUMB_PAGES[name])
    thumbs = page.locator("img.thumb")
    assert thumbs.count() > 0
    first = thumbs.first
    first.scroll_into_view_if_needed()
    wait_until(
        page,
        lambda: first.evaluate("img => img.complete && img.naturalWidth > 0"),
        what="the first thumbnail to load",
    )
    lazy = thumbs.evaluate_all("imgs => imgs.every(i => i.loading === 'lazy' && i.width > 0)")
    assert lazy
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"), full_page=name != "exercises")
    assert console_errors == []


def test_the_players_next_line_shows_the_next_exercises_thumbnail(
    page: Page, figure_server: live.LiveServer
) -> None:
    start(page, figure_server, "three-for-relief", 40)
    shown = page.locator("#run-next-thumb")
    wait_until(page, shown.is_visible, what="the next exercise's thumbnail", timeout_s=30)
    assert "size=thumb" in (shown.get_attribute("src") or "")
    page.screenshot(path=str(ARTIFACTS / "player-next.png"))


def test_reduced_motion_shows_key_poses_without_tweening(
    browser: Browser, figure_server: live.LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 412, "height": 900}, reduced_motion="reduce")
    try:
        page = context.new_page()
        start(page, figure_server, "three-for-relief", 6)
        wait_until(page, lambda: figure(page)["shown"], what="the figure to show")
        for _ in range(10):
            state = figure(page)
            assert state["reducedMotion"] and state["t"] == 1
            page.wait_for_timeout(60)
    finally:
        context.close()
