"""Claim due outbox messages, deliver them, record the outcome. Safe to run twice, or in two processes."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from morrow.services.outbox import claim, mark_failed, mark_sent
from morrow.worker.notifier import DeliveryError, Notifier


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{threading.get_native_id()}"


def run_once(
    sessions: sessionmaker[Session], notifier: Notifier, *, worker: str, now: datetime | None = None
) -> RunResult:
    result = RunResult()
    moment = now or datetime.now(UTC)
    with sessions() as session:
        for message in claim(session, worker, moment):
            try:
                notifier.send(message.kind, dict(message.payload))
            except DeliveryError as exc:
                mark_failed(session, message.id, worker, str(exc), moment)
                result.failed += 1
            else:
                mark_sent(session, message.id, worker, moment)
                result.sent += 1
    return result


def run_forever(
    sessions: sessionmaker[Session], notifier: Notifier, *, interval_s: float, stop: threading.Event
) -> None:
    worker = worker_name()
    while not stop.is_set():
        run_once(sessions, notifier, worker=worker)
        stop.wait(interval_s)
