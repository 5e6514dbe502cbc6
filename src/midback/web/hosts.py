"""Which ``Host`` names the app answers to: the defence against DNS rebinding.

A web page on another site can make the browser send requests to the app (a name of the
attacker's that resolves to 127.0.0.1), and read the answers, since the browser takes them as
the attacker's own origin. Such a request carries the attacker's name in its ``Host`` header, so
anything but a known name is refused with 400 before routing, in both modes.

Known names: the loopback names, the address the request came in on (an IP literal, which no
rebinding can forge), and the host's own (``Settings.allowed_hosts``, e.g. the name of the
clinic's server behind its proxy). The check is Starlette's ``TrustedHostMiddleware``.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Names of this machine that resolve only here."""


class HostCheck:
    """Refuses (400) a request whose ``Host`` is not loopback, the address served on, or one of
    ``allowed``."""

    def __init__(self, app: ASGIApp, *, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self._trusted = TrustedHostMiddleware(
            app, allowed_hosts=[*LOOPBACK_NAMES, *allowed], www_redirect=False
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _is_served_address(scope):
            await self.app(scope, receive, send)
            return
        await self._trusted(scope, receive, send)


def _is_served_address(scope: Scope) -> bool:
    """Whether ``Host`` names the address the connection came in on (e.g. ``192.168.1.5``)."""
    server = scope.get("server")
    header = Headers(scope=scope).get("host")
    if not server or not header:
        return False
    if header.startswith("["):  # [IPv6]:port
        host = header[1:].partition("]")[0]
    else:
        host = header.rpartition(":")[0] if header.count(":") == 1 else header
    return host.lower() == str(server[0]).lower()
