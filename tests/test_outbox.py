"""The outbox: each message is claimed by one worker, delivered once, retried with backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import OutboxMessage
from morrow.services.outbox import MAX_ATTEMPTS, claim, enqueue, mark_failed, mark_sent
from tests.test_concurrency import run_together

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def put(session: Session, count: int) -> None:
    with session.begin():
        for n in range(count):
            enqueue(session, "alert.urgent", {"alert_id": n}, NOW)


def test_a_claimed_message_is_not_claimed_again(session: Session) -> None:
    put(session, 2)
    first = claim(session, "worker-a", NOW)
    assert [m.payload["alert_id"] for m in first] == [0, 1]
    assert all(m.status == "claimed" and m.claimed_by == "worker-a" and m.attempts == 1 for m in first)
    assert claim(session, "worker-b", NOW) == []
    assert mark_sent(session, first[0].id, "worker-a", NOW)
    assert not mark_sent(session, first[0].id, "worker-a", NOW)  # a second run changes nothing
    assert not mark_sent(session, first[1].id, "worker-b", NOW)  # nor does a worker that never claimed it


def test_a_failure_is_kept_and_retried_later_then_given_up(session: Session) -> None:
    put(session, 1)
    [message] = claim(session, "w", NOW)
    mark_failed(session, message.id, "w", "connection refused", NOW)
    with session.begin():
        stored = session.get_one(OutboxMessage, message.id, populate_existing=True)
        assert (stored.status, stored.last_error, stored.available_at) == (
            "pending",
            "connection refused",
            NOW + timedelta(seconds=30),
        )
    assert claim(session, "w", NOW + timedelta(seconds=29)) == []
    moment = NOW
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(days=1)
        [again] = claim(session, "w", moment)
        mark_failed(session, again.id, "w", "still refused", moment)
    with session.begin():
        assert session.get_one(OutboxMessage, message.id, populate_existing=True).status == "failed"


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over(session: Session) -> None:
    put(session, 1)
    [message] = claim(session, "crashed", NOW)
    assert claim(session, "rescuer", NOW + timedelta(minutes=4)) == []
    [taken] = claim(session, "rescuer", NOW + timedelta(minutes=6))
    assert (taken.id, taken.claimed_by, taken.attempts) == (message.id, "rescuer", 2)


def test_workers_racing_each_claim_every_message_exactly_once(committed: sessionmaker[Session]) -> None:
    with committed() as session:
        put(session, 40)

    def work(index: int) -> list[int]:
        with committed() as session:
            return [m.id for m in claim(session, f"worker-{index}", NOW, limit=40)]

    results = run_together(4, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    claimed = [message_id for ids in results for message_id in ids]
    assert len(claimed) == 40
    assert len(set(claimed)) == 40
    with committed() as session, session.begin():
        assert set(session.scalars(select(OutboxMessage.status))) == {"claimed"}
