"""A contact sheet: every exercise and variant's still picture in one grid, for review.

The sheet is one SVG (each figure an inline drawing in its cell, its name under it); as PNG
it is that SVG screenshot by a headless Chromium, the browser the end-to-end tests use (none
is bundled: without one, ``png_of`` says so and the SVG still works).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from midback.domain.catalogue import Catalogue
from midback.errors import MidbackError
from midback.figures.library import FigureLibrary
from midback.figures.render import render_figure
from midback.figures.svg import INK, SVG_NS

COLUMNS = 6
CELL = (200, 150)
"""Each figure's size on the sheet (half the drawing's 400 x 300: a phone's figure)."""
LABEL = 22
GAP = 10
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class SheetError(MidbackError):
    """The contact sheet cannot be made as asked (no browser for a PNG)."""


def forms(cat: Catalogue) -> list[tuple[str, str | None, str]]:
    """(exercise id, variant id or None, label) of every exercise and variant, in order."""
    out: list[tuple[str, str | None, str]] = []
    for exercise in cat.exercises.values():
        out.append((exercise.id, None, exercise.id))
        out += [(exercise.id, v.id, f"{exercise.id}: {v.id}") for v in exercise.variants]
    return out


def contact_sheet(cat: Catalogue) -> str:
    """The sheet as SVG markup, ``COLUMNS`` figures a row."""
    ET.register_namespace("", SVG_NS)
    library = FigureLibrary(cat)
    items = forms(cat)
    width, height = CELL
    rows = -(-len(items) // COLUMNS)
    total = (COLUMNS * (width + GAP) + GAP, rows * (height + LABEL + GAP) + GAP)
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "viewBox": f"0 0 {total[0]} {total[1]}",
            "width": str(total[0]),
            "height": str(total[1]),
            "role": "img",
            "color": INK,
            "font-family": "sans-serif",
        },
    )
    ET.SubElement(root, f"{{{SVG_NS}}}title").text = "midback: every exercise's figure"
    ET.SubElement(
        root, f"{{{SVG_NS}}}desc"
    ).text = f"{len(items)} figures, one for each exercise and variant, each named under it."
    background = {"width": str(total[0]), "height": str(total[1]), "fill": "#eef1f0"}
    ET.SubElement(root, f"{{{SVG_NS}}}rect", background)
    for index, (exercise_id, variant, label) in enumerate(items):
        x = GAP + (index % COLUMNS) * (width + GAP)
        y = GAP + (index // COLUMNS) * (height + LABEL + GAP)
        cell = {"x": str(x), "y": str(y), "width": str(width), "height": str(height)}
        ET.SubElement(root, f"{{{SVG_NS}}}rect", cell | {"fill": "#ffffff", "rx": "8"})
        figure = ET.fromstring(
            render_figure(exercise_id, variant=variant, standalone=False, library=library)
        )
        figure.attrib.update(cell)
        root.append(figure)
        text = ET.SubElement(
            root,
            f"{{{SVG_NS}}}text",
            {"x": str(x + 4), "y": str(y + height + LABEL - 6), "font-size": "13", "fill": INK},
        )
        if len(label) > 28:  # squeezed to the cell rather than running into the next
            text.attrib |= {"textLength": str(width - 8), "lengthAdjust": "spacingAndGlyphs"}
        text.text = label
    return ET.tostring(root, encoding="unicode")


def sheet_size(svg: str) -> tuple[int, int]:
    """The pixel size of a sheet made by ``contact_sheet``."""
    root = ET.fromstring(svg)
    return int(root.get("width", "0")), int(root.get("height", "0"))


def png_of(svg: str, *, browser: str | None = None) -> bytes:
    """The sheet as PNG, screenshot by headless Chromium; SheetError when there is none."""
    found = browser or next((b for b in map(shutil.which, BROWSERS) if b), None)
    if found is None:
        raise SheetError(
            "a PNG sheet needs Chromium (or Chrome) on the PATH; write FILE.svg instead"
        )
    width, height = sheet_size(svg)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sheet.svg"
        shot = Path(folder) / "sheet.png"
        source.write_text(svg, encoding="utf-8")
        command = [
            found,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={shot}",
            source.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if not shot.is_file():
            error = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise SheetError(f"{Path(found).name} made no screenshot: {' '.join(error)}")
        return shot.read_bytes()
