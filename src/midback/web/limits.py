"""Bounds on what a request may carry, checked before routing: a clear 4xx, never a 500.

- The URL: at most ``MAX_QUERY_BYTES`` of query and ``MAX_VALUE_CHARS`` per value (414).
- The body: at most ``MAX_BODY_BYTES`` (413), refused by its ``Content-Length`` or, without
  one, when the bytes read pass the limit; nothing beyond the limit is read.
- The text in it (path, query, JSON and form bodies): no NUL characters, which PostgreSQL cannot
  store, and no lone UTF-16 surrogates, which no database can (400).
- JSON numbers: no ``NaN`` or ``Infinity`` (not JSON, though Python's parser takes them), none
  that overflows a float (``1e400``), and integers of at most ``MAX_INT_DIGITS`` digits (400).
- JSON nesting: at most ``MAX_JSON_DEPTH`` arrays and objects deep (400); Python's parser
  recurses, and a body of ``[`` ten thousand deep ran it out of stack (a 500).

The body is read here whole (it is small) and handed on to the app unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024
MAX_QUERY_BYTES = 4096
MAX_VALUE_CHARS = 1000
MAX_INT_DIGITS = 19
"""Enough for any 64-bit integer; larger numbers are no count, score or id midback keeps."""
MAX_JSON_DEPTH = 32
"""midback's bodies nest three or four deep (an import file a few more)."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    """Input no route could store or use, with the status to answer and a plain message."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class RequestLimits:
    """Refuses oversize and unstorable requests with a 4xx before the app sees them."""

    def __init__(self, app: ASGIApp, *, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_url(scope)
            body = None
            if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                headers = Headers(scope=scope)
                body = await self._read_body(headers, receive)
                _check_body(headers.get("content-type", ""), body)
        except BadInput as error:
            refused = JSONResponse({"detail": str(error)}, status_code=error.status)
            await refused(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, headers: Headers, receive: Receive) -> bytes:
        """The whole body; BadInput past ``max_body``."""
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            raise BadInput(413, f"the request body is over {self.max_body // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise BadInput(413, f"the request body is over {self.max_body // 1024} KiB")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _check_url(scope: Scope) -> None:
    query: bytes = scope.get("query_string", b"")
    if len(query) > MAX_QUERY_BYTES:
        raise BadInput(414, f"the query is over {MAX_QUERY_BYTES} bytes")
    _check_text("path", scope["path"])
    for name, text in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if len(text) > MAX_VALUE_CHARS:
            raise BadInput(414, f"query {name[:40]}: over {MAX_VALUE_CHARS} characters")
        _check_text(f"query {name[:40]}", name + text)


def _plain_json(body: bytes) -> bool:
    """Whether ``body`` passes the JSON checks whatever it holds, seen from its bytes alone:
    printable ASCII with no backslash (so no escapes, NULs or surrogates), no ``NaN`` or
    ``Infinity``, no exponent, no run of 16 digits, and at most ``MAX_JSON_DEPTH`` arrays and
    objects in all. Most bodies are (a plan's: 3 us against 19 to parse and walk them);
    any other is parsed and checked."""
    return (
        _PLAIN.fullmatch(body) is not None
        and _RISKY.search(body) is None
        and body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH
    )


_PLAIN = re.compile(rb"[\t\n\r -\[\]-~]*")
_RISKY = re.compile(rb"NaN|Infinity|[0-9][eE]|[0-9]{16}")


def _check_body(content_type: str, body: bytes) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        if not _plain_json(body):
            _check_json_body(body)
    elif kind == "application/x-www-form-urlencoded":
        try:
            fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise BadInput(400, "the form is not UTF-8") from None
        for key, value in fields:
            _check_text(f"form field {key[:40]}", key + value)


def _check_json_body(body: bytes) -> None:
    """Parse ``body`` and check what it holds (nothing when it is not JSON: the route's parser
    says so, 422)."""
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_float,
                          parse_int=_int)  # fmt: skip
    except (json.JSONDecodeError, UnicodeDecodeError):
        return
    except RecursionError:  # far deeper than MAX_JSON_DEPTH
        raise BadInput(400, _TOO_DEEP) from None
    _check_json("body", data)


_TOO_DEEP = f"body: arrays and objects nested more than {MAX_JSON_DEPTH} deep"


def _check_json(where: str, value: Any, depth: int = 0) -> None:
    if isinstance(value, str):
        _check_text(where, value)
        return
    if isinstance(value, list | dict) and depth >= MAX_JSON_DEPTH:
        raise BadInput(400, _TOO_DEEP)
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(f"{where}[{i}]", item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(f"{where}: a key", key)
            _check_json(f"{where}.{key[:40]}", item, depth + 1)


def _check_text(where: str, text: str) -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not Unicode)"
    raise BadInput(400, f"{where}: contains {what}")


def _no_constant(name: str) -> Any:
    raise BadInput(400, f"body: {name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BadInput(400, f"body: {text[:40]} is too large a number")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadInput(400, f"body: a number of {len(text)} digits is too large")
    return int(text)
