"""Server-mode pages: sign in and out, sign up, the person's account (display name, the
clinicians they share with and what each may see), linking with consent, and the clinician's
triage list with their invite codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from midback.domain.accounts import Role, clean_display_name, password_problem
from midback.domain.triage import PER_PAGE, TARGET_SOURCE, SortKey
from midback.errors import MidbackError
from midback.services import workspace
from midback.web.auth import HashingBusy, LoginLocked, LoginRefused
from midback.web.deps import Accounts, AuthDep, Cat, ClinicianId, Now, PersonId, Repo
from midback.web.render import render
from midback.web.routing import SegmentRouter
from midback.web.security import check_csrf

router = SegmentRouter(include_in_schema=False)
ALERTS_SHOWN = 30
"""Open alerts listed on the clinician's page; the rest are counted in the triage table."""
Csrf = Annotated[None, Depends(check_csrf)]


def _safe_next(target: str | None) -> str:
    """Only paths on this site (never another host) are followed after signing in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target  # browsers read /\host as //host
        and target.isprintable()
    ):
        return target
    return "/"


def _local(request: Request) -> bool:
    return bool(request.app.state.settings.mode == "local")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (local mode has no accounts: straight home)."""
    if _local(request):
        return RedirectResponse("/", status_code=303)
    signup = bool(request.app.state.settings.allow_signup)
    return render(request, "login.html", next=_safe_next(next), signup=signup, error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    _: Csrf,
    auth: AuthDep,
    now: Now,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials, set the session cookie and go on."""
    if _local(request):
        return RedirectResponse("/", status_code=303)
    client = request.client.host if request.client else "unknown"
    signup = bool(request.app.state.settings.allow_signup)
    try:
        account = auth.login(email, password, client=client, now=now)
    except (LoginLocked, HashingBusy) as wait:
        code = 429 if isinstance(wait, LoginLocked) else 503
        page = render(request, "login.html", status_code=code, next=_safe_next(next),
                      signup=signup, error=str(wait), email=email)  # fmt: skip
        page.headers["Retry-After"] = str(wait.retry_after)
        return page
    except LoginRefused:
        return render(request, "login.html", status_code=401, next=_safe_next(next),
                      signup=signup, error="Wrong email or password.", email=email)  # fmt: skip
    target = _safe_next(next)
    if target == "/" and account.role is Role.CLINICIAN:
        target = "/clinician"  # a clinician's home is their workspace
    response = RedirectResponse(target, status_code=303)
    auth.set_cookie(response, account.id)
    return response


@router.post("/logout")
def logout(request: Request, _: Csrf, auth: AuthDep, accounts: Accounts) -> Response:
    """Sign out everywhere."""
    person = None if _local(request) else auth.person(request)
    if person is not None:
        accounts.end_sessions(person)
    response = RedirectResponse("/login", status_code=303)
    auth.clear_cookie(response)
    return response


@router.post("/signup", response_class=HTMLResponse)
def signup_submit(
    request: Request,
    _: Csrf,
    auth: AuthDep,
    accounts: Accounts,
    now: Now,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an account where the host allows it (with the name clinicians will see)."""
    settings = request.app.state.settings
    if settings.mode != "server" or not settings.allow_signup:
        return render(request, "error.html", status_code=403, status=403,
                      message="Sign-up is off on this server.")  # fmt: skip
    problem = password_problem(password) or (None if "@" in email else "enter an email address")
    if problem is None:
        try:
            auth.count_signup(client=request.client.host if request.client else "unknown",
                              now=now)  # fmt: skip
            name = clean_display_name(display_name)
            account = accounts.create(email, auth.hash(password), role=Role.PERSON, at=now)
            if name:
                accounts.set_display_name(account.id, name)
        except MidbackError as error:
            problem = str(error).removeprefix("email: ")
        else:
            response = RedirectResponse("/screen", status_code=303)
            auth.set_cookie(response, account.id)
            return response
    return render(request, "login.html", status_code=422, next="/", signup=True,
                  error=None, signup_error=problem, email=email,
                  display_name=display_name)  # fmt: skip


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, person: PersonId, accounts: Accounts, cat: Cat, message: str | None = None
) -> Response:
    """Who is signed in, data export, linking to a clinician, assigned programs, deletion."""
    if _local(request):
        return RedirectResponse("/export", status_code=303)
    account, _ = accounts.get(person)
    assigned = [(a, cat.programs.get(a.program_id)) for a in accounts.assignments(person)]
    return render(request, "account.html", account=account, assigned=assigned,
                  clinicians=accounts.clinicians(person), message=message,
                  is_clinician=account.role is Role.CLINICIAN)  # fmt: skip


@router.post("/account/name")
def account_name(
    request: Request,
    _: Csrf,
    person: PersonId,
    accounts: Accounts,
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the name clinicians and handouts show (blank: none, the email is shown)."""
    try:
        accounts.set_display_name(person, display_name)
    except MidbackError as error:
        return RedirectResponse(f"/account?message={_q(str(error))}", status_code=303)
    return RedirectResponse("/account?message=Name+saved.", status_code=303)


@router.post("/account/unlink")
def account_unlink(
    request: Request,
    _: Csrf,
    person: PersonId,
    accounts: Accounts,
    clinician_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    """Stop sharing with a clinician (they lose access at once)."""
    try:
        accounts.unlink(person, clinician_id)
    except MidbackError:
        return RedirectResponse("/account?message=That+clinician+is+not+linked.", status_code=303)
    return RedirectResponse("/account?message=Stopped+sharing.", status_code=303)


@router.post("/account/password")
def account_password(
    request: Request,
    _: Csrf,
    person: PersonId,
    auth: AuthDep,
    now: Now,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change the password; every other session ends, this one goes on with a fresh cookie."""
    try:
        auth.change_password(person, current_password, new_password, client=_client(request),
                             now=now)  # fmt: skip
    except LoginRefused:
        return RedirectResponse("/account?message=The+current+password+is+wrong.",
                                status_code=303)  # fmt: skip
    except MidbackError as error:
        return RedirectResponse(f"/account?message={_q(str(error))}", status_code=303)
    response = RedirectResponse(
        "/account?message=Password+changed;+other+devices+are+signed+out.", status_code=303
    )
    auth.set_cookie(response, person)
    return response


@router.get("/reset", response_class=HTMLResponse)
def reset_page(request: Request) -> Response:
    """Set a new password with a one-time code from the host."""
    if _local(request):
        return RedirectResponse("/", status_code=303)
    return render(request, "reset.html", error=None)


@router.post("/reset", response_class=HTMLResponse)
def reset_submit(
    request: Request,
    _: Csrf,
    auth: AuthDep,
    now: Now,
    email: Annotated[str, Form(max_length=320)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Use the code; on success, sign in with the new password."""
    if _local(request):
        return RedirectResponse("/", status_code=303)
    try:
        auth.reset_password(email, code, new_password, client=_client(request), now=now)
    except (LoginLocked, HashingBusy) as wait:
        page = render(request, "reset.html", status_code=429, error=str(wait), email=email)
        page.headers["Retry-After"] = str(wait.retry_after)
        return page
    except MidbackError as error:
        message = str(error).split(": ", 1)[-1]
        return render(request, "reset.html", status_code=422, error=message, email=email)
    return RedirectResponse("/login", status_code=303)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/account/link", response_class=HTMLResponse)
def account_link(
    request: Request,
    _: Csrf,
    person: PersonId,
    accounts: Accounts,
    now: Now,
    code: Annotated[str, Form(max_length=40)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    scope: Annotated[str, Form(max_length=10)] = "summary",
    include_earlier: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Link to a clinician with their invite code, in two steps: first the clinician's name
    and the choice of what they may see (a summary or the full record, and whether earlier
    data is included); then, confirmed, the link with that scope."""
    account, _version = accounts.get(person)
    if account.role is Role.CLINICIAN:
        return RedirectResponse("/account?message=Clinicians+do+not+link+to+clinicians.",
                                status_code=303)  # fmt: skip
    try:
        clinician = accounts.invite_clinician(code, now)
        if confirm != "yes":
            return render(request, "account_link.html", clinician=clinician, code=code)
        if scope not in ("summary", "full"):
            raise MidbackError("scope: choose summary or full")
        accounts.accept_invite(person, code, now, full=scope == "full",
                               include_earlier=include_earlier == "yes")  # fmt: skip
    except MidbackError as error:
        return RedirectResponse(f"/account?message={_q(str(error))}", status_code=303)
    return RedirectResponse(f"/account?message={_q(f'Linked to {clinician.name}.')}",
                            status_code=303)  # fmt: skip


@router.post("/account/delete")
def account_delete(
    request: Request,
    _: Csrf,
    person: PersonId,
    accounts: Accounts,
    auth: AuthDep,
    confirm: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Delete the account and all its data, after typing ``delete``."""
    if confirm.strip().lower() != "delete":
        return RedirectResponse("/account?message=Type+delete+to+confirm.", status_code=303)
    accounts.delete(person)
    response = RedirectResponse("/login", status_code=303)
    auth.clear_cookie(response)
    return response


@router.get("/clinician", response_class=HTMLResponse)
def clinician_page(
    request: Request,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    cat: Cat,
    now: Now,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: SortKey = SortKey.ALERTS,
    order: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    message: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """The clinician's workspace: what needs attention (every open alert, urgent first), the
    triage list (linked people in a table, searched by name or email, sorted by last active,
    adherence against each person's own target, pain change or open alerts, 25 a page) and
    the invite codes still open."""
    descending = None if order is None else order == "desc"
    found = workspace.dashboard(repo, accounts, cat, clinician, now=now, query=q, sort=sort,
                                descending=descending, page=page)  # fmt: skip
    return render(request, "clinician.html", triage=found.page, sorts=list(SortKey),
                  alerts=found.alerts[:ALERTS_SHOWN], more=len(found.alerts) - ALERTS_SHOWN,
                  names=found.names,
                  per_page=PER_PAGE, target_source=TARGET_SOURCE, now=now, message=message,
                  invites=accounts.open_invites(clinician, now),
                  is_clinician=True)  # fmt: skip


@router.post("/clinician/invite")
def clinician_invite(
    request: Request,
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    now: Now,
    patient_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A fresh invite code for a named patient; the page it redirects to lists it (never in
    the URL)."""
    days = request.app.state.settings.invite_days
    try:
        accounts.new_invite(clinician, now, valid_for=timedelta(days=days),
                            patient_name=patient_name)  # fmt: skip
    except MidbackError as error:
        return RedirectResponse(f"/clinician?message={_q(str(error))}", status_code=303)
    return RedirectResponse("/clinician", status_code=303)


@router.post("/clinician/invite/revoke")
def clinician_invite_revoke(
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    now: Now,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Withdraw an unused invite code: it links nobody from now on."""
    try:
        accounts.revoke_invite(clinician, code, now)
    except MidbackError:
        return RedirectResponse("/clinician?message=That+code+is+not+open.", status_code=303)
    return RedirectResponse("/clinician?message=Invite+withdrawn.", status_code=303)


@router.post("/clinician/patients/{person_id}/target")
def clinician_target(
    person_id: int,
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    repo: Repo,
    now: Now,
    weekly_target: Annotated[str, Form(max_length=5)] = "",
    back: Annotated[str, Form(max_length=200)] = "/clinician",
) -> Response:
    """Set a linked person's own weekly target of sessions (blank: the default)."""
    text = weekly_target.strip()
    target = _safe_next(back)
    try:
        sessions = int(text) if text else None
    except ValueError:
        return RedirectResponse(f"{target}?message=Enter+a+whole+number.", status_code=303)
    try:
        workspace.set_weekly_target(repo, accounts, clinician, person_id, sessions, now=now)
    except workspace.TargetError as error:
        return RedirectResponse(f"{target}?message={_q(str(error))}", status_code=303)
    return RedirectResponse(f"{target}?message=Target+saved.", status_code=303)


@router.post("/clinician/assign")
def clinician_assign(
    request: Request,
    _: Csrf,
    clinician: ClinicianId,
    accounts: Accounts,
    cat: Cat,
    now: Now,
    person_id: Annotated[int, Form()],
    program_id: Annotated[str, Form(max_length=60)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Assign a program to a linked person."""
    cat.program(program_id)
    accounts.assign(clinician, person_id, program_id, note or None, now)
    return RedirectResponse("/clinician", status_code=303)


def _q(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)
