"""Check-ins, progress (history and progression) and export."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import status
from fastapi.responses import JSONResponse, Response

from midback.domain.records import CheckIn
from midback.services.progress import progress
from midback.services.records import (
    checkin,
    checkins,
    export_csv_bytes,
    export_json,
    person_history,
)
from midback.web.api import PREFIX
from midback.web.deps import Cat, Now, PersonId, Repo
from midback.web.routing import SegmentRouter
from midback.web.schemas import CheckInBody

router = SegmentRouter(under=PREFIX, tags=["records"])


@router.post("/checkins", status_code=status.HTTP_201_CREATED)
def post_checkin(body: CheckInBody, repo: Repo, person: PersonId, now: Now) -> CheckIn:
    """This morning's pain and stiffness; a second check-in today replaces the first."""
    return checkin(repo, person, pain=body.pain, stiffness=body.stiffness, at=now,
                   idempotency_key=body.idempotency_key)  # fmt: skip


@router.get("/checkins")
def list_checkins(repo: Repo, person: PersonId) -> list[CheckIn]:
    """Every check-in, by day."""
    return checkins(repo, person)


@router.get("/progress")
def get_progress(
    repo: Repo, cat: Cat, person: PersonId, now: Now, target: int = 5
) -> dict[str, Any]:
    """Weekly pain, the meaningful-improvement mark, adherence, streak and progression."""
    target = max(1, min(target, 21))
    result = person_history(repo, person, now=now, weekly_target=target)
    return {
        "history": result.model_dump(mode="json"),
        "progression": [s.model_dump(mode="json") for s in progress(repo, cat, person, now=now)],
    }


@router.get(
    "/export",
    responses={
        200: {
            "description": "The export: a JSON document, or CSV with format=csv.",
            "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def get_export(repo: Repo, person: PersonId, format: Literal["json", "csv"] = "json") -> Response:
    """Everything the person recorded: JSON (lossless) or CSV (a row per exercise logged)."""
    if format == "csv":
        data = export_csv_bytes(repo, person)
        disposition = 'attachment; filename="midback.csv"'
        return Response(data, media_type="text/csv", headers={"Content-Disposition": disposition})
    return JSONResponse(
        export_json(repo, person),
        headers={"Content-Disposition": 'attachment; filename="midback-export.json"'},
    )
