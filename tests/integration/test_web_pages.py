"""The server-rendered pages through FastAPI's TestClient: content, safety, CSP hygiene, forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api

EMERGENCY_ANSWERS = {
    "age": "40",
    "pain_now": "4",
    "pain_duration_days": "2",
    "improving": "no",
    "assessed_by_clinician": "no",
    "red_flags": ["chest_pain"],
}
SAFE_ANSWERS = {**EMERGENCY_ANSWERS, "red_flags": [], "conditions": ["knee_pain"]}


class Page(HTMLParser):
    """A parsed page: every tag with its attributes, the scripts, and the text of some elements."""

    TEXT_TAGS = frozenset({"h1", "h2", "h3", "title", "li", "td", "th", "a", "p", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: list[tuple[str, list[str]]] = []
        self._script: dict[str, str | None] | None = None
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.TEXT_TAGS:
            self._open.append((tag, []))
        if tag == "script":
            self._script, self._script_text = dict(attrs), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, self._script_text))
            self._script = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                name, parts = self._open.pop(i)
                self.texts.setdefault(name, []).append(" ".join("".join(parts).split()))
                break

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text += data
        for _, parts in self._open:
            parts.append(data)

    def text(self, tag: str) -> list[str]:
        """The text of every ``tag`` element, whitespace collapsed."""
        return self.texts.get(tag, [])

    def links(self) -> list[str]:
        """Every ``href``."""
        return [attrs["href"] or "" for tag, attrs in self.tags if tag == "a" and "href" in attrs]

    def has(self, tag: str, **attrs: str) -> bool:
        """Whether a ``tag`` element carries all of ``attrs`` (``class_`` for ``class``)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return any(
            t == tag and all(v in (a.get(k) or "").split() or a.get(k) == v
                             for k, v in wanted.items())
            for t, a in self.tags
        )  # fmt: skip


def parse(response: httpx.Response) -> Page:
    page = Page()
    page.feed(response.text)
    page.close()
    return page


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db")
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def token(client: TestClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (the GET also sets the cookie)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no csrf_token on {path}"
    return found.group(1)


def post_form(client: TestClient, path: str, data: dict[str, Any]) -> httpx.Response:
    response: httpx.Response = client.post(path, data={"csrf_token": token(client, path), **data})
    return response


PAGES = {
    "/": "Welcome to midback",
    "/screen": "Safety screen",
    "/exercises": "Exercises",
    "/exercises/bridge": "Bridge",
    "/programs": "Programs",
    "/programs/three-for-relief": "Three for relief",
    "/plan": "Plan a routine",
    "/plan?minutes=10&place=home&focus=relief&go=start": "Your routine is ready",
    "/plan?program=three-for-relief": "Plan a routine",
    "/history": "History",
    "/week": "Plan your week",
    "/week?minutes=10&place=home": "Plan your week",
    "/checkin": "Morning check-in",
    "/export": "Export your data",
    "/guide": "Guide",
    "/guide/how-to-stretch": "How to stretch",
    "/about": "About midback",
}
PLANNING_PAGES = {
    "/plan?minutes=10&place=home&focus=relief&go=start",
    "/plan?program=three-for-relief",
    "/week?minutes=10&place=home",
}
"""The pages that plan: shown after the safety screen (else they send the person to it)."""


@pytest.mark.parametrize(("path", "h1"), PAGES.items())
def test_each_page_has_one_h1_a_title_and_the_landmarks(
    client: TestClient, path: str, h1: str
) -> None:
    if path in PLANNING_PAGES:
        screen_via_api(client)
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert not response.history, "redirected"
    page = parse(response)
    assert page.text("h1") == [h1]
    assert page.text("title")[0].endswith("· midback")
    for landmark in ("header", "nav", "main", "footer"):
        assert page.has(landmark), landmark
    assert "Not medical advice." in response.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_csp_and_no_inline_script_style_or_handler(
    client: TestClient, path: str
) -> None:
    if path in PLANNING_PAGES:
        screen_via_api(client)
    response = client.get(path)
    assert not response.history, "redirected"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert_no_inline_code(parse(response))


def assert_no_inline_code(page: Page) -> None:
    for attrs, body in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", body[:80]
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
    assert not page.has("style")


def test_exercise_filters_narrow_the_list(client: TestClient) -> None:
    def names(**params: str) -> set[str]:
        response = client.get("/exercises", params=params)
        assert response.status_code == 200
        return {link for link in parse(response).links() if link.startswith("/exercises/")}

    everything = names()
    at_desk = names(place="desk")
    desk_stretches = names(place="desk", kind="stretch")
    assert len(everything) == 29
    assert "/exercises/seated-rotation" in at_desk and "/exercises/crunch" not in at_desk
    assert desk_stretches < at_desk < everything
    assert "/exercises/pull-up" in names(equipment="pull-up-bar")


def test_a_bad_filter_is_named_with_422(client: TestClient) -> None:
    response = client.get("/exercises", params={"kind": "yoga"})
    assert response.status_code == 422
    assert "&#39;yoga&#39; is not one of" in response.text


def test_an_exercise_page_shows_steps_dose_cautions_and_source_titles(
    client: TestClient,
) -> None:
    page = parse(client.get("/exercises/bridge"))
    steps = page.text("ol")[0]
    assert "Lie on your back on a mat" in steps
    assert any("1-3 x 5-15 reps + 5-10 s" in p for p in page.text("p"))
    assert any(p.startswith("From “The Best Top 10 Middle Back Exercises”") for p in page.text("p"))
    assert "“5 Easy Middle Back Pain Exercises”" in page.text("li")
    assert "Pregnancy" in page.text("th")
    assert page.has("div", class_="figure-slot", role="img")


def test_an_alias_redirects_to_the_exercise(client: TestClient) -> None:
    response = client.get("/exercises/glute bridge", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/exercises/bridge"


def test_an_unknown_exercise_is_a_404_page_with_suggestions(client: TestClient) -> None:
    response = client.get("/exercises/cat-cwo")
    assert response.status_code == 404
    page = parse(response)
    assert page.text("h1") == ["Not found"]
    assert "/exercises/cat-cow" in page.links()


def test_an_unknown_path_is_the_404_page_but_the_api_keeps_json(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert parse(response).text("h1") == ["Not found"]
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_a_program_page_links_to_the_player_and_to_the_planner(client: TestClient) -> None:
    links = parse(client.get("/programs/three-for-relief")).links()
    assert "/player?program=three-for-relief" in links
    assert "/plan?program=three-for-relief" in links


def test_start_now_shows_the_plan_and_a_start_link_with_the_same_query(
    client: TestClient,
) -> None:
    screen_via_api(client)
    response = client.get("/plan", params={"minutes": 10, "place": "desk", "focus": "posture",
                                           "go": "start"})  # fmt: skip
    assert response.status_code == 200
    page = parse(response)
    assert "/player?minutes=10&place=desk&focus=posture" in page.links()
    assert page.has("table", class_="plan-table")
    mix = "/plan?minutes=10&place=desk&focus=posture&seed=1"
    same = client.post("/api/v1/plan", json={"minutes": 10, "place": "desk", "focus": "posture"})
    # "Try a different mix" only when another mix exists; else the plan says so
    assert (mix in page.links()) is same.json()["alternatives"]


def test_the_planner_asks_for_the_safety_screen_only_until_one_is_stored(
    client: TestClient,
) -> None:
    def asks(response: httpx.Response) -> bool:
        return "You have not taken the safety screen yet." in " ".join(parse(response).text("p"))

    assert asks(client.get("/plan"))
    assert asks(client.get("/plan", params={"minutes": "lots", "place": "desk"}))
    screen_via_api(client)
    assert not asks(client.get("/plan"))
    assert not asks(client.get("/plan", params={"minutes": "lots", "place": "desk"}))
    shown = client.get("/plan", params={"minutes": 10, "place": "desk"})
    assert parse(shown).has("table", class_="plan-table")
    assert not asks(shown)


def test_a_bad_plan_option_re_renders_the_form_with_422(client: TestClient) -> None:
    response = client.get("/plan", params={"minutes": "lots", "place": "moon"})
    assert response.status_code == 422
    page = parse(response)
    assert page.has("input", id="minutes", **{"aria-invalid": "true"})
    assert any(p.startswith("Minutes:") for p in page.text("p"))
    assert any(p.startswith("Place:") for p in page.text("p"))


def test_the_plan_options_show_each_request_s_own_values_seed_and_errors(
    client: TestClient,
) -> None:
    """The options' fields are kept by what they show: asked again with another seed, or with
    an error, or with a box ticked, each page still shows its own."""
    screen_via_api(client)
    base = {"minutes": "15", "place": "home", "focus": "mobility", "level": "intermediate"}
    knee = '<input type="checkbox" name="conditions" value="knee_pain" checked>'

    def options(params: dict[str, Any]) -> tuple[int, Page, str]:
        response = client.get("/plan", params=params)
        return response.status_code, parse(response), response.text

    for seed in ("3", "5", "3"):
        status, page, html = options({**base, "seed": seed})
        assert status == 200
        assert page.has("input", name="seed", value=seed)
        assert page.has("input", id="minutes", value="15")
        assert '<option value="mobility" selected>' in html
        assert not page.has("input", name="cleared")
    status, page, html = options({**base, "seed": "3", "cleared": "1", "conditions": "knee_pain"})
    assert page.has("input", name="cleared", value="1")
    assert knee in html
    status, page, html = options({**base, "minutes": "lots", "seed": "3"})
    assert status == 422
    assert page.has("input", id="minutes", value="lots", **{"aria-invalid": "true"})
    status, page, html = options({**base, "seed": "3"})
    assert status == 200
    assert not page.has("input", id="minutes", **{"aria-invalid": "true"})
    assert knee not in html


def test_a_red_flag_gives_the_emergency_verdict_and_then_plans_are_refused(
    client: TestClient,
) -> None:
    response = post_form(client, "/screen", EMERGENCY_ANSWERS)
    assert response.status_code == 200
    page = parse(response)
    assert page.text("h1") == ["Call emergency services now"]
    assert "Chest pain with mid-back pain can come from the heart." in page.text("li")
    assert page.has("section", class_="verdict-emergency")
    assert_no_inline_code(page)

    refused = client.get("/plan", params={"minutes": 10, "place": "home"})
    assert refused.status_code == 403
    assert "No plan: call emergency services now" in parse(refused).text("h2")
    assert "Chest pain with mid-back pain can come from the heart." in refused.text
    assert not parse(refused).has("input", name="cleared")  # no way round an emergency
    assert client.get("/week", params={"minutes": 10, "place": "home"}).status_code == 403


def test_a_doctor_verdict_offers_the_cleared_box_and_cleared_plans_go_through(
    client: TestClient,
) -> None:
    answers = {**SAFE_ANSWERS, "pain_now": "9"}
    assert parse(post_form(client, "/screen", answers)).text("h1") == [
        "See a doctor before exercising on your own"
    ]
    refused = client.get("/plan", params={"minutes": 10, "place": "home"})
    assert refused.status_code == 403
    assert parse(refused).has("input", type="checkbox", name="cleared")
    cleared = client.get("/plan", params={"minutes": 10, "place": "home", "cleared": "1"})
    assert cleared.status_code == 200
    assert parse(cleared).has("table", class_="plan-table")


def test_a_safe_screen_says_what_the_plan_adapts_and_links_to_plan(client: TestClient) -> None:
    page = parse(post_form(client, "/screen", SAFE_ANSWERS))
    assert page.text("h1") == ["You can exercise, with changes for your conditions or your pain"]
    assert "/plan" in page.links()
    assert any("Knee pain" in li for li in page.text("li"))


def test_a_missing_screen_answer_is_named_next_to_its_field(client: TestClient) -> None:
    response = post_form(client, "/screen", {**SAFE_ANSWERS, "age": ""})
    assert response.status_code == 422
    page = parse(response)
    assert page.has("input", id="age", **{"aria-invalid": "true"})
    assert page.has("p", id="age-error")
    assert "How old are you? Not answered yet: enter your age in years." in page.text("p")
    kept = [a for t, a in page.tags if t == "input" and a.get("value") == "knee_pain"]
    assert "checked" in kept[0]  # the other answers are kept


def test_the_csrf_cookie_is_set_by_a_page_with_a_form_and_not_by_the_json_api(
    client: TestClient,
) -> None:
    api = client.get("/api/v1/exercises")
    assert api.status_code == 200
    assert "set-cookie" not in api.headers  # no form: no token drawn, no cookie
    page = client.get("/screen")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found and client.cookies.get("midback_csrf") == found.group(1)
    again = client.get("/checkin")  # the cookie is kept: the next page repeats it
    assert "set-cookie" not in again.headers
    assert f'value="{found.group(1)}"' in again.text


def test_a_screen_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/screen")
    response = client.post("/screen", data=EMERGENCY_ANSWERS)
    assert response.status_code == 403
    # Nothing was stored: planning still asks for the screen instead of refusing an emergency.
    plan = client.get("/plan", params={"minutes": 10, "place": "home"}, follow_redirects=False)
    assert plan.status_code == 303
    assert plan.headers["location"].endswith("&why=unscreened")


def test_a_checkin_is_stored_and_shows_on_history(client: TestClient) -> None:
    response = post_form(client, "/checkin", {"pain": "6", "stiffness": "3"})
    assert response.status_code == 200
    assert parse(response).text("h1") == ["Check-in saved"]
    assert [c["morning_pain"] for c in client.get("/api/v1/checkins").json()] == [6]
    history = parse(client.get("/history"))
    assert "6.0" in history.text("td")


def test_a_bad_checkin_is_refused_with_422(client: TestClient) -> None:
    response = post_form(client, "/checkin", {"pain": "11"})
    assert response.status_code == 422
    assert parse(response).has("p", id="pain-error")
    assert client.get("/api/v1/checkins").json() == []


def test_history_draws_the_chart_with_the_improvement_line_after_two_weeks(
    client: TestClient, app: FastAPI
) -> None:
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief",
                                                    "pain_before": 4})  # fmt: skip
    session_id = started.json()["session"]["id"]
    client.post(f"/api/v1/sessions/{session_id}/finish", json={"pain_after": 3})
    now = datetime.now(UTC)
    for days_ago, pain in ((14, 7), (13, 6), (0, 3)):
        at = now - timedelta(days=days_ago)
        app.state.repo.add_checkin(1, at.astimezone().date(), pain, None, at)

    response = client.get("/history")
    page = parse(response)
    assert page.has("svg", class_="pain-chart", role="img")
    assert page.has("line", class_="threshold")
    assert "meaningful improvement (2 points or 30%)" in response.text
    assert "Weekly average pain, 0 to 10" in page.text("title")
    assert page.has("table", class_="weeks-table")
    assert any("Meaningful improvement" in p for p in page.text("p"))
    status = next(t for t in page.text("td") if t.startswith("completed"))
    assert "of 3 exercises" in status, status  # what the session held, beside its status
    assert "Three for relief" in page.text("td") or any(
        "for relief" in t.lower() for t in page.text("td")
    )  # the program's name, not its id


def test_history_with_one_week_has_no_improvement_line(client: TestClient) -> None:
    post_form(client, "/checkin", {"pain": "5"})
    page = parse(client.get("/history"))
    assert page.has("svg", class_="pain-chart")
    assert not page.has("line", class_="threshold")


def test_a_session_note_is_escaped_on_history(client: TestClient) -> None:
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"program_id": "three-for-relief"})
    session_id = started.json()["session"]["id"]
    finished = client.post(f"/api/v1/sessions/{session_id}/finish",
                           json={"note": "<script>alert(1)</script>"})  # fmt: skip
    assert finished.status_code == 200
    response = client.get("/history")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert_no_inline_code(parse(response))


def test_week_shows_the_days_walking_and_an_ics_link_that_works(client: TestClient) -> None:
    screen_via_api(client)
    response = client.get("/week", params={"minutes": 10, "place": "home", "days": 7,
                                           "start": "2030-01-07"})  # fmt: skip
    assert response.status_code == 200
    page = parse(response)
    ics = [link for link in page.links() if link.startswith("/api/v1/week.ics?")]
    assert len(ics) == 1 and "start=2030-01-07" in ics[0]
    assert any(h.startswith("Monday 07 January") for h in page.text("h3"))
    assert "of 150 minutes" in response.text
    calendar = client.get(ics[0])
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")


def test_the_guide_renders_markdown_and_lists_sources(client: TestClient) -> None:
    page = parse(client.get("/guide/how-to-stretch"))
    assert "Set up" in page.text("h2")
    assert "Sources" in page.text("h2")
    assert "/guide/how-to-stretch" in parse(client.get("/guide")).links()
    missing = client.get("/guide/how-to-strech")
    assert missing.status_code == 404
    assert "/guide/how-to-stretch" in parse(missing).links()


def test_export_links_to_json_and_csv(client: TestClient) -> None:
    links = parse(client.get("/export")).links()
    assert "/api/v1/export" in links
    assert "/api/v1/export?format=csv" in links


def test_templates_are_not_looked_at_on_disk_again_while_the_app_runs(
    app: FastAPI, client: TestClient
) -> None:
    env = app.state.templates.env
    assert env.auto_reload is False
    assert client.get("/").status_code == 200
    first = env.get_template("base.html")
    assert env.get_template("base.html") is first  # kept, its file not checked again
