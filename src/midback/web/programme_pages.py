"""Programme pages (server mode): the clinician's builder for one linked patient, the
patient's own programme with its Start button and handout, and the patient's outcome measures
(PSFS and GROC at the start, 2 and 6 weeks).

The builder lists the catalogue with the patient's limits applied: an exercise their screen
rules out is shown refused, naming the rule, and refused again if posted. Doses are asked
within each exercise's range. The use cases are ``services.workspace``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from midback.domain.catalogue import Catalogue
from midback.domain.measures import (
    GROC_LABELS,
    LABELS,
    MAX_ACTIVITIES,
    MeasureError,
    Psfs,
    Timepoint,
)
from midback.domain.programme import (
    Programme,
    ProgrammeDraft,
    ProgrammeError,
    ProgrammeItem,
    check_item,
    default_item,
    dose_range,
)
from midback.errors import MidbackError, NotFound, ScreenBlocked
from midback.services import workspace
from midback.web.deps import Accounts, Cat, ClinicianId, Now, PersonId, Repo
from midback.web.render import render
from midback.web.routing import SegmentRouter
from midback.web.security import check_csrf

router = SegmentRouter(include_in_schema=False)
Csrf = Annotated[None, Depends(check_csrf)]
DOSE_FIELDS = ("sets", "reps", "hold_s", "breaths")


# -- the clinician's builder ----------------------------------------------------------------


@router.get("/clinician/patients/{person_id}/programme", response_class=HTMLResponse)
def builder_page(
    request: Request,
    person_id: int,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
    message: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The builder: the patient's screen, the catalogue with their limits applied, the active
    programme to edit or end, its history, and the patient's weekly target."""
    try:
        return _builder(request, person_id, clinician, accounts, repo, cat, now, message=message)
    except NotFound:
        return _not_found(request)


@router.post("/clinician/patients/{person_id}/programme", response_class=HTMLResponse)
async def builder_submit(
    request: Request,
    person_id: int,
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
) -> Response:
    """Start a programme (its previous one ends) or, with ``programme_id``, change the active
    one; a refusal shows the builder again with the reason and what was entered."""
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    picked = [v for k, v in form.multi_items() if k == "pick" and isinstance(v, str)]
    try:
        draft = draft_from_form(fields, picked, cat)
        editing = fields.get("programme_id", "").strip()

        def save() -> Programme:
            if editing:
                return workspace.edit_programme(repo, accounts, cat, clinician,
                                                _whole(editing, "programme_id"), draft,
                                                now=now)  # fmt: skip
            return workspace.start_programme(repo, accounts, cat, clinician, person_id, draft,
                                             now=now)  # fmt: skip

        await run_in_threadpool(save)
    except NotFound:
        return _not_found(request, "No such patient or active programme (it may have ended).")
    except MidbackError as error:
        return await run_in_threadpool(
            _builder, request, person_id, clinician, accounts, repo, cat, now,
            error=str(error), posted=fields, picked=picked, status_code=_status(error),
        )  # fmt: skip
    done = "Programme+changed." if editing else "Programme+started."
    return RedirectResponse(f"/clinician/patients/{person_id}/programme?message={done}",
                            status_code=303)  # fmt: skip


@router.post("/clinician/programmes/{programme_id}/end")
def builder_end(
    request: Request,
    programme_id: int,
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    now: Now,
) -> Response:
    """End a linked patient's active programme (kept in its history)."""
    try:
        ended = workspace.end_programme(repo, accounts, clinician, programme_id, now=now)
    except NotFound:
        return _not_found(request)
    return RedirectResponse(
        f"/clinician/patients/{ended.person_id}/programme?message=Programme+ended.",
        status_code=303,
    )


def draft_from_form(fields: Mapping[str, str], picked: list[str], cat: Catalogue) -> ProgrammeDraft:
    """The programme a builder form asks for: the picked exercises in the order given
    (``order-ID``, then the catalogue's), each with its form, dose and note; ProgrammeError
    naming the field for anything unreadable."""
    if not picked:
        raise ProgrammeError("pick at least one exercise")
    ids = list(cat.exercises)
    chosen = sorted(
        dict.fromkeys(picked),
        key=lambda e: (_order(fields.get(f"order-{e}", "")), ids.index(e) if e in ids else 999),
    )
    items = []
    for exercise_id in chosen:
        dose = {f: _number(fields.get(f"{f}-{exercise_id}", ""), f"{f}-{exercise_id}")
                for f in DOSE_FIELDS}  # fmt: skip
        try:
            items.append(ProgrammeItem(
                exercise_id=exercise_id,
                variant=fields.get(f"variant-{exercise_id}", "").strip() or None,
                sets=dose["sets"] or 1, reps=dose["reps"], hold_s=dose["hold_s"],
                breaths=dose["breaths"],
                note=fields.get(f"note-{exercise_id}", "").strip() or None,
            ))  # fmt: skip
        except ValidationError as error:
            raise ProgrammeError(f"{exercise_id}: {_first(error)}") from None
    try:
        return ProgrammeDraft(
            title=fields.get("title", "").strip() or "Your programme",
            days_per_week=_number(fields.get("days_per_week", ""), "days_per_week") or 3,
            items=items,
        )
    except ValidationError as error:
        raise ProgrammeError(_first(error)) from None


def _builder(
    request: Request,
    person_id: int,
    clinician: int,
    accounts: Accounts,
    repo: Repo,
    cat: Catalogue,
    now: datetime,
    *,
    message: str | None = None,
    error: str | None = None,
    posted: Mapping[str, str] | None = None,
    picked: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    from midback.services.courses import active

    scope = workspace.scope_for(accounts, clinician, person_id)
    account, _version = accounts.get(person_id)
    screen_problem, limits, result = None, None, None
    try:
        result, limits, lifted = workspace.patient_limits(repo, person_id, now=now)
        if not lifted:
            screen_problem = (
                f"The latest safety screen says {result.verdict.value}: a programme is refused "
                "until you clear that screen on the patient's page"
                + (" (an emergency is never cleared)." if result.verdict.value == "emergency"
                   else ".")
            )  # fmt: skip
    except ScreenBlocked as blocked:
        screen_problem = "; ".join(m for _, m in blocked.reasons)
    current = workspace.my_programme(repo, accounts, person_id)
    values = _form_values(current, posted, picked)
    options = []
    for exercise in cat.exercises.values():
        refusal = None
        if limits is not None:
            try:
                check_item(cat, default_item(exercise), limits)
            except ProgrammeError as refused:
                refusal = str(refused)
        ranges = {k: (math.ceil(v.min), math.floor(v.max), str(v))
                  for k, v in dose_range(exercise).items()}  # fmt: skip
        options.append((exercise, ranges, refusal))
    found = active(repo, person_id)
    return render(
        request, "programme_builder.html", status_code=status_code, person_id=person_id,
        patient=account, scope=scope, screen=result, screen_problem=screen_problem,
        options=options, current=current, values=values, error=error, message=message,
        history=workspace.programmes_of(repo, accounts, clinician, person_id),
        target=workspace.weekly_target(repo, accounts, person_id),
        course=found[1] if found else None, today=now.date(), cat=cat, is_clinician=True,
    )  # fmt: skip


def _form_values(
    current: Programme | None, posted: Mapping[str, str] | None, picked: list[str] | None
) -> dict[str, Any]:
    """What the builder's fields hold: what was posted, else the active programme."""
    if posted is not None:
        return {"fields": dict(posted), "picked": set(picked or [])}
    fields: dict[str, str] = {}
    if current is not None:
        fields = {"title": current.title, "days_per_week": str(current.days_per_week),
                  "programme_id": str(current.id)}  # fmt: skip
        for order, item in enumerate(current.items, 1):
            fields[f"order-{item.exercise_id}"] = str(order)
            fields[f"variant-{item.exercise_id}"] = item.variant or ""
            fields[f"note-{item.exercise_id}"] = item.note or ""
            for name in DOSE_FIELDS:
                value = getattr(item, name)
                fields[f"{name}-{item.exercise_id}"] = "" if value is None else str(value)
    picked_ids = {i.exercise_id for i in current.items} if current else set()
    return {"fields": fields, "picked": picked_ids}


# -- the patient's programme ----------------------------------------------------------------


@router.get("/programme", response_class=HTMLResponse)
def my_programme_page(
    request: Request, person: PersonId, accounts: Accounts, repo: Repo, cat: Cat
) -> Response:
    """The person's active programme: each exercise, its dose and their clinician's note, a
    Start button (the player plays it) and a handout to print."""
    if request.app.state.settings.mode != "server":
        return RedirectResponse("/", status_code=303)
    programme = workspace.my_programme(repo, accounts, person)
    clinician = None
    if programme is not None and programme.clinician_id is not None:
        clinician = next((c for c in accounts.clinicians(person)
                          if c.clinician_id == programme.clinician_id), None)  # fmt: skip
    return render(request, "programme.html", programme=programme, clinician=clinician,
                  name=workspace.names(cat), cat=cat)  # fmt: skip


@router.get("/programme/handout", response_class=HTMLResponse)
def my_programme_handout(
    request: Request, person: PersonId, accounts: Accounts, repo: Repo, cat: Cat, now: Now
) -> Response:
    """The active programme as a handout to print: the person's name, the clinician, the date
    and each exercise's note."""
    from midback.handout import DISCLAIMER, programme_page, tick_days

    if request.app.state.settings.mode != "server":
        return RedirectResponse("/", status_code=303)
    programme = workspace.my_programme(repo, accounts, person)
    if programme is None:
        return _not_found(request, "You have no programme to print.")
    account, _version = accounts.get(person)
    clinician = next((c for c in accounts.clinicians(person)
                      if c.clinician_id == programme.clinician_id), None)  # fmt: skip
    page = programme_page(
        cat, programme, patient=account.display_name or account.email or "you",
        clinician=clinician.name if clinician else None, on=now.date(),
    )  # fmt: skip
    return render(request, "programme_print.html", page=page, weeks=tick_days(now.date()),
                  disclaimer=DISCLAIMER, title=f"Handout: {page.title}")  # fmt: skip


# -- helpers --------------------------------------------------------------------------------


def _not_found(request: Request, message: str = "There is no such patient.") -> Response:
    return render(request, "error.html", status_code=404, status=404, message=message)


def _status(error: MidbackError) -> int:
    from midback.domain.accounts import AccountError
    from midback.errors import UnknownIdError

    if isinstance(error, AccountError):
        return 409
    return 404 if isinstance(error, UnknownIdError) else 422


def _number(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ProgrammeError(f"{field}: {text!r} is not a whole number") from None


def _whole(text: str, field: str) -> int:
    value = _number(text, field)
    if value is None or value < 1:
        raise ProgrammeError(f"{field}: expected a positive whole number")
    return value


def _order(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 999


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


# -- outcome measures -----------------------------------------------------------------------


@router.get("/outcomes", response_class=HTMLResponse)
def outcomes_page(
    request: Request,
    person: PersonId,
    accounts: Accounts,
    repo: Repo,
    now: Now,
    message: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The person's outcome measures (PSFS and GROC): the form of the timepoint due, and
    their answers so far."""
    if request.app.state.settings.mode != "server":
        return RedirectResponse("/", status_code=303)
    found = workspace.my_outcomes(repo, accounts, person, now=now)
    return render(request, "outcomes.html", outcomes=found, message=message, error=None,
                  labels=LABELS, groc_labels=GROC_LABELS)  # fmt: skip


@router.post("/outcomes", response_class=HTMLResponse)
async def outcomes_submit(
    request: Request, _: Csrf, person: PersonId, accounts: Accounts, repo: Repo, now: Now
) -> Response:
    """Keep the answers of the timepoint due; a wrong or missing answer shows the form again
    naming it (422)."""
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        timepoint, psfs, groc = _measures_from_form(fields)
        await run_in_threadpool(
            workspace.answer_outcomes, repo, accounts, person, timepoint, psfs, groc, now=now
        )
    except MidbackError as error:
        found = await run_in_threadpool(workspace.my_outcomes, repo, accounts, person, now=now)
        return render(request, "outcomes.html", status_code=422, outcomes=found, message=None,
                      error=str(error), labels=LABELS, groc_labels=GROC_LABELS)  # fmt: skip
    return RedirectResponse("/outcomes?message=Thank+you:+answers+kept.", status_code=303)


def _measures_from_form(fields: Mapping[str, str]) -> tuple[Timepoint, Psfs, int | None]:
    """The timepoint, PSFS and GROC a form sends (``activity-N``/``score-N``, ``groc``)."""
    try:
        timepoint = Timepoint(fields.get("timepoint", ""))
    except ValueError:
        raise MeasureError("timepoint: expected start, week2 or week6") from None
    activities = []
    for n in range(1, MAX_ACTIVITIES + 1):
        name = fields.get(f"activity-{n}", "").strip()
        score = fields.get(f"score-{n}", "").strip()
        if not name and not score:
            continue
        if not name or not score:
            raise MeasureError(f"activity {n}: give both the activity and how well you can do it")
        activities.append({"name": name, "score": _number(score, f"score-{n}")})
    try:
        psfs = Psfs.model_validate({"activities": activities})
    except ValidationError as error:
        raise MeasureError(f"activities: {_first(error)}") from None
    groc_text = fields.get("groc", "").strip()
    groc = _number(groc_text, "groc") if groc_text else None
    if groc is not None and groc not in GROC_LABELS:
        raise MeasureError("groc: expected -7 to +7")
    return timepoint, psfs, groc
