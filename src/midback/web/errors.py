"""midback's errors as HTTP responses: 404 for unknown ids, 422 naming the field, 403 blocked."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from midback.errors import (
    AnswersError,
    ImportFileError,
    MidbackError,
    NotFound,
    ScreenBlocked,
    UnknownIdError,
)


def error_body(error: MidbackError) -> tuple[int, dict[str, object]]:
    """The status and JSON body for ``error``."""
    from midback.storage.accounts import AccountError
    from midback.web.auth import LoginLocked, LoginRefused

    if isinstance(error, LoginRefused):
        return 401, {"detail": str(error)}
    if isinstance(error, LoginLocked):
        return 429, {"detail": str(error), "retry_after": error.retry_after}
    if isinstance(error, AccountError):
        return 409, {"detail": str(error)}
    if isinstance(error, ScreenBlocked):
        reasons = [{"id": rid, "message": message} for rid, message in error.reasons]
        return 403, {"error": "screen", "verdict": error.verdict, "reasons": reasons}
    if isinstance(error, UnknownIdError | NotFound):
        return 404, {"detail": str(error)}
    if isinstance(error, AnswersError):
        return 422, {"detail": [{"loc": ["body", "answers", *error.field.split(".")],
                                 "msg": error.message, "type": "value_error"}]}  # fmt: skip
    if isinstance(error, ImportFileError):
        return 422, {"detail": [{"loc": ["body", error.where], "msg": error.message,
                                 "type": "value_error"}]}  # fmt: skip
    return 422, {"detail": [{"loc": ["body"], "msg": str(error), "type": "value_error"}]}


def install(app: FastAPI) -> None:
    """Turn MidbackError into JSON responses (pages render their own error views)."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, MidbackError)
        status, body = error_body(error)
        headers = {"Retry-After": str(body["retry_after"])} if "retry_after" in body else None
        return JSONResponse(body, status_code=status, headers=headers)

    app.add_exception_handler(MidbackError, handle)
