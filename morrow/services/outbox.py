"""The outbox: notifications written in the same transaction as the change that causes them, and
delivered afterwards by the worker, which claims each row with a compare-and-set update."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, select, update
from sqlalchemy.orm import Session

from morrow.db.models import OutboxMessage
from morrow.services.tx import atomic

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this belongs to a worker that died


def enqueue(session: Session, kind: str, payload: dict[str, Any], now: datetime) -> OutboxMessage:
    """Add a message to the caller's transaction: it exists if, and only if, the change commits."""
    message = OutboxMessage(kind=kind, payload=payload, status="pending", created_at=now, available_at=now)
    session.add(message)
    return message


def claim(session: Session, worker: str, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """Claim due messages for `worker`. Each claim is `UPDATE ... WHERE status = <what we read>`, so of
    two workers reading the same row only one gets it; a second run finds nothing left to do."""
    claimed: list[OutboxMessage] = []
    with atomic(session):
        due = session.execute(
            select(OutboxMessage.id, OutboxMessage.status)
            .where(
                ((OutboxMessage.status == "pending") & (OutboxMessage.available_at <= now))
                | ((OutboxMessage.status == "claimed") & (OutboxMessage.claimed_at <= now - CLAIM_TIMEOUT))
            )
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(limit)
        ).all()
    for message_id, status in due:
        with atomic(session):
            won = _rows_changed(
                session,
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == status)
                .values(status="claimed", claimed_by=worker, claimed_at=now, attempts=OutboxMessage.attempts + 1),
            )
            if won == 1:
                claimed.append(session.get_one(OutboxMessage, message_id, populate_existing=True))
    return claimed


def mark_sent(session: Session, message_id: int, worker: str, now: datetime) -> bool:
    with atomic(session):
        done = _rows_changed(
            session,
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id, OutboxMessage.status == "claimed", OutboxMessage.claimed_by == worker
            )
            .values(status="sent", sent_at=now, last_error=None),
        )
    return done == 1


def mark_failed(session: Session, message_id: int, worker: str, error: str, now: datetime) -> None:
    """Keep the failure as data; retry later with exponential backoff, and stop after MAX_ATTEMPTS."""
    with atomic(session):
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if message is None or message.status != "claimed" or message.claimed_by != worker:
            return
        message.last_error = error[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status = "pending"
            message.available_at = now + timedelta(seconds=30 * 2 ** (message.attempts - 1))


def _rows_changed(session: Session, statement: Update) -> int:
    result = cast(CursorResult[Any], session.execute(statement.execution_options(synchronize_session=False)))
    return result.rowcount
