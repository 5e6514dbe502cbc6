"""``midback start``: the guided session on the terminal (screen, plan, player, record).

Its own module: the player, Rich's live display and the course and planning use cases load only
for it, not for a check-in or the history (``midback.cli.session_cmds``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.live import Live
from rich.prompt import IntPrompt, Prompt

from midback.cli import output, session_views, views
from midback.cli import store as stores
from midback.cli.answers import gate
from midback.cli.app import EXIT_BLOCKED
from midback.cli.options import (
    AnswersOpt,
    ClearedOpt,
    ConditionOpt,
    EquipmentOpt,
    FocusOpt,
    LevelOpt,
    Minutes,
    PlaceOpt,
    ProgramOpt,
    SeedOpt,
)
from midback.cli.plan_cmds import build_request, refuse
from midback.cli.player_view import player_screen
from midback.cli.store import store
from midback.cli.terminal import NoKeys, TerminalKeys, Voice, default_keys, is_intro, run_session
from midback.domain.loader import catalogue
from midback.domain.player import BlockEnded, Event, Player
from midback.domain.safety import check_allowed, screen
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Focus, Level, Place
from midback.errors import PainTooHigh, ScreenBlocked
from midback.services import LOCAL_PERSON
from midback.services.courses import active as active_course
from midback.services.courses import course_session
from midback.services.live import LiveSession
from midback.services.planning import make_plan_for
from midback.services.screening import current_screen, pain_note

if TYPE_CHECKING:
    from rich.console import Console


def start_command(
    program: ProgramOpt = None,
    minutes: Minutes = None,
    place: PlaceOpt = None,
    equipment: EquipmentOpt = None,
    condition: ConditionOpt = None,
    focus: FocusOpt = Focus.RELIEF,
    level: LevelOpt = Level.BEGINNER,
    answers: AnswersOpt = None,
    cleared: ClearedOpt = False,
    seed: SeedOpt = 0,
    speed: Annotated[
        float, typer.Option(min=0.01, max=10000, help="Run faster (demos, tests): 2 = twice.")
    ] = 1.0,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Run without a keyboard or questions.")
    ] = False,
    pain_before: Annotated[int | None, typer.Option(min=0, max=10, help="Pain now, 0-10.")] = None,
    pain_after: Annotated[
        int | None, typer.Option(min=0, max=10, help="Pain at the end, 0-10.")
    ] = None,
    effort: Annotated[int | None, typer.Option(min=0, max=10, help="Effort, 0-10.")] = None,
    note: Annotated[str | None, typer.Option(help="A note to keep with the session.")] = None,
    voice: Annotated[bool, typer.Option("--voice", help="Speak the cues (espeak-ng).")] = False,
) -> None:
    """Start a guided session: screen if needed, plan, then count you through it.

    With no --program, --minutes or --place, it plays today's session of your course.
    """
    console = output.console()
    interactive = not no_input and sys.stdin.isatty()
    repo = store()
    cat = catalogue()
    follow_course = program is None and minutes is None and place is None
    if follow_course and active_course(repo, LOCAL_PERSON) is None:
        follow_course = False  # build_request names the missing options
    request = build_request(
        minutes=minutes or (240 if follow_course else None), place=place or (Place.HOME if
        follow_course else None), equipment=equipment, conditions=condition, focus=focus,
        level=level, seed=seed, cleared=cleared, program=program,
    )  # fmt: skip
    try:
        # The screen first (stored, or asked now), then the pain right now, then the plan:
        # pain of 6-7 makes the session gentle, 8 or more stops it (services.session_request).
        given = gate(repo, answers_file=answers, as_json=False, store_given=True,
                     interactive=interactive)  # fmt: skip
        verdict = screen(given) if given else current_screen(repo, LOCAL_PERSON, now=stores.now())
        check_allowed(verdict, cleared=request.cleared)
        if pain_before is None and interactive:
            pain_before = IntPrompt.ask(
                "Pain right now (0-10)", choices=[str(i) for i in range(11)]
            )
        if follow_course:  # today's session of the course the person follows
            session_plan = course_session(repo, cat, LOCAL_PERSON, now=stores.now(),
                                          pain_before=pain_before, cleared=cleared)  # fmt: skip
        else:
            session_plan = make_plan_for(repo, cat, LOCAL_PERSON, request, answers=given,
                                         now=stores.now(), program_id=program,
                                         pain_before=pain_before)  # fmt: skip
    except PainTooHigh as too_high:
        console.print(too_high.reasons[0][1], style="bold yellow")
        console.print("Read it with: midback guide when-to-see-a-doctor")
        raise typer.Exit(EXIT_BLOCKED) from None
    except ScreenBlocked as blocked:
        raise refuse(blocked, as_json=False) from None
    timeline = compile_plan(session_plan, cat)
    switched = pain_note(pain_before)
    if switched is not None:
        console.print(switched, style="bold yellow")
    console.print(views.plan_view(session_plan))
    live_session = LiveSession.begin(
        repo, cat, LOCAL_PERSON, session_plan, timeline, pain_before=pain_before, at=stores.now()
    )
    speaker = _voice(console) if voice else None
    player = Player(timeline, clock=time.monotonic, speed=speed)
    quit_ = _play(console, player, live_session, speaker, interactive=interactive)
    if interactive:
        if pain_after is None:
            pain_after = IntPrompt.ask("Pain now (0-10)", choices=[str(i) for i in range(11)])
        if effort is None:
            effort = IntPrompt.ask("How hard was it (0-10)", choices=[str(i) for i in range(11)])
        if note is None:
            note = Prompt.ask("A note (Enter to skip)", default="") or None
    record = live_session.finish(
        quit=quit_, at=stores.now(), pain_after=pain_after, effort=effort, note=note
    )
    console.print(session_views.session_summary(record, live_session.logs))


def _voice(console: Console) -> Voice | None:
    speaker = Voice.find()
    if speaker is None:
        console.print(
            "Voice needs espeak-ng, which is not installed (apt-get install espeak-ng);"
            " going on without it.",
            style="yellow",
        )
    return speaker


def _play(
    console: Console,
    player: Player,
    session: LiveSession,
    speaker: Voice | None,
    *,
    interactive: bool,
) -> bool:
    """Run the player on the terminal; returns True when the person quit."""
    message: str | None = None
    pending: str | None = None  # "quit" while asking to confirm

    def on_event(event: Event) -> None:
        if isinstance(event, BlockEnded):
            session.record_block(event, at=stores.now())
            return
        if is_intro(event, player):
            if interactive:
                console.bell()
            else:
                cue = player.timeline.cues[event.index]  # type: ignore[union-attr]
                console.print(f"{cue.start_s // 60:02d}:{cue.start_s % 60:02d} {cue.text}")
        if speaker is not None and hasattr(event, "index"):
            speaker.say(player.timeline.cues[event.index].say)

    def on_key(key: str, p: Player) -> list[Event] | None:
        nonlocal message, pending
        if pending == "quit":
            pending = None
            if key in ("y", "q"):
                return p.quit()
            message = None
            return p.resume()
        if key == "q":
            p.pause()
            pending = "quit"
            message = "Quit the session? y = quit, any other key = carry on"
            return []
        if key == "p":
            block = p.timeline.cues[p.current_cue()].block
            events = p.it_hurts()
            p.pause()
            name = p.timeline.blocks[block].name if block is not None else "it"
            message = (
                f"Stopped {name} and recorded that it hurt; it will be eased next time."
                " space: go on   b: try it again   q: quit"
            )
            return events
        message = None
        return default_keys(key, p)

    if not interactive:
        return run_session(
            player,
            keys=NoKeys(time.sleep),
            on_event=on_event,
            render=lambda _: None,
            on_key=lambda _k, _p: None,
        )
    keys = TerminalKeys()
    with keys.raw(), Live(console=console, auto_refresh=False, transient=True) as live:

        def render(_: str | None) -> None:
            live.update(
                player_screen(
                    player.timeline,
                    cue_index=player.current_cue(),
                    remaining_s=player.remaining_in_cue(),
                    offset_s=player.offset(),
                    paused=player.paused,
                    message=message,
                ),
                refresh=True,
            )

        try:
            return run_session(player, keys=keys, on_event=on_event, render=render, on_key=on_key)
        finally:
            if speaker is not None:
                speaker.close()


def register(app: typer.Typer) -> None:
    """Add ``start`` to ``app``."""
    app.command("start")(start_command)
