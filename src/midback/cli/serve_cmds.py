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
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A name the app answers to besides loopback and its address (repeatable; "
            "'*.example.org' for subdomains; adds to MIDBACK_ALLOWED_HOSTS)."
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Addresses of the reverse proxies whose X-Forwarded-For to believe "
            "(comma-separated, or '*'); by default none: the connecting address is the client."
        ),
    ] = None,
) -> None:
    """Run the web app (the whole coach in a browser) and print its URL."""
    import os
    import secrets

    import uvicorn

    from midback.settings import ENV_VARS, Settings

    if mode is not None:
        if mode not in ("local", "server"):
            raise SettingsError(f"--mode: {mode!r} is not local or server")
        os.environ[ENV_VARS["mode"]] = mode
    names = [*Settings.from_env().allowed_hosts, *(allowed_host or [])]
    if not _is_loopback(host) and not _is_any(host):
        names.append(host)
    if names:
        os.environ[ENV_VARS["allowed_hosts"]] = ",".join(dict.fromkeys(names))
    token = None
    if not _is_loopback(host) and Settings.from_env().mode == "local":
        from midback.web.local_access import forget_used_tokens

        forget_used_tokens(Settings.from_env().home)
        token = Settings.from_env().access_token or secrets.token_urlsafe(24)
        os.environ[ENV_VARS["access_token"]] = token
    settings = Settings.from_env()
    settings.check_server()
    shown = "localhost" if _is_loopback(host) else _lan_address() if _is_any(host) else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    output.console().print(f"midback is running at {url}  (Ctrl+C to stop)")
    output.console().print(
        f"mode: {settings.mode}; data: {_shown(settings.database_url)}", style="dim"
    )
    if token:
        output.console().print(
            "Local mode on a network address: anyone with this URL can read and change your "
            "record. Open it on your own devices only; without the token every page answers "
            "401.",
            style="yellow",
        )
    uvicorn.run(
        "midback.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "",
    )


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_any(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def _lan_address() -> str:
    """This machine's address on its network (a UDP socket's own address: nothing is sent)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never reached
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _shown(url: str) -> str:
    from midback.services.store import shown_url

    return shown_url(url)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_command)
