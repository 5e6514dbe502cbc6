"""``midback figure`` through Typer's CliRunner, and the figures the web app serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli import app as cli
from midback.cli.commands import COMMANDS
from midback.settings import Settings
from midback.web import figures as web_figures
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api

SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


@pytest.fixture(autouse=True)
def figure_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """The figure commands in the command table (until app.py lists them itself)."""
    for name, line in (
        ("figure", "Draw an exercise's figure as SVG: its key poses, props and the side it works."),
        (
            "handout",
            "Write a printable handout: a page per program with figures, dose and a"
            " two-week tick grid.",
        ),
    ):
        if name not in COMMANDS:
            monkeypatch.setitem(COMMANDS, name, ("figure_cmds", line))


def with_figures(app: FastAPI) -> FastAPI:
    """``app`` serving the figure routes (added here when app.py does not include them yet)."""
    if not any(getattr(r, "path", "") == "/figures/{exercise_id}.svg" for r in app.routes):
        app.include_router(web_figures.router)
    return app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db"))
    with TestClient(with_figures(app)) as test_client:
        yield test_client


# -- the command ----------------------------------------------------------------------------


def test_figure_writes_an_svg_file_that_parses(tmp_path: Path) -> None:
    out = tmp_path / "cat-cow.svg"
    result = runner.invoke(cli.app, ["figure", "cat-cow", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Figure written to {out}" in result.stdout
    root = ET.parse(out).getroot()
    assert root.get("viewBox", "").startswith("0 0 400 ")  # as high as the figure needs
    assert root.findtext(f"{SVG}title") == "Cat-cow"


def test_figure_sheet_writes_every_exercise_and_variant_in_one_svg(tmp_path: Path) -> None:
    from midback.domain.loader import catalogue
    from midback.figures.sheet import forms

    out = tmp_path / "sheet.svg"
    result = runner.invoke(cli.app, ["figure", "--sheet", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Contact sheet written to {out}" in result.stdout
    root = ET.parse(out).getroot()
    figures = root.findall(f"{SVG}svg")
    labels = [text.text for text in root.findall(f"{SVG}text")]
    assert len(figures) == len(forms(catalogue())) == len(labels)
    assert "cat-cow: seated" in labels and "thread-the-needle" in labels


def test_figure_sheet_takes_only_svg_or_png_and_figure_needs_an_id_otherwise(
    tmp_path: Path,
) -> None:
    result = runner.invoke(cli.app, ["figure", "--sheet", str(tmp_path / "sheet.pdf")])
    assert result.exit_code == 2 and "FILE.svg or FILE.png" in result.output
    result = runner.invoke(cli.app, ["figure"])
    assert result.exit_code == 2 and "give an exercise ID, or --sheet FILE" in result.output


def test_figure_draws_a_variant_pose_and_side_to_stdout() -> None:
    result = runner.invoke(
        cli.app, ["figure", "bird-dog", "--variant", "standing", "--pose", "2", "--side", "right"]
    )
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert root.findtext(f"{SVG}title") == "Standing bird dog: reach"


def test_figure_takes_an_alias() -> None:
    result = runner.invoke(cli.app, ["figure", "glute bridge"])
    assert result.exit_code == 0, result.output
    assert "<title>Bridge</title>" in result.stdout


def test_an_unknown_exercise_suggests_close_ids_and_exits_2() -> None:
    result = runner.invoke(cli.app, ["figure", "cat-cwo"])
    assert result.exit_code == 2
    assert "unknown exercise 'cat-cwo'" in result.stderr
    assert "did you mean cat-cow" in result.stderr


def test_an_unknown_variant_or_pose_exits_2_naming_it() -> None:
    variant = runner.invoke(cli.app, ["figure", "cat-cow", "--variant", "standing"])
    assert variant.exit_code == 2
    assert "unknown variant of cat-cow 'standing'" in variant.stderr
    pose = runner.invoke(cli.app, ["figure", "cat-cow", "--pose", "7"])
    assert pose.exit_code == 2
    assert "unknown pose of cat-cow '7'" in pose.stderr


def test_figure_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["figure", "cat-cow", "--out", str(tmp_path / "no" / "f.svg")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


# -- the web --------------------------------------------------------------------------------


def test_the_web_serves_an_svg_image_with_its_own_light_and_dark_style(
    client: TestClient,
) -> None:
    response = client.get("/figures/seated-rotation.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "style-src 'unsafe-inline'" in response.headers["content-security-policy"]
    assert "script" not in response.headers["content-security-policy"]
    root = ET.fromstring(response.text)
    assert root.findtext(f"{SVG}title") == "Seated thoracic rotation"
    assert "prefers-color-scheme: dark" in (root.findtext(f"{SVG}style") or "")


def test_the_web_figure_takes_variant_pose_and_side(client: TestClient) -> None:
    response = client.get("/figures/cat-cow.svg?variant=seated&pose=cow&side=right")
    assert response.status_code == 200
    assert "<title>Seated cat-cow: cow</title>" in response.text


def test_the_web_serves_a_small_thumbnail_without_ghost_or_close_up(client: TestClient) -> None:
    full = client.get("/figures/shoulder-roll.svg")
    thumb = client.get("/figures/shoulder-roll.svg?size=thumb")
    assert thumb.status_code == 200 and "max-age" in thumb.headers["cache-control"]
    root = ET.fromstring(thumb.text)
    assert (root.get("width"), root.get("height")) == ("120", "90")
    assert root.findtext(f"{SVG}title") == "Shoulder roll" and root.findtext(f"{SVG}desc")
    classes = {c for el in root.iter() for c in (el.get("class") or "").split()}
    full_classes = {
        c for el in ET.fromstring(full.text).iter() for c in (el.get("class") or "").split()
    }
    assert {"ghost", "inset"} <= full_classes and not {"ghost", "inset"} & classes
    assert "arrow" not in full_classes or "arrow" in classes
    assert len(thumb.text) < len(full.text)
    variant = client.get("/figures/cat-cow.svg?size=thumb&variant=seated")
    assert "<title>Seated cat-cow</title>" in variant.text
    assert client.get("/figures/cat-cow.svg?size=thumb&variant=nope").status_code == 404
    assert client.get("/figures/cat-cow.svg?size=huge").status_code == 422


def test_the_exercise_list_program_pages_and_plan_show_lazy_thumbnails(
    client: TestClient,
) -> None:
    screen_via_api(client)
    pages = ["/exercises", "/programs", "/programs/three-for-relief"]
    pages.append("/plan?minutes=10&place=home")
    for page in pages:
        html = client.get(page).text
        thumbs = re.findall(r'<img class="thumb" src="([^"]+)"[^>]*>', html)
        assert thumbs, page
        assert all("size=thumb" in src for src in thumbs)
        for tag in re.findall(r'<img class="thumb"[^>]*>', html):
            assert 'loading="lazy"' in tag and 'alt=""' in tag and "width=" in tag
        first = thumbs[0].replace("&amp;", "&")
        assert client.get(first).status_code == 200, first


def test_the_web_figure_answers_404_for_unknown_ids_and_422_for_a_bad_side(
    client: TestClient,
) -> None:
    assert client.get("/figures/nope.svg").status_code == 404
    assert "did you mean" in client.get("/figures/cat-cow.svg?pose=dog").json()["detail"]
    assert client.get("/figures/cat-cow.svg?variant=nope").status_code == 404
    assert client.get("/figures/cat-cow.svg?side=middle").status_code == 422


def test_the_player_gets_keyframes_for_both_sides(client: TestClient) -> None:
    data = client.get("/figures/bird-dog.json").json()
    assert data["title"] == "Bird dog"
    assert data["poses"] == ["all-fours", "reach"]
    assert set(data["sides"]) == {"left", "right"}
    assert data["cues"]["rep"] == ["reach", "all-fours"]
    frame = data["sides"]["right"]["poses"]["reach"]
    assert {item["n"] for item in frame} >= {"head", "spine", "arm_l", "leg_r", "floor"}
    assert len(data["sides"]["left"]["tweens"]["all-fours|reach"]) >= 4


def test_keyframes_carry_the_canvas_a_figure_lying_down_is_drawn_on(client: TestClient) -> None:
    flat = client.get("/figures/prone-chest-lift.json").json()
    upright = client.get("/figures/side-reach.json").json()
    assert (flat["width"], flat["height"]) == (400, 200)
    assert (upright["width"], upright["height"]) == (400, 300)
    svg = ET.fromstring(client.get("/figures/prone-chest-lift.svg").text)
    assert svg.get("viewBox") == "0 0 400 200"


def test_each_app_keeps_its_own_figures(client: TestClient, tmp_path: Path) -> None:
    """Thumbnails and keyframes belong to the app that made them, not to the module."""
    other = create_app(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/o.db"))
    assert client.get("/figures/cat-cow.svg?size=thumb").status_code == 200
    mine = client.app.state.figures  # type: ignore[attr-defined]
    assert mine is not other.state.figures
    assert mine.thumb("cat-cow", None) is mine.thumb("cat-cow", None)  # made once, kept
    assert other.state.figures.library.catalogue is other.state.catalogue


def test_the_player_page_mounts_the_moving_figure(client: TestClient) -> None:
    screen_via_api(client)
    html = client.get("/player?program=three-for-relief").text
    assert '<script src="/static/figure.js" defer></script>' in html
    assert 'id="run-figure"' in html
    assert client.get("/static/figure.js").status_code == 200


# -- the player's figure script (its pure helpers, run by node) ------------------------------

NODE = shutil.which("node")
FIGURE_JS = Path(__file__).parents[2] / "src" / "midback" / "web" / "static" / "figure.js"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_figure_script_moves_through_a_cues_poses_and_tweens_item_by_item() -> None:
    script = f"""
    const f = require({json.dumps(str(FIGURE_JS))});
    const figure = {{poses: ["neutral", "cow", "cat"],
                    cues: {{rep: ["cow", "cat"], hold: ["cat"]}}}};
    const walking = {{...figure, cycle_s: 2, cues: {{hold: ["cow", "cat"]}}}};
    const out = {{
      start: f.placeInCue(figure, "rep", 0, 6, "neutral"),
      half: f.placeInCue(figure, "rep", 4.5, 6, "neutral"),
      held: f.placeInCue(figure, "hold", 20, 30, "cow"),
      walk: f.placeInCue(walking, "hold", 3.5, 300, "cow"),
      side: f.sideFor([{{kind: "switch-sides", side: null}}, {{kind: "hold", side: "right"}}],
                      0, "left"),
      frame: f.frameAt([[{{n: "a", s: "line", c: "body", p: [0, 0, 10, 10]}}],
                        [{{n: "a", s: "line", c: "body", p: [10, 0, 20, 10]}}]], 0.5),
      back: f.sequence({{poses: {{a: 1, b: 2}}, tweens: {{"a|b": [1.5]}}}}, "b", "a"),
    }};
    console.log(JSON.stringify(out));
    """
    assert NODE is not None  # the test is skipped without node
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    out = json.loads(result.stdout)
    assert out["start"] == {"from": "neutral", "to": "cow", "t": 0}
    assert out["half"]["from"] == "cow" and out["half"]["to"] == "cat"
    assert out["held"] == {"from": "cow", "to": "cat", "t": 1}
    assert out["walk"]["to"] == "cat" and out["walk"]["t"] == pytest.approx(0.5)
    assert out["side"] == "right"
    assert out["frame"][0]["p"] == [5, 0, 15, 10]
    assert out["back"] == [2, 1.5, 1]
