"""``midback serve``: the web app on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from midback.cli import output
from midback.settings import SettingsError


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    mode: Annotated[
        str | None,
        typer.Option(help="local (one person, no login) or server (accounts); or MIDBACK_MODE."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (server mode scales out).")
    ] = 1,
) -> None:
    """Run the web app (the whole coach in a browser) and print its URL."""
    import os

    import uvicorn

    from midback.settings import Settings

    if mode is not None:
        if mode not in ("local", "server"):
            raise SettingsError(f"--mode: {mode!r} is not local or server")
        os.environ["MIDBACK_MODE"] = mode
    settings = Settings.from_env()
    settings.check_server()
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    output.console().print(f"midback is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    output.console().print(
        f"mode: {settings.mode}; data: {_shown(settings.database_url)}", style="dim"
    )
    uvicorn.run(
        "midback.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def _shown(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_command)
