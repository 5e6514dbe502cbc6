"""Starting a session takes an idempotency key, as logging an exercise does (issue 15, item
10): a retried start (its answer lost) finds the session it made. On every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from midback.storage import LOCAL_PERSON_ID, Repository

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_retried_start_with_the_same_key_finds_the_first_session(repo: Repository) -> None:
    first = repo.start_session(LOCAL_PERSON_ID, plan={"blocks": []}, program_id=None,
                               started_at=T0, idempotency_key="start-abc-123")  # fmt: skip
    again = repo.start_session(LOCAL_PERSON_ID, plan={"blocks": []}, program_id=None,
                               started_at=T0 + timedelta(seconds=3),
                               idempotency_key="start-abc-123")  # fmt: skip
    assert again.id == first.id and again.started_at == T0
    other = repo.start_session(LOCAL_PERSON_ID, plan={"blocks": []}, program_id=None,
                               started_at=T0, idempotency_key="start-abc-456")  # fmt: skip
    plain = [repo.start_session(LOCAL_PERSON_ID, plan={}, program_id=None, started_at=T0)
             for _ in range(2)]  # fmt: skip
    assert len({first.id, other.id, *(s.id for s in plain)}) == 4
    assert len(repo.list_sessions(LOCAL_PERSON_ID)) == 4


def test_one_persons_key_does_not_find_anothers_session(repo: Repository) -> None:
    bob = repo.add_person(email="bob@example.org", created_at=T0)
    mine = repo.start_session(LOCAL_PERSON_ID, plan={}, program_id=None, started_at=T0,
                              idempotency_key="same-key-for-two")  # fmt: skip
    his = repo.start_session(bob, plan={}, program_id=None, started_at=T0,
                             idempotency_key="same-key-for-two")  # fmt: skip
    assert mine.id != his.id and his.person_id == bob
