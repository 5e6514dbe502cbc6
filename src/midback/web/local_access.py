"""Local mode on a network address: a token, as Jupyter does, instead of accounts.

Local mode has no login, so served beyond loopback (to follow the player on a phone on the same
network) anyone who can reach the port could read the record. ``midback serve`` then makes a
random token and prints a URL carrying it (``/?token=...``). A request with the right token gets
an HttpOnly cookie signed with the token (itsdangerous) and is redirected to the same URL
without it; from then on the cookie is enough. Without either, every route but the static files
answers 401. The token lasts as long as the server runs: a restart makes a new one.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

ACCESS_COOKIE = "midback_access"
TOKEN_PARAM = "token"
OPEN_PREFIXES = ("/static/", "/healthz", "/manifest.webmanifest")
"""What anyone who reaches the port may fetch: files the app ships, nothing of the person's."""


class LocalAccess:
    """Refuses (401) requests that carry neither the token nor the cookie it sets."""

    def __init__(self, app: ASGIApp, *, token: str, secure_cookies: bool = False) -> None:
        self.app = app
        self._token = token
        self._signer = URLSafeSerializer(token, salt="midback-local-access")
        self._secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if self._has_cookie(connection):
            await self.app(scope, receive, send)
            return
        given = connection.query_params.get(TOKEN_PARAM, "")
        if given and hmac.compare_digest(given.encode(), self._token.encode()):
            await self._welcome(connection)(scope, receive, send)
            return
        refused = PlainTextResponse(
            "This midback serves one person's record: open the URL with the token that "
            "`midback serve` printed.",
            status_code=401,
        )
        await refused(scope, receive, send)

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
        target = connection.url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(ACCESS_COOKIE, self._signer.dumps("granted"), httponly=True,
                            samesite="lax", secure=self._secure, path="/")  # fmt: skip
        return response
