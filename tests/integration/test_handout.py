"""Handouts: the PDF (one page per program, checked with poppler) and the web's print view."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli import app as cli
from midback.domain.catalogue import Catalogue
from midback.handout import handout_pages, plan_page, tick_days
from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api, screen_via_cli
from tests.integration.test_figure_cli import figure_commands, with_figures

__all__ = ["figure_commands"]  # the autouse fixture that lists the commands

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("home")  # plans read a local store of the test's own
POPPLER = shutil.which("pdfinfo") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdfinfo, pdftoppm) is not installed: apt install it"
)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db"))
    with TestClient(with_figures(app)) as test_client:
        yield test_client


def pdf_pages(path: Path) -> int:
    """The page count pdfinfo reads."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert found, info.stdout
    return int(found.group(1))


def rendered_pngs(path: Path, out: Path) -> list[Path]:
    """The PDF's pages rendered by pdftoppm, as PNG files."""
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(out / "page")], check=True)
    return sorted(out.glob("page*.png"))


# -- the PDF --------------------------------------------------------------------------------


@needs_poppler
def test_a_program_handout_is_one_page_that_renders(tmp_path: Path) -> None:
    pdf = tmp_path / "top-mobility.pdf"
    result = runner.invoke(cli.app, ["handout", "top-mobility", "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "(1 page)" in result.stdout
    assert pdf_pages(pdf) == 1
    pngs = rendered_pngs(pdf, tmp_path)
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000


@needs_poppler
@pytest.mark.slow
def test_a_handout_of_all_programs_has_one_page_each(tmp_path: Path, cat: Catalogue) -> None:
    pdf = tmp_path / "all.pdf"
    result = runner.invoke(cli.app, ["handout", "all", "--pdf", str(pdf), "--start", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert pdf_pages(pdf) == len(cat.programs) == 8
    assert len(rendered_pngs(pdf, tmp_path)) == 8


@needs_poppler
def test_a_plan_file_from_plan_json_makes_a_one_page_handout(tmp_path: Path) -> None:
    screen_via_cli(tmp_path)
    plan_file = tmp_path / "plan.json"
    planned = runner.invoke(cli.app, ["plan", "--minutes", "12", "--place", "desk", "--json"])
    assert planned.exit_code == 0, planned.output
    plan_file.write_text(planned.stdout)
    pdf = tmp_path / "plan.pdf"
    result = runner.invoke(cli.app, ["handout", str(plan_file), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf_pages(pdf) == 1


def test_an_unknown_program_suggests_close_ids_and_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["handout", "top-mobilty", "--pdf", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "unknown program 'top-mobilty'" in result.stderr
    assert "did you mean top-mobility" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_a_file_that_is_not_a_plan_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text(json.dumps({"hello": 1}))
    result = runner.invoke(cli.app, ["handout", str(bad), "--pdf", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "notes.json" in result.stderr and "midback plan --json" in result.stderr


# -- the pages ------------------------------------------------------------------------------


def test_a_program_page_has_figures_steps_doses_cautions_and_sources(cat: Catalogue) -> None:
    [page] = handout_pages(cat, "three-for-relief")
    assert page.title == cat.programs["three-for-relief"].name
    assert [e.name for e in page.exercises] == [
        "Cat-cow",
        "Seated thoracic rotation",
        "Doorway stretch",
    ]
    first = page.exercises[0]
    assert first.figure.startswith("<svg") and "<style" not in first.figure
    assert first.steps == cat.exercises["cat-cow"].steps
    assert first.dose == cat.exercises["cat-cow"].dose.describe()
    assert any(c.startswith("Knee pain: do the seated cat-cow") for c in first.cautions)
    assert cat.source_title("three-for-relief") in page.sources


def test_a_variant_prints_its_own_name_and_steps(cat: Catalogue) -> None:
    from midback.domain.assemble import plan_program
    from midback.domain.plans import PlanRequest
    from midback.domain.vocab import Condition, Place

    request = PlanRequest(minutes=30, place=Place.HOME, conditions=frozenset({Condition.KNEE_PAIN}))
    plan = plan_program(cat, cat.program("three-for-relief"), request)
    page = plan_page(cat, plan)
    cat_cow = page.exercises[0]
    assert cat_cow.name == "Seated cat-cow"
    assert cat_cow.steps == cat.exercises["cat-cow"].variant("seated").steps


def test_the_tick_grid_is_two_weeks_of_seven_days() -> None:
    from datetime import date

    assert tick_days(None) == [
        [f"Day {n}" for n in range(1, 8)],
        [f"Day {n}" for n in range(8, 15)],
    ]
    weeks = tick_days(date(2026, 11, 23))
    assert weeks[0][0] == "Mon 23 Nov" and weeks[1][6] == "Sun 06 Dec"


# -- the web --------------------------------------------------------------------------------


def test_the_print_view_shows_every_program_without_inline_style_or_script(
    client: TestClient, cat: Catalogue
) -> None:
    response = client.get("/print/all")
    assert response.status_code == 200
    html = response.text
    assert html.count('<article class="handout') == len(cat.programs)
    assert html.count('class="tick-box"') == 14 * len(cat.programs)
    assert '<link rel="stylesheet" href="/print/handout.css">' in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<style", html)
    assert 'href="/print/all.pdf"' in html
    assert client.get("/print/handout.css").headers["content-type"].startswith("text/css")


def test_the_print_view_of_a_plan_follows_the_plan_query(client: TestClient) -> None:
    screen_via_api(client)
    response = client.get("/print/plan?minutes=10&place=desk&focus=relief")
    assert response.status_code == 200
    assert "Your 10-minute routine" in response.text
    incomplete = client.get("/print/plan?minutes=10", follow_redirects=False)
    assert incomplete.status_code == 303
    assert incomplete.headers["location"] == "/plan?minutes=10"


def test_an_unknown_program_to_print_is_a_404_page_with_suggestions(client: TestClient) -> None:
    response = client.get("/print/top-mobilty")
    assert response.status_code == 404
    assert 'href="/print/top-mobility"' in response.text


@needs_poppler
def test_the_web_serves_the_handout_as_a_pdf(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/print/quick-stretches.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "web.pdf"
    pdf.write_bytes(response.content)
    assert pdf_pages(pdf) == 1
