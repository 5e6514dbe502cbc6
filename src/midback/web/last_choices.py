"""The person's last plan choices (minutes, place, focus, kit), kept in a cookie.

The simplest honest option: a browser cookie, read and written by the server, that holds the
query of the last plan the person asked for, marked with their person id so that another
account signed in on the same browser does not inherit it. Nothing is stored in the database,
so another browser or device starts from the defaults (10 minutes, at home, relief).
"""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from starlette.datastructures import QueryParams

from midback.domain.vocab import Focus
from midback.web.forms import plan_form, plan_query, validated
from midback.web.schemas import PlanBody

COOKIE: Final = "midback_last"
KEPT_FOR_S: Final = 365 * 24 * 3600
DEFAULT: Final = PlanBody.model_validate({"minutes": 10, "place": "home", "focus": "relief"})
"""The first time's choices: the home page's quick-start defaults."""


def recall(request: Request, person: int) -> PlanBody | None:
    """The person's last choices, or None when this browser has none for them (or they no
    longer pass the plan's checks)."""
    text = request.cookies.get(COOKIE, "")
    owner, _, query = text.partition("|")
    if owner != str(person) or not query:
        return None
    form = plan_form(QueryParams(parse_qsl(query)), focus=Focus.RELIEF)
    body, errors = validated(PlanBody, form)
    if body is None or errors or body.minutes is None or body.place is None:
        return None
    return body


def remember(request: Request, response: Response, person: int, body: PlanBody) -> None:
    """Keep ``body`` (a plan by minutes and place, not a program) as the last choices; its
    health conditions are left out (they come from the stored screen anyway)."""
    if body.program_id is not None or body.minutes is None or body.place is None:
        return
    pairs = [(k, v) for k, v in plan_query(body) if k not in ("seed", "cleared", "conditions")]
    secure: bool = request.app.state.settings.secure_cookies
    response.set_cookie(COOKIE, f"{person}|{urlencode(pairs)}", max_age=KEPT_FOR_S,
                        httponly=True, samesite="lax", secure=secure)  # fmt: skip
