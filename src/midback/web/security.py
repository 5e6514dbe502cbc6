"""Security of the pages: a strict Content-Security-Policy, security headers, and CSRF tokens.

CSRF uses a double-submit token: a random value in a ``SameSite=Strict`` HttpOnly cookie that
every form repeats in a hidden ``csrf_token`` field; a form post whose field does not match the
cookie is refused with 403. The JSON API accepts only ``application/json`` bodies, which a
cross-site form cannot send without a CORS preflight that this app never grants.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "midback_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""No inline scripts or styles, nothing from another origin."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds the security headers to every response, and a CSRF cookie where a page made a token.

    A plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a stream per
    request, measured as the largest share of a constant route's time).
    """

    def __init__(
        self, app: ASGIApp, *, secure_cookies: bool = False, private: bool = False
    ) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.private = private

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if scope["method"] not in SAFE_METHODS and not _same_origin(connection):
            refused = JSONResponse({"detail": "cross-site request refused"}, status_code=403)
            await refused(scope, receive, send)
            return
        token = CsrfToken(connection.cookies.get(CSRF_COOKIE) or "")
        scope.setdefault("state", {})["csrf"] = token

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.private and not is_public(scope["path"]):
                    headers["Cache-Control"] = "no-store"
                if token.made is not None:
                    headers.append("set-cookie", self._cookie(token.made))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _cookie(self, token: str) -> str:
        carrier = Response()
        carrier.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                           secure=self.secure_cookies, path="/")  # fmt: skip
        return carrier.headers["set-cookie"]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

PUBLIC_PREFIXES = (
    "/static/", "/figures/", "/exercises", "/programs", "/guide", "/about",
    "/api/v1/exercises", "/api/v1/programs", "/manifest.webmanifest", "/sw.js",
    "/openapi.json", "/healthz",
)  # fmt: skip
"""What is the same for everybody: the catalogue, the guide, static files (not the player page,
which reads the person's screen). In server mode everything else is one person's and is sent
``Cache-Control: no-store``, so neither the browser's cache nor the service worker keeps it
(sw.js keeps the same list)."""


def is_public(path: str) -> bool:
    """Whether ``path`` answers the same to everybody (``PUBLIC_PREFIXES``)."""
    return path.startswith(PUBLIC_PREFIXES)


def _same_origin(request: HTTPConnection) -> bool:
    """False when the browser says the request comes from another site.

    ``Sec-Fetch-Site`` is trusted where the browser sends it (``same-origin``, or ``none`` for
    a request the person typed); otherwise an ``Origin`` naming another host is refused. A
    ``null`` origin (sent on same-origin form posts under ``Referrer-Policy: no-referrer``) is
    left to the CSRF token and the SameSite cookies.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


class CsrfToken:
    """One request's CSRF token: the cookie's, else a new one made when a page first asks for
    it (``made``: then the response sets the cookie). A response that renders no form (the
    JSON API, figures, static files) draws no random bytes and sets no cookie."""

    __slots__ = ("_cookie", "made")

    def __init__(self, cookie: str) -> None:
        self._cookie = cookie if len(cookie) >= 32 else None
        self.made: str | None = None

    def value(self) -> str:
        if self._cookie is not None:
            return self._cookie
        if self.made is None:
            self.made = secrets.token_urlsafe(32)
        return self.made


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back."""
    token: CsrfToken = request.state.csrf
    return token.value()


async def check_csrf(request: Request) -> None:
    """Refuse (403) a form post whose ``csrf_token`` does not match the cookie."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    if (
        not isinstance(sent, str)
        or not cookie
        or not hmac.compare_digest(sent.encode(), cookie.encode())  # any text, not only ASCII
    ):
        raise HTTPException(
            status_code=403, detail="The form has expired; reload the page and try again."
        )
