"""Caches for the use cases: plans by request, and what is derived from a person's records.

Both are safe to share between the threads of a web worker, and both are bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime
from threading import Lock
from typing import TYPE_CHECKING, TypeVar, cast

from midback.domain.planner import Plan, PlanRequest, plan, plan_program

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.storage.repository import Repository

T = TypeVar("T")


class PlanCache:
    """Plans already made, by catalogue and request: planning is a pure function of the two
    (the person's history is already in the request), and a person asks for the same plan
    again and again (page, timeline, session start). Thread-safe; keeps the newest ``size``.
    A failure (PlanError, unknown program) is not kept: it is raised again each time.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[int, str, str | None], tuple[Catalogue, Plan]] = (
            OrderedDict()
        )
        self._lock = Lock()

    def get(self, cat: Catalogue, request: PlanRequest, program_id: str | None) -> Plan:
        """The plan for ``request`` (the program's, adapted, when ``program_id`` is given)."""
        key = (id(cat), request.model_dump_json(), program_id)
        with self._lock:
            held = self._plans.get(key)
            if held is not None and held[0] is cat:  # not a catalogue since collected
                self._plans.move_to_end(key)
                return held[1]
        made = (
            plan(cat, request)
            if program_id is None
            else plan_program(cat, cat.program(program_id), request)
        )
        with self._lock:
            self._plans[key] = (cat, made)
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)
        return made


class PersonCache:
    """Values derived from a person's records, kept while the person's revision (raised in the
    store by every write of their records, by any process) and the day stay the same: a plan
    or a history page then reads one row instead of the history. Thread-safe; keeps the
    newest ``size`` values."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._held: OrderedDict[Hashable, tuple[object, object, str, date, object]] = OrderedDict()
        self._lock = Lock()

    def get(
        self,
        repo: Repository,
        person_id: int,
        what: Hashable,
        compute: Callable[[], T],
        *,
        same: object = None,
    ) -> T:
        """``what`` of the person: ``compute()`` unless kept since their last write today.

        ``same``: an object the value also depends on, compared by identity (a catalogue).
        """
        from midback.domain.history import local_day

        revision = repo.revision(person_id)
        today = local_day(datetime.now(UTC))
        key = (id(repo), person_id, what)
        with self._lock:
            held = self._held.get(key)
            if (
                held is not None
                and held[0] is repo
                and held[1] is same
                and held[2:4] == (revision, today)
            ):
                self._held.move_to_end(key)
                return cast(T, held[4])
        value = compute()
        if revision is not None:
            with self._lock:
                self._held[key] = (repo, same, revision, today, value)
                while len(self._held) > self.size:
                    self._held.popitem(last=False)
        return value
