"""midback's errors as HTTP responses: 404 for unknown ids, 422 naming the field, 403 blocked,
and 503 (with Retry-After) while the database is down, restarting or locked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from midback.errors import (
    AnswersError,
    ImportFileError,
    MidbackError,
    NotFound,
    NothingFits,
    ScreenBlocked,
    UnknownIdError,
)
from midback.services.planning import StalePlan
from midback.services.store import UNAVAILABLE_ERRORS, is_unavailable
from midback.web.security import SECURITY_HEADERS

UNAVAILABLE_RETRY_AFTER_S = 1
"""What a 503 asks the client to wait before trying again (a write keeps its idempotency key)."""

_log = logging.getLogger(__name__)


def error_body(error: MidbackError) -> tuple[int, dict[str, object]]:
    """The status and JSON body for ``error``."""
    from midback.domain.accounts import AccountError, EmailError
    from midback.web.auth import HashingBusy, LoginLocked, LoginRefused
    from midback.web.pdfs import PdfBusy

    if isinstance(error, LoginRefused):
        return 401, {"detail": str(error)}
    if isinstance(error, HashingBusy | PdfBusy):
        return 503, {"detail": str(error), "retry_after": error.retry_after}
    if isinstance(error, LoginLocked):
        return 429, {"detail": str(error), "retry_after": error.retry_after}
    if isinstance(error, AccountError):
        return 409, {"detail": str(error)}
    if isinstance(error, EmailError):  # text no account can have, like limits.py's NUL
        return 400, {"detail": str(error)}
    if isinstance(error, ScreenBlocked):
        reasons = [{"id": rid, "message": message} for rid, message in error.reasons]
        return 403, {"error": "screen", "verdict": error.verdict, "reasons": reasons}
    if isinstance(error, StalePlan):
        return 409, {"error": "stale_plan", "detail": str(error)}
    if isinstance(error, NothingFits):
        return 409, {"error": "nothing_fits", "detail": str(error)}
    if isinstance(error, UnknownIdError | NotFound):
        return 404, {"detail": str(error)}
    if isinstance(error, AnswersError):
        return 422, {"detail": [{"loc": ["body", "answers", *error.field.split(".")],
                                 "msg": error.message, "type": "value_error"}]}  # fmt: skip
    if isinstance(error, ImportFileError):
        return 422, {"detail": [{"loc": ["body", error.where], "msg": error.message,
                                 "type": "value_error"}]}  # fmt: skip
    return 422, {"detail": [{"loc": ["body"], "msg": str(error), "type": "value_error"}]}


def quiet_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors without the input they refused (a 200 MB body is not sent back):
    where, what and the kind of error."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:300],
         "type": str(e.get("type", "value_error"))}
        for e in errors[:20]
    ]  # fmt: skip


def install(app: FastAPI) -> None:
    """Turn MidbackError into JSON responses (pages render their own error views), and the
    database being unreachable for a moment (``services.store.is_unavailable``) into 503.

    Other database errors are bugs: they stay 500s, with their traceback in the log.
    """

    async def handle(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, MidbackError)
        status, body = error_body(error)
        headers = {"Retry-After": str(body["retry_after"])} if "retry_after" in body else None
        return JSONResponse(body, status_code=status, headers=headers)

    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        if not is_unavailable(error):
            raise error
        _log.warning("database unavailable for %s %s: %s", request.method, request.url.path,
                     str(error).splitlines()[0])  # fmt: skip
        body = {
            "detail": "the database is unavailable for a moment; try again",
            "retry_after": UNAVAILABLE_RETRY_AFTER_S,
        }
        headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)}
        return JSONResponse(body, status_code=503, headers=headers)

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return JSONResponse({"detail": quiet_errors(error.errors())}, status_code=422)

    async def crashed(request: Request, error: Exception) -> Response:
        # Starlette's ServerErrorMiddleware sends this outside every other middleware: the
        # security headers go on here. The traceback goes to the log, never to the person.
        _log.exception("%s %s failed", request.method, request.url.path)
        body = {"detail": "something went wrong on the server; it has been logged"}
        return JSONResponse(body, status_code=500, headers=SECURITY_HEADERS)

    app.add_exception_handler(MidbackError, handle)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, crashed)
    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, unavailable)
