"""Views render into a plain console: what a person reads in the terminal."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from rich.console import Console, RenderableType

from midback.cli.player_view import big_digits, countdown_text, player_screen
from midback.cli.session_views import history_view, pain_bar
from midback.cli.views import exercise_panel, plan_view
from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.history import PainReading, history
from midback.domain.planner import plan
from midback.domain.plans import PlanRequest
from midback.domain.records import SessionRecord
from midback.domain.timeline import compile_plan


def rendered(renderable: RenderableType, width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_the_player_screen_shows_countdown_now_next_and_progress(cat: Catalogue) -> None:
    program = plan_program(
        cat, cat.program("three-for-relief"), PlanRequest(minutes=60, place="home")
    )
    timeline = compile_plan(program, cat)
    text = rendered(player_screen(timeline, cue_index=3, remaining_s=4.2, offset_s=20, paused=True))
    lines = text.splitlines()
    assert "Rep 2 of 10" in text
    assert "Next: Seated thoracic rotation" in text
    assert any("exercise 1 of 3" in line and "━" not in line for line in lines)
    assert "PAUSED" in text
    assert "p it hurts" in text


def test_big_digits_draw_five_rows_and_the_countdown_rounds_up() -> None:
    assert countdown_text(4.2) == "5"
    assert countdown_text(65) == "1:05"
    assert len(big_digits("1:05").plain.splitlines()) == 5


def test_an_exercise_panel_cites_its_sources_by_title(cat: Catalogue) -> None:
    text = rendered(exercise_panel(cat.exercise("crunch"), cat), width=120)
    assert "5 Easy Middle Back Pain Exercises" in text
    assert "Cautions" in text


def test_a_plan_view_lists_each_block_and_the_directions(cat: Catalogue) -> None:
    text = rendered(plan_view(plan(cat, PlanRequest(minutes=10, place="desk"))), width=160)
    assert "Moves the spine: it " in text
    assert "Plan:" in text


def test_the_history_chart_marks_the_meaningful_improvement() -> None:
    readings = [PainReading(date(2026, 11, 2), 6, True), PainReading(date(2026, 11, 16), 3, True)]
    result = history(readings, [], today=date(2026, 11, 17))
    text = rendered(history_view(result, []), width=120)
    assert "Meaningful improvement" in text
    assert "|" in pain_bar(5.0, 4.0).plain


def test_the_history_shows_session_times_in_the_persons_zone() -> None:
    started = datetime(2026, 12, 6, 9, tzinfo=UTC)
    session = SessionRecord(id=1, person_id=1, plan={}, started_at=started)
    result = history([PainReading(date(2026, 12, 6), 4, True)], [], today=date(2026, 12, 6))
    for zone, shown in ((ZoneInfo("Pacific/Auckland"), "Sun 06 Dec 22:00"),
                        (ZoneInfo("America/New_York"), "Sun 06 Dec 04:00")):  # fmt: skip
        assert shown in rendered(history_view(result, [session], zone=zone), width=120)
