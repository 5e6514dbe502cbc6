"""Sessions: start (planned on the server), log each finished exercise, finish, list."""

from __future__ import annotations

from typing import Any

from fastapi import Request, status

from midback.domain.plans import Plan, PlanRequest
from midback.domain.records import Effort, ExerciseLog, SessionRecord, SessionStatus
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Place
from midback.errors import PlanError
from midback.services import sessions
from midback.services.courses import course_session
from midback.services.planning import make_plan_for, shown_plan_for_session
from midback.services.screening import is_gentle, pain_note, session_request
from midback.services.workspace import programme_plan
from midback.web.api import PREFIX
from midback.web.deps import Accounts, Cat, Now, PersonId, Repo, Seal, written
from midback.web.routing import SegmentRouter
from midback.web.schemas import FinishBody, LogBody, StartBody

router = SegmentRouter(under=PREFIX, prefix="/sessions", tags=["sessions"])


class EffortLogBody(LogBody):
    """One finished exercise, with the person's one tap on how it felt (optional)."""

    effort: Effort | None = None
    """``easy`` (too easy), ``right`` (about right) or ``hard`` (too hard)."""


@router.post("", status_code=status.HTTP_201_CREATED)
def start_session(
    body: StartBody,
    repo: Repo,
    cat: Cat,
    person: PersonId,
    now: Now,
    seal: Seal,
    accounts: Accounts,
) -> dict[str, Any]:
    """Plan (screened, 403 when blocked), store a running session, and return its timeline.

    With ``programme_id`` it plays the person's active programme (their clinician's, with its
    notes; 404 for any other). With ``plan_token`` it plays the plan a page showed, as it was
    shown (409 ``stale_plan`` when the token is changed, another person's or over 12 hours
    old); with ``course``, today's session of the person's course. The pain before the session
    shapes it: 6 or 7 makes it gentle (``gentle_note`` says so and why; null otherwise), 8 or
    more is refused with 403 ``{"error": "screen", "verdict": "pain_today"}``.
    """
    from midback.domain.answers import parse_answers

    if body.programme_id is not None or body.plan_token is not None:
        if body.programme_id is not None:
            plan = programme_plan(repo, accounts, cat, person, body.programme_id, now=now)
        else:
            assert body.plan_token is not None
            plan = seal.open(body.plan_token, person, now=now)
        if is_gentle(body.pain_before):  # a gentle session of the same length instead
            gentle = PlanRequest(minutes=plan.minutes, place=body.place or Place.HOME,
                                 cleared=body.cleared)  # fmt: skip
            plan = make_plan_for(repo, cat, person, gentle, now=now, pain_before=body.pain_before)
        elif body.plan_token is not None:
            plan = shown_plan_for_session(
                repo, cat, person, body.plan_token, seal=seal, now=now,
                pain_before=body.pain_before, cleared=body.cleared,
            )  # fmt: skip
        else:
            session_request(PlanRequest(minutes=plan.minutes, place=Place.HOME),
                            pain_before=body.pain_before)  # fmt: skip
    elif body.course:
        plan = course_session(repo, cat, person, now=now, pain_before=body.pain_before,
                              cleared=body.cleared)  # fmt: skip
    else:
        if body.program_id is None and (body.minutes is None or body.place is None):
            raise PlanError("minutes and place needed (or program_id, or course)")
        answers = parse_answers(body.answers) if body.answers is not None else None
        plan = make_plan_for(repo, cat, person, body.request(), answers=answers, now=now,
                             program_id=body.program_id, pain_before=body.pain_before)  # fmt: skip
    record = sessions.begin(repo, person, plan, pain_before=body.pain_before, at=now,
                            idempotency_key=body.idempotency_key)  # fmt: skip
    if record.plan != plan.to_json():  # a retried start: the session it made, as it was
        plan = Plan.model_validate(record.plan)
    timeline = compile_plan(plan, cat)
    return {
        "session": record.model_dump(mode="json", exclude={"plan"}),
        "plan": plan.to_json(),
        "timeline": timeline.model_dump(mode="json"),
        "gentle_note": pain_note(body.pain_before),
    }


@router.post("/{session_id}/logs", status_code=status.HTTP_201_CREATED)
async def log_exercise(
    request: Request, session_id: int, body: EffortLogBody, repo: Repo, person: PersonId, now: Now
) -> ExerciseLog:
    """Store one finished exercise; a retry with the same idempotency key is stored once. A
    completed exercise sent without ``actual`` was done as planned."""

    def work() -> ExerciseLog:
        return sessions.log(repo, person, session_id, position=body.position,
                            status=body.status, actual=body.actual, pain=body.pain, at=now,
                            idempotency_key=body.idempotency_key,
                            effort=body.effort)  # fmt: skip

    return await written(request, work)


@router.post("/{session_id}/finish")
def finish_session(
    session_id: int, body: FinishBody, repo: Repo, cat: Cat, person: PersonId, now: Now
) -> SessionRecord:
    """End a session with pain after, effort and a note; each exercise's step on its ladder is
    stored (the progression table the export carries)."""
    return sessions.finish(repo, cat, person, session_id, status=SessionStatus(body.status),
                           pain_after=body.pain_after, effort=body.effort, note=body.note,
                           at=now)  # fmt: skip


@router.get("")
def list_sessions(repo: Repo, person: PersonId, now: Now, limit: int = 50) -> list[dict[str, Any]]:
    """The person's sessions, newest first (without their plans); a running one idle for six
    hours reads as interrupted."""
    limit = max(1, min(limit, 500))
    found = sessions.recent(repo, person, now=now, limit=limit)
    return [s.model_dump(mode="json", exclude={"plan"}) for s in found]


@router.get("/{session_id}")
def get_session(session_id: int, repo: Repo, person: PersonId) -> dict[str, Any]:
    """One session with its plan and its logs (404 for another person's)."""
    record = repo.get_session(person, session_id)
    logs = repo.session_logs(person, session_id)
    data = record.model_dump(mode="json")
    data["logs"] = [log.model_dump(mode="json") for log in logs]
    return data
