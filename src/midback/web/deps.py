"""Dependencies of routes, as ``Annotated`` aliases: the store, the catalogue, the person, now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from midback.domain.catalogue import Catalogue
from midback.services import LOCAL_PERSON
from midback.storage.repository import Repository


def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


def _catalogue(request: Request) -> Catalogue:
    cat: Catalogue = request.app.state.catalogue
    return cat


def _person(request: Request) -> int:
    """The signed-in person; in local mode, the one implicit person."""
    return LOCAL_PERSON


def _now() -> datetime:
    return datetime.now(UTC)


Repo = Annotated[Repository, Depends(_repo)]
Cat = Annotated[Catalogue, Depends(_catalogue)]
PersonId = Annotated[int, Depends(_person)]
Now = Annotated[datetime, Depends(_now)]
