"""Caches for the use cases: plans by request, and what is derived from a person's records.

Both are safe to share between the threads of a web worker, and both are bounded.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from threading import Lock
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from midback.domain.assemble import plan_program
from midback.domain.planner import Mixes, mixes, plan
from midback.domain.plans import Plan, PlanRequest

if TYPE_CHECKING:
    from midback.domain.catalogue import Catalogue
    from midback.storage.repository import Repository

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """The newest ``size`` values by key (the least recently used goes first); thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._held: OrderedDict[K, V] = OrderedDict()
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, if any (now the most recently used)."""
        with self._lock:
            value = self._held.get(key)
            if value is not None:
                self._held.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``, letting the least recently used go beyond ``size``."""
        with self._lock:
            self._held[key] = value
            self._held.move_to_end(key)
            while len(self._held) > self.size:
                self._held.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)


class PlanCache:
    """Plans already made, by catalogue and request: planning is a pure function of the two
    (the person's history is already in the request), and a person asks for the same plan
    again and again (page, timeline, session start). What a plan's search finds whatever the
    seed (``planner.mixes``) is kept too, so "Try a different mix" (the next seed) searches
    once more (and, the first time a seed's own mix is not near, once for the best other mix,
    which is then kept with the rest); every even seed gives the same plan, so they share one.
    Thread-safe; keeps the newest ``size`` of each. A failure (PlanError, unknown program) is
    not kept: it is raised again each time.
    """

    def __init__(self, size: int = 512) -> None:
        self._plans: LruCache[tuple[int, str, str | None, int], tuple[Catalogue, Plan]] = LruCache(
            size
        )
        self._mixes: LruCache[tuple[int, str], tuple[Catalogue, Mixes]] = LruCache(size)

    def get(self, cat: Catalogue, request: PlanRequest, program_id: str | None) -> Plan:
        """The plan for ``request`` (the program's, adapted, when ``program_id`` is given)."""
        unseeded = request.model_dump_json(exclude={"seed"})
        # Only the planner's odd seeds choose another mix (a program reads no seed).
        seed = request.seed if program_id is None and request.seed % 2 == 1 else 0
        key = (id(cat), unseeded, program_id, seed)
        held = self._plans.get(key)
        if held is not None and held[0] is cat:  # not a catalogue since collected
            return held[1]
        if program_id is None:
            made = plan(cat, request, self._mixes_of(cat, request, unseeded))
        else:
            made = plan_program(cat, cat.program(program_id), request)
        self._plans.put(key, (cat, made))
        return made

    def _mixes_of(self, cat: Catalogue, request: PlanRequest, unseeded: str) -> Mixes:
        held = self._mixes.get((id(cat), unseeded))
        if held is not None and held[0] is cat:
            return held[1]
        found = mixes(cat, request)
        self._mixes.put((id(cat), unseeded), (cat, found))
        return found


class KeptFrom(Generic[V]):
    """Values made from objects that never change (frozen plans, a person's kept history view,
    the catalogue), kept while they are the very same objects (compared by identity). The
    objects are held weakly where they can be: a value does not keep a plan alive after the
    plan cache let it go (that doubled the plans a worker held, and what every full garbage
    collection scans), and a new object at a dead one's address is not it. Thread-safe; keeps
    the newest ``size``."""

    def __init__(self, size: int) -> None:
        self._held: LruCache[tuple[Hashable, tuple[int, ...]], tuple[tuple[_Ref, ...], V]] = (
            LruCache(size)
        )

    def get(self, what: Hashable, made_from: tuple[object, ...], make: Callable[[], V]) -> V:
        """``what`` made from ``made_from`` (``make()`` the first time; it must read nothing
        else that changes)."""
        key = (what, tuple(id(o) for o in made_from))
        held = self._held.get(key)
        if held is not None and all(r() is o for r, o in zip(held[0], made_from, strict=True)):
            return held[1]
        made = make()
        self._held.put(key, (tuple(_ref(o) for o in made_from), made))
        return made

    def __len__(self) -> int:
        return len(self._held)


_Ref = Callable[[], object]


def _ref(held: object) -> _Ref:
    """A weak reference to ``held``, or a strong one when it takes none (None, a str)."""
    try:
        return weakref.ref(held)
    except TypeError:
        return lambda: held


class PlanJson:
    """The JSON of plans already made, and of their timelines, by plan (identity, held): a plan
    the PlanCache kept is the same object each time it is asked for, so the page, the player's
    timeline and the API serialize (and compile) it once. Thread-safe; keeps the newest
    ``size``. Plans are frozen, so what is kept stays true for the object it was made from."""

    def __init__(self, size: int = 512) -> None:
        self._held: KeptFrom[bytes] = KeptFrom(size)

    def get(
        self, plan: Plan, what: str, make: Callable[[], bytes], *, same: object = None
    ) -> bytes:
        """``what`` of ``plan`` (``make()`` the first time); ``same``: an object it also depends
        on, compared by identity (a catalogue)."""
        return self._held.get(what, (plan, same), make)


class Unread:
    """The type of ``UNREAD``: a value the caller did not read."""


UNREAD = Unread()


class PersonCache:
    """Values derived from a person's records, kept while the person's revision (raised in the
    store by every write of their records, by any process) and the day stay the same: a plan
    or a history page then reads one row instead of the history. Thread-safe; keeps the
    newest ``size`` values (a person's plan facts and history view take four: each is kept
    whole and apart from check-ins, see ``Repository.person_state``)."""

    def __init__(self, size: int = 4096) -> None:
        self._held: LruCache[Hashable, tuple[object, object, str, date, object]] = LruCache(size)

    def get(
        self,
        repo: Repository,
        person_id: int,
        what: Hashable,
        compute: Callable[[], T],
        *,
        today: date,
        same: object = None,
        revision: str | Unread | None = UNREAD,
    ) -> T:
        """``what`` of the person: ``compute()`` unless kept since their last write ``today``
        (the caller's clock: the person's own day).

        ``same``: an object the value also depends on, compared by identity (a catalogue).
        ``revision``: the person's revision when the caller has just read it
        (``Repository.person_state``), else it is read here.
        """
        if isinstance(revision, Unread):
            revision = repo.revision(person_id)
        key = (id(repo), person_id, what)
        held = self._held.get(key)
        # Identity for the store and ``same``: a new object at a reused address is not them.
        if (
            held is not None
            and held[0] is repo
            and held[1] is same
            and held[2:4] == (revision, today)
        ):
            return cast(T, held[4])
        value = compute()
        if revision is not None:
            self._held.put(key, (repo, same, revision, today, value))
        return value


class Caches:
    """The read caches of one store: built with the repository (so by ``create_app`` or the
    command that opened the store) and dropped with it; nothing is kept at module level."""

    def __init__(self) -> None:
        self.plans = PlanCache()
        self.people = PersonCache()
        self.plan_json = PlanJson()
