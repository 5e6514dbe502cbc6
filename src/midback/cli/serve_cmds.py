"""``midback serve``: the web app on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from midback.cli import output


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Run the web app (the whole coach in a browser) and print its URL."""
    import uvicorn

    from midback.settings import Settings
    from midback.web.app import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    output.console().print(f"midback is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    output.console().print(f"data: {settings.database_url}", style="dim")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_command)
