"""The first run, today's session, the week, program cards, desk breaks and the forms' messages
(issue 16), through FastAPI's TestClient."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from midback.domain.assemble import plan_program
from midback.domain.loader import catalogue
from midback.domain.plans import PlanRequest
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Place
from midback.settings import Settings
from midback.web.app import create_app
from tests.integration.helpers import screen_via_api
from tests.integration.test_web_pages import EMERGENCY_ANSWERS, SAFE_ANSWERS, parse, post_form

MONDAY_9 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def clocked_client(tmp_path: Path, at: datetime = MONDAY_9) -> TestClient:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/t.db")
    return TestClient(create_app(settings, clock=lambda: at))


def start_links(html: str) -> list[str]:
    """The ``href`` of every link or button whose text is exactly ``Start``."""
    return [unescape(h) for h in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>Start</a>', html)]


# -- the first run ----------------------------------------------------------------------------


def test_a_new_person_is_welcomed_and_sent_to_the_safety_screen_first(client: TestClient) -> None:
    page = parse(client.get("/"))
    assert page.text("h1") == ["Welcome to midback"]
    assert "/screen?next=%2Fstart" in [unescape(link) for link in page.links()]
    assert not start_links(client.get("/").text)
    form = client.get("/screen?next=%2Fstart")
    assert 'name="next" value="/start"' in form.text


def test_time_place_and_kit_come_after_the_screen_and_lead_to_the_first_session(
    client: TestClient,
) -> None:
    unscreened = client.get("/start", follow_redirects=False)
    assert unscreened.status_code == 303
    assert unscreened.headers["location"].startswith("/screen?next=%2Fstart")
    result = parse(post_form(client, "/screen", {**SAFE_ANSWERS, "next": "/start"}))
    assert "/start" in result.links()  # Continue
    step = client.get("/start")
    assert step.status_code == 200
    page = parse(step)
    assert page.text("h1") == ["Your first session"]
    assert page.has("select", name="minutes") and page.has("select", name="place")
    assert page.has("input", type="checkbox", name="equipment")
    assert '<option value="10" selected>' in step.text  # the default: the home page's 10 minutes
    first = client.get("/plan", params={"go": "start", "minutes": 5, "place": "desk",
                                         "focus": "relief", "level": "beginner"})  # fmt: skip
    assert first.status_code == 200
    assert parse(first).text("h1") == ["Your routine is ready"]
    [start] = start_links(first.text)
    assert start.startswith("/player?minutes=5&place=desk")


def test_a_refusing_screen_shows_where_to_go_and_never_reaches_the_player(
    client: TestClient,
) -> None:
    result = post_form(client, "/screen", {**EMERGENCY_ANSWERS, "next": "/start"})
    page = parse(result)
    assert page.text("h1") == ["Call emergency services now"]
    assert "/start" not in page.links()
    assert not any(link.startswith("/player") for link in page.links())
    step = client.get("/start", follow_redirects=False)
    assert step.status_code == 303 and step.headers["location"] == "/"
    home = client.get("/")
    assert "call emergency services now" in home.text.lower()
    assert not start_links(home.text)
    assert not any(link.startswith("/player") for link in parse(home).links())


# -- a returning person -----------------------------------------------------------------------


def test_a_returning_person_lands_on_today_s_session_with_one_start(client: TestClient) -> None:
    screen_via_api(client)
    home = client.get("/")
    assert parse(home).text("h1") == ["Today's session"]
    [start] = start_links(home.text)
    query = dict(parse_qsl(urlsplit(start).query))
    assert (query["minutes"], query["place"]) == ("10", "home")
    assert client.get(start).status_code == 200


def test_today_s_session_follows_last_time_s_choices(client: TestClient) -> None:
    screen_via_api(client)
    client.get("/plan", params={"minutes": 15, "place": "desk", "focus": "posture",
                                "equipment": "chair", "go": "start"})  # fmt: skip
    home = client.get("/")
    [start] = start_links(home.text)
    query = dict(parse_qsl(urlsplit(start).query))
    assert (query["minutes"], query["place"], query["focus"]) == ("15", "desk", "posture")
    assert "your choices last time" in home.text
    plan_form = client.get("/plan").text
    assert '<input id="minutes" name="minutes" type="number"' in plan_form
    assert 'value="15"' in plan_form and '<option value="desk" selected>' in plan_form


def test_last_time_s_choices_belong_to_their_person(client: TestClient) -> None:
    screen_via_api(client)
    client.cookies.set("midback_last", "2|minutes=30&place=gym&focus=strength")
    [start] = start_links(client.get("/").text)
    assert "minutes=10" in start and "place=home" in start


def test_with_a_course_today_s_start_plays_the_course(client: TestClient) -> None:
    screen_via_api(client)
    started = client.post("/api/v1/course", json={"minutes": 10, "place": "home"})
    assert started.status_code in (200, 201), started.text
    home = client.get("/")
    assert start_links(home.text) == ["/player?course=1"]
    assert "Your course's session for today" in home.text


# -- the week -------------------------------------------------------------------------------


def test_the_week_starts_today_with_at_most_two_items_a_day_each_startable(
    tmp_path: Path,
) -> None:
    with clocked_client(tmp_path) as client:
        screen_via_api(client)
        response = client.get("/week", params={"minutes": 10, "place": "home"})
        assert response.status_code == 200
        page = parse(response)
        days = [h for h in page.text("h3") if re.match(r"\w+day \d\d \w+", h)]
        assert days[0].startswith("Monday 07 January")  # today, not tomorrow
        dates = re.findall(r'id="day-(\d{4}-\d\d-\d\d)"', response.text)
        assert dates[0] == MONDAY_9.date().isoformat() and len(dates) == 7
        items = Counter(re.findall(r'<li class="session session-[\w-]+"', response.text))
        assert sum(items.values()) <= 2 * 7
        per_day = response.text.split('<section class="week-day"')[1:]
        assert all(chunk.count('<li class="session') <= 2 for chunk in per_day)
        starts = re.findall(r'class="button start-session" href="([^"]+)"', response.text)
        assert len(starts) == 7  # one main session a day; walks need no player
        for href in starts[:2]:
            assert client.get(href.replace("&amp;", "&")).status_code == 200
        assert "MET" not in response.text


def test_an_empty_week_form_says_what_is_missing(client: TestClient) -> None:
    screen_via_api(client)
    response = client.get("/week?minutes=&place=&focus=mobility&days=7")
    assert response.status_code == 422
    texts = parse(response).text("a")
    assert "Minutes: how long do you have?" in texts and "Place: where are you?" in texts


# -- the plan form --------------------------------------------------------------------------


def test_submitting_the_plan_form_empty_says_what_is_missing(client: TestClient) -> None:
    screen_via_api(client)
    response = client.get("/plan?minutes=&place=&focus=relief&level=beginner&seed=0")
    assert response.status_code == 422
    page = parse(response)
    assert "Minutes: how long do you have?" in page.text("a")
    assert "Place: where are you?" in page.text("a")
    assert page.has("div", role="alert")


def test_plan_and_home_default_to_the_same_minutes(client: TestClient) -> None:
    screen_via_api(client)
    plan = client.get("/plan").text
    assert re.search(r'<input id="minutes" name="minutes"[^>]*value="10"', plan)
    assert '<option value="10" selected>10 minutes</option>' in client.get("/").text


# -- screen messages ------------------------------------------------------------------------


def test_screen_errors_name_the_question_and_what_is_wrong(client: TestClient) -> None:
    bad_number = post_form(client, "/screen", {**SAFE_ANSWERS, "age": "forty"})
    assert bad_number.status_code == 422
    assert any(p.startswith("How old are you? ") and "is not a whole number" in p
               for p in parse(bad_number).text("p"))  # fmt: skip
    missing = post_form(client, "/screen", {**SAFE_ANSWERS, "pain_now": ""})
    assert missing.status_code == 422
    assert ("How bad is the pain right now? Not answered yet: choose a number from 0 (no pain)"
            " to 10.") in parse(missing).text("p")  # fmt: skip
    out_of_range = post_form(client, "/screen", {**SAFE_ANSWERS, "age": "200"})
    assert any(
        p.startswith("How old are you? 200 is outside") for p in parse(out_of_range).text("p")
    )


# -- program cards ----------------------------------------------------------------------------


def test_program_cards_show_the_compiled_timeline_s_length_kit_and_pictures(
    client: TestClient,
) -> None:
    cat = catalogue()
    html = client.get("/programs").text
    shown = dict(re.findall(r'<a href="/programs/([\w-]+)">.*?data-seconds="(\d+)"', html, re.S))
    assert set(shown) == set(cat.programs)
    for program_id, seconds in shown.items():
        program = cat.programs[program_id]
        plan = plan_program(cat, program, PlanRequest(minutes=240, place=Place.HOME))
        assert int(seconds) == compile_plan(plan, cat).total_s, program_id
    assert "Kit: chair, doorway, mat" in html  # three for relief
    assert html.count('<img class="thumb"') >= len(cat.programs)
    one = client.get("/programs/three-for-relief").text
    assert 'data-seconds="360"' in one and "6:00 min" in one


# -- desk breaks ------------------------------------------------------------------------------


def test_breaks_need_the_screen_first(client: TestClient) -> None:
    page = client.get("/breaks")
    assert page.status_code == 200
    assert "/screen?next=%2Fbreaks" in parse(page).links()
    assert "breaks.js" not in page.text


def test_a_refusing_screen_shows_its_refusal_on_the_breaks_page(client: TestClient) -> None:
    screen_via_api(client, red_flags=["chest_pain"])
    page = client.get("/breaks")
    assert page.status_code == 403
    assert "No plan: call emergency services now" in parse(page).text("h2")
    assert "breaks.js" not in page.text


def test_the_breaks_page_offers_a_short_desk_routine_and_its_reminders(
    client: TestClient,
) -> None:
    screen_via_api(client)
    response = client.get("/breaks")
    assert response.status_code == 200
    page = parse(response)
    assert any(s[0].get("src") == "/static/breaks.js" for s in page.scripts)
    assert "every\n  45 minutes" in response.text or "every 45 minutes" in " ".join(
        response.text.split()
    )
    for button in ("break-take", "break-postpone-5", "break-postpone-10", "break-skip",
                   "breaks-pause", "break-hurts"):  # fmt: skip
        assert page.has("button", id=button), button
    routine = re.findall(r'<ul class="break-routine".*?</ul>', response.text, re.S)[0]
    assert 1 <= routine.count("<li>") <= 3


def test_a_break_taken_through_the_session_api_counts_in_history(client: TestClient) -> None:
    screen_via_api(client)
    started = client.post("/api/v1/sessions", json={"minutes": 2, "place": "desk",
                                                    "focus": "relief"})  # fmt: skip
    assert started.status_code == 201
    body = started.json()
    assert body["timeline"]["total_s"] <= 3 * 60
    session_id = body["session"]["id"]
    for position, _ in enumerate(body["plan"]["blocks"]):
        logged = client.post(f"/api/v1/sessions/{session_id}/logs", json={
            "position": position, "status": "completed",
            "idempotency_key": f"brk-{session_id}-{position}-c"})  # fmt: skip
        assert logged.status_code == 201
    assert (
        client.post(
            f"/api/v1/sessions/{session_id}/finish",
            json={"status": "completed", "note": "Desk break"},
        ).status_code
        == 200
    )
    history = client.get("/history").text
    assert "Desk break" in history


# -- navigation -----------------------------------------------------------------------------


def test_the_navigation_links_export_and_breaks(client: TestClient) -> None:
    links = parse(client.get("/exercises")).links()
    assert "/export" in links and "/breaks" in links


def test_the_week_form_starts_on_today_by_default(tmp_path: Path) -> None:
    with clocked_client(tmp_path) as client:
        screen_via_api(client)
        response = client.get("/week")
        today = MONDAY_9.astimezone().date().isoformat()
        assert re.search(
            rf'<input id="start" name="start" type="date" value="{today}"', response.text
        )
