"""Session records on the command line: checkin, history, progress, export, import.

Each command imports what it uses when it runs (a check-in loads neither the player nor Rich's
tables); ``midback start``, the guided session, is ``midback.cli.start_cmds``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from midback.cli import output
from midback.cli import store as stores
from midback.cli.options import JsonFlag
from midback.cli.store import store
from midback.errors import MidbackError
from midback.services import LOCAL_PERSON


def checkin_command(
    pain: Annotated[int, typer.Option(min=0, max=10, help="Pain this morning, 0-10.")],
    stiffness: Annotated[
        int | None, typer.Option(min=0, max=10, help="Stiffness this morning, 0-10.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record this morning's pain (and stiffness); progression uses it."""
    from midback.services.records import checkin

    record = checkin(store(), LOCAL_PERSON, pain=pain, stiffness=stiffness, at=stores.now())
    if as_json:
        output.emit_json(record.model_dump(mode="json"))
    else:
        output.console().print(f"Checked in for {record.day}: pain {pain}/10.")


def history_command(
    target: Annotated[
        int, typer.Option(min=1, max=21, help="Sessions a week you aim for (adherence).")
    ] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Weekly pain with a chart, change from the first week, sessions per week, streak."""
    from midback.domain.loader import catalogue
    from midback.services.records import history_view

    cat = catalogue()
    view = history_view(store(), cat, LOCAL_PERSON, now=stores.now(), limit=10,
                        weekly_target=target)  # fmt: skip
    result, sessions, doses = view.history, view.sessions, view.doses
    if as_json:
        data = result.model_dump(mode="json")
        data["sessions"] = [s.model_dump(mode="json", exclude={"plan"}) for s in sessions]
        data["course_doses"] = {
            exercise_id: [{"day": p.day.isoformat(), "dose": p.dose, "work_s": p.work_s}
                          for p in points]
            for exercise_id, points in doses.items()
        }  # fmt: skip
        output.emit_json(data)
    else:
        from midback.cli import session_views
        from midback.cli.course_views import dose_chart

        output.console().print(session_views.history_view(result, sessions, zone=view.zone))
        if doses:
            output.console().print(dose_chart(doses, cat))


def progress_command(as_json: JsonFlag = False) -> None:
    """Each exercise's step on its ladder, and the reason for it."""
    from midback.domain.loader import catalogue
    from midback.services.progress import progress

    standings = progress(store(), catalogue(), LOCAL_PERSON, now=stores.now())
    if as_json:
        output.emit_json([s.model_dump(mode="json") for s in standings])
    else:
        from midback.cli import session_views

        output.console().print(session_views.progress_view(standings, catalogue()))


def export_command(
    file: Annotated[Path, typer.Argument(help="Where to write the export.")],
    format: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
) -> None:
    """Export everything you recorded (json: lossless; csv: one row per exercise logged)."""
    from midback.services.records import export_csv, export_json

    if format not in ("json", "csv"):
        raise _ExportError(f"--format: {format!r} is not json or csv")
    if not file.parent.is_dir():
        raise _ExportError(f"{file}: folder {file.parent} does not exist")
    repo = store()
    partial = file.with_name(file.name + ".part")
    if format == "json":
        partial.write_text(json.dumps(export_json(repo, LOCAL_PERSON), indent=2) + "\n")
        partial.replace(file)
    else:
        export_csv(repo, LOCAL_PERSON, partial)
        partial.replace(file)
    output.console().print(f"Exported to {file}")


def import_command(
    file: Annotated[Path, typer.Argument(help="A midback JSON export.")],
) -> None:
    """Import a JSON export: all or nothing; a bad file names its first bad record."""
    from midback.services.records import import_json

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _ExportError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _ExportError(f"{file}: cannot read ({error})") from None
    except json.JSONDecodeError as error:
        raise _ExportError(f"{file}: invalid JSON at line {error.lineno}: {error.msg}") from None
    counts = import_json(store(), LOCAL_PERSON, data, now=stores.now())
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    output.console().print(f"Imported {summary} from {file}")


class _ExportError(MidbackError):
    """A bad export or import request (file, folder or format)."""


def register(app: typer.Typer) -> None:
    """Add the session commands to ``app``."""
    app.command("checkin")(checkin_command)
    app.command("history")(history_command)
    app.command("progress")(progress_command)
    app.command("export")(export_command)
    app.command("import")(import_command)
