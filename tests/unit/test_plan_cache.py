"""caches.PlanCache: the plan the planner would make, made once per catalogue and request;
caches.PlanJson: its JSON and timeline, made once per plan."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable

import pytest

from midback.caches import KeptFrom, PlanCache, PlanJson
from midback.domain.assemble import plan_program
from midback.domain.catalogue import Catalogue
from midback.domain.loader import catalogue
from midback.domain.planner import Mixes, mixes, plan
from midback.domain.plans import PlanRequest
from midback.domain.timeline import compile_plan
from midback.domain.vocab import Place
from midback.errors import UnknownIdError
from midback.services.planning import plan_and_timeline_json, plan_json
from tests.fakes import FakeRepository


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue()


def test_the_same_request_is_planned_once(cat: Catalogue) -> None:
    cache = PlanCache()
    request = PlanRequest(minutes=10, place=Place.HOME)
    first = cache.get(cat, request, None)
    assert first == plan(cat, request)
    assert cache.get(cat, PlanRequest(minutes=10, place=Place.HOME), None) is first


def test_any_difference_in_the_request_is_another_plan(cat: Catalogue) -> None:
    cache = PlanCache()
    base = PlanRequest(minutes=10, place=Place.HOME)
    cache.get(cat, base, None)
    for other in (
        base.model_copy(update={"minutes": 12}),
        base.model_copy(update={"seed": 3}),
        base.model_copy(update={"recent": frozenset({"cat-cow"})}),
    ):
        assert cache.get(cat, other, None) == plan(cat, other)


def test_the_next_seeds_share_one_search_and_every_even_seed_one_plan(
    cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from midback import caches

    searched: list[PlanRequest] = []

    def counted(cat: Catalogue, request: PlanRequest) -> Mixes:
        searched.append(request)
        return mixes(cat, request)

    monkeypatch.setattr(caches, "mixes", counted)
    cache = PlanCache()
    base = PlanRequest(minutes=20, place=Place.HOME, seed=4)
    made = {seed: cache.get(cat, base.model_copy(update={"seed": seed}), None) for seed in range(8)}
    assert len(searched) == 1  # the seed-free search, once for all eight seeds
    for seed, got in made.items():
        assert got == plan(cat, base.model_copy(update={"seed": seed}))
    assert made[0] is made[2] is made[4] is made[6]
    assert made[1] is not made[3]
    assert any(made[s] != made[0] for s in (1, 3, 5, 7))  # another mix is near here
    cache.get(cat, base.model_copy(update={"minutes": 21}), None)
    assert len(searched) == 2


def test_a_program_is_kept_apart_from_a_plan_of_the_same_request(cat: Catalogue) -> None:
    cache = PlanCache()
    request = PlanRequest(minutes=10, place=Place.HOME)
    program = next(iter(cat.programs.values()))
    assert cache.get(cat, request, None) == plan(cat, request)
    assert cache.get(cat, request, program.id) == plan_program(cat, program, request)


def test_another_catalogue_does_not_share_plans(cat: Catalogue) -> None:
    cache = PlanCache()
    request = PlanRequest(minutes=10, place=Place.HOME)
    other = cat.model_copy(update={"exercises": {"cat-cow": cat.exercises["cat-cow"]}})
    assert cache.get(cat, request, None) == plan(cat, request)
    assert cache.get(other, request, None) == plan(other, request)
    assert cache.get(other, request, None) != cache.get(cat, request, None)


def test_failures_are_not_kept_and_the_newest_plans_are(cat: Catalogue) -> None:
    cache = PlanCache(size=2)
    for _ in range(2):
        with pytest.raises(UnknownIdError):
            cache.get(cat, PlanRequest(minutes=10, place=Place.HOME), "no-such-program")
    requests = [PlanRequest(minutes=m, place=Place.HOME) for m in (8, 9, 10)]
    plans = [cache.get(cat, r, None) for r in requests]
    assert cache.get(cat, requests[2], None) is plans[2]
    assert cache.get(cat, requests[0], None) is not plans[0]  # the oldest was let go
    assert cache.get(cat, requests[0], None) == plans[0]


def test_a_plans_json_is_made_once_per_plan_object_and_catalogue(cat: Catalogue) -> None:
    cache = PlanJson()
    request = PlanRequest(minutes=10, place=Place.HOME)
    held, twin = plan(cat, request), plan(cat, request)
    made: list[str] = []

    def make(text: str) -> Callable[[], bytes]:
        def run() -> bytes:
            made.append(text)
            return text.encode()

        return run

    assert cache.get(held, "plan", make("first")) == b"first"
    assert cache.get(held, "plan", make("again")) == b"first"  # kept for this object
    assert cache.get(twin, "plan", make("twin")) == b"twin"  # an equal plan is another object
    assert cache.get(held, "timeline", make("cues"), same=cat) == b"cues"
    other = cat.model_copy()
    assert cache.get(held, "timeline", make("other"), same=other) == b"other"
    assert made == ["first", "twin", "cues", "other"]


def test_what_is_kept_from_objects_lasts_while_they_are_the_same_and_the_newest() -> None:
    kept: KeptFrom[str] = KeptFrom(2)
    first, second, third = [1.5], [1.5], [2.5]  # equal lists are different objects
    assert kept.get("part", (first,), lambda: "a") == "a"
    assert kept.get("part", (first,), lambda: "again") == "a"
    assert kept.get("part", (second,), lambda: "b") == "b"
    assert kept.get("other part", (first,), lambda: "c") == "c"
    assert len(kept) == 2  # the oldest ("part" of first) was let go
    assert kept.get("part", (first,), lambda: "made again") == "made again"
    assert kept.get("part", (first, third), lambda: "two") == "two"


def test_what_is_kept_does_not_keep_alive_what_it_was_made_from(cat: Catalogue) -> None:
    kept: KeptFrom[str] = KeptFrom(4)
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    watch = weakref.ref(made)
    assert kept.get("json", (made, cat), lambda: "first") == "first"
    assert kept.get("json", (made, cat), lambda: "again") == "first"
    del made
    gc.collect()
    assert watch() is None, "the kept value held the plan"
    again = plan(cat, PlanRequest(minutes=10, place=Place.HOME))  # equal, not the same
    assert kept.get("json", (again, cat), lambda: "new") == "new"


def test_the_served_timeline_is_the_compiled_one(cat: Catalogue) -> None:
    repo = FakeRepository()
    made = plan(cat, PlanRequest(minutes=10, place=Place.HOME))
    served = json.loads(plan_and_timeline_json(repo, cat, made))
    assert served == {
        "plan": made.to_json(),
        "timeline": compile_plan(made, cat).model_dump(mode="json"),
    }
    assert plan_and_timeline_json(repo, cat, made) is plan_and_timeline_json(repo, cat, made)
    assert json.loads(plan_json(repo, made)) == made.to_json()
