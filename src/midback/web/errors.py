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
        return JSONResponse(body, status_code=status)

    app.add_exception_handler(MidbackError, handle)
