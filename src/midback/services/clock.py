"""Whose day it is: one definition of "today" for every use case.

A person's day is their own: the time zone stored with them (server mode: set from their
browser or their account page), else this machine's zone (local mode: the person sits at
this machine). Check-ins, history, the week, progression and the clinician's view all count
days this way. The clock itself (``now``) is always passed in by the face.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from midback.errors import MidbackError

if TYPE_CHECKING:
    from midback.storage.repository import Repository


class UnknownZone(MidbackError):
    """A time-zone name that is not an IANA zone."""


def zone_for(repo: Repository, person_id: int) -> tzinfo | None:
    """The person's time zone; None means this machine's own (``datetime.astimezone()``)."""
    return zone_named(repo.person_zone(person_id))


def zone_named(name: str | None) -> tzinfo | None:
    """The zone a person's stored ``name`` stands for; None (this machine's) for none or a zone
    since dropped from the zone database."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a zone since dropped from the zone database
        return None


def person_zone(repo: Repository, person_id: int) -> str | None:
    """The name of the person's stored time zone (None: this machine's own)."""
    return repo.person_zone(person_id)


def today_for(repo: Repository, person_id: int, now: datetime) -> date:
    """The person's calendar day at ``now``."""
    return now.astimezone(zone_for(repo, person_id)).date()


def set_zone(repo: Repository, person_id: int, name: str | None) -> str | None:
    """Store the person's IANA time zone (``Europe/Paris``); None or "" clears it. UnknownZone
    names a value that is not one."""
    name = (name or "").strip() or None
    if name is not None and name not in _zones():
        raise UnknownZone(f"timezone: {name!r} is not an IANA time zone (e.g. Europe/London)")
    repo.set_person_zone(person_id, name)
    return name


def _zones() -> set[str]:
    return available_timezones()
