"""The clinician's triage list: one row per linked person, sorted and paged (pure).

Storage aggregates each row in SQL (``storage.workspace``); here live the row, what its numbers
mean, and the order and paging of the list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from midback.domain.history import DEFAULT_WEEKLY_TARGET

WINDOW_DAYS = 14
"""Adherence counts the last two weeks; pain change compares them with the two before."""
PER_PAGE = 25
MIN_WEEKLY_TARGET, MAX_WEEKLY_TARGET = 1, 14
TARGET_SOURCE = (
    f"{DEFAULT_WEEKLY_TARGET} sessions a week by default, midback's ACSM-style default for "
    "short mobility and stretching sessions on most days (ACSM advises flexibility work at "
    "least 2-3 days a week); set each patient's own target on their programme page."
)


class TriageRow(BaseModel):
    """One linked person as the triage list shows them."""

    model_config = ConfigDict(frozen=True)

    person_id: int
    email: str | None
    display_name: str | None
    linked_at: datetime
    last_active: datetime | None
    """The latest session or check-in the clinician may see (None: none yet)."""
    sessions: int
    """Sessions completed in the last ``WINDOW_DAYS``."""
    weekly_target: int
    target_is_default: bool
    pain_recent: float | None
    """Mean pain (check-ins and pain before sessions) over the last ``WINDOW_DAYS``."""
    pain_earlier: float | None
    """The same over the ``WINDOW_DAYS`` before those."""
    alerts: int = 0
    since: datetime | None = None
    """The person shares only what came after this (None: earlier data too)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def name(self) -> str:
        """The display name, else the email."""
        return self.display_name or self.email or f"person {self.person_id}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def adherence(self) -> float:
        """Completed sessions over the two weeks against the person's own target (1.0: on
        target; may pass 1)."""
        return self.sessions / (self.weekly_target * WINDOW_DAYS / 7)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pain_change(self) -> float | None:
        """Recent mean pain minus the earlier one (positive: worse); None without both."""
        if self.pain_recent is None or self.pain_earlier is None:
            return None
        return round(self.pain_recent - self.pain_earlier, 1)


class SortKey(StrEnum):
    """What the triage list can be sorted by."""

    LAST_ACTIVE = "last_active"
    ADHERENCE = "adherence"
    PAIN_CHANGE = "pain_change"
    ALERTS = "alerts"
    NAME = "name"


DEFAULT_DESCENDING: dict[SortKey, bool] = {
    SortKey.LAST_ACTIVE: False,  # longest inactive first
    SortKey.ADHERENCE: False,  # furthest below target first
    SortKey.PAIN_CHANGE: True,  # worsening first
    SortKey.ALERTS: True,  # most alerts first
    SortKey.NAME: False,
}
"""The direction that puts who needs attention first."""


class TriagePage(BaseModel):
    """One page of the sorted list."""

    model_config = ConfigDict(frozen=True)

    rows: list[TriageRow]
    page: int
    pages: int
    total: int
    sort: SortKey
    descending: bool
    query: str


def ordered(rows: Sequence[TriageRow], sort: SortKey, *, descending: bool) -> list[TriageRow]:
    """``rows`` by ``sort``; rows without a value (never active, no pain change) come last
    either way, and ties keep the name order, then the id."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.person_id))
    if sort is SortKey.NAME:
        return list(reversed(by_name)) if descending else by_name
    present = [r for r in by_name if _value(r, sort) is not None]
    missing = [r for r in by_name if _value(r, sort) is None]
    present.sort(key=lambda r: _value(r, sort), reverse=descending)  # type: ignore[arg-type,return-value]
    return present + missing


def _value(row: TriageRow, sort: SortKey) -> float | None:
    if sort is SortKey.LAST_ACTIVE:
        return row.last_active.timestamp() if row.last_active else None
    if sort is SortKey.ADHERENCE:
        return row.adherence
    if sort is SortKey.PAIN_CHANGE:
        return row.pain_change
    return float(row.alerts)


def page_of(
    rows: Sequence[TriageRow],
    *,
    sort: SortKey,
    descending: bool | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    query: str = "",
) -> TriagePage:
    """Page ``page`` (from 1; past the end: the last page) of ``rows`` in ``sort`` order."""
    down = DEFAULT_DESCENDING[sort] if descending is None else descending
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    chosen = ordered(rows, sort, descending=down)[start : start + per_page]
    return TriagePage(rows=chosen, page=page, pages=pages, total=len(rows), sort=sort,
                      descending=down, query=query)  # fmt: skip
