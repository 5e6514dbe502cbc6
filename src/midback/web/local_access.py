"""Local mode on a network address: a token, as Jupyter does, instead of accounts.

Local mode has no login, so served beyond loopback (to follow the player on a phone on the same
network) anyone who can reach the port could read the record. ``midback serve`` then makes a
random token and prints a URL carrying it (``/?token=...``). The first request with the right
token gets an HttpOnly cookie signed with the token (itsdangerous) and is redirected to the same
URL without it; from then on the cookie is enough. The token works once (a marker file in the
data folder says it was used, for every server process): a URL seen later in a history or over
a shoulder opens nothing. Without the cookie, every route but the static files answers 401, except
to this machine itself (loopback), which local mode trusts anyway. A restart makes a new token.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

ACCESS_COOKIE = "midback_access"
USED_PREFIX = "access-token-used-"
TOKEN_PARAM = "token"
OPEN_PREFIXES = ("/static/", "/healthz", "/manifest.webmanifest")
"""What anyone who reaches the port may fetch: files the app ships, nothing of the person's."""


class LocalAccess:
    """Refuses (401) requests that carry neither the token nor the cookie it sets."""

    def __init__(
        self, app: ASGIApp, *, token: str, home: Path, secure_cookies: bool = False
    ) -> None:
        self.app = app
        self._token = token
        self._signer = URLSafeSerializer(token, salt="midback-local-access")
        self._secure = secure_cookies
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        self._used = home / f"{USED_PREFIX}{digest}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if self._has_cookie(connection) or _from_this_machine(scope):
            await self.app(scope, receive, send)
            return
        given = connection.query_params.get(TOKEN_PARAM, "")
        message = (
            "This midback serves one person's record: open the URL with the token that "
            "`midback serve` printed."
        )
        if given and hmac.compare_digest(given.encode(), self._token.encode()):
            if self._first_use():
                await self._welcome(connection)(scope, receive, send)
                return
            message = "This token was used already; restart `midback serve` for a new one."
        await PlainTextResponse(message, status_code=401)(scope, receive, send)

    def _first_use(self) -> bool:
        """True for the first use of the token by any process serving this data folder."""
        try:
            self._used.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self._used, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        return True

    def _has_cookie(self, connection: HTTPConnection) -> bool:
        cookie = connection.cookies.get(ACCESS_COOKIE)
        if not cookie:
            return False
        try:
            return bool(self._signer.loads(cookie) == "granted")
        except BadSignature:
            return False

    def _welcome(self, connection: HTTPConnection) -> Response:
        """The cookie, and the same URL without the token (so it leaves the address bar)."""
        rest = [(k, v) for k, v in parse_qsl(connection.url.query) if k != TOKEN_PARAM]
        path = "/" + connection.url.path.lstrip("/")  # never //host: another site
        target = path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(ACCESS_COOKIE, self._signer.dumps("granted"), httponly=True,
                            samesite="lax", secure=self._secure, path="/")  # fmt: skip
        return response


def _from_this_machine(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(str(client[0])).is_loopback
    except ValueError:
        return False


def forget_used_tokens(home: Path) -> None:
    """Remove the markers of earlier runs' tokens (``serve`` calls it before making one)."""
    for marker in home.glob(f"{USED_PREFIX}*"):
        marker.unlink(missing_ok=True)
