"""The worker delivers urgent alerts to the clinic's webhook once, keeps failures as data, and retries."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import OutboxMessage
from morrow.services.outbox import enqueue
from morrow.worker.loop import run_once
from morrow.worker.notifier import WebhookNotifier
from tests.cli_helpers import one_line_error, run_morrow

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Hook:
    """A webhook receiver on 127.0.0.1 that records what it is sent and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.received.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.close()


def put(sessions: sessionmaker[Session], count: int) -> None:
    with sessions() as session, session.begin():
        for n in range(count):
            enqueue(session, "alert.urgent", {"alert_id": n, "rule_id": "INT-KRATOM-ALCOHOL"}, NOW)


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session, session.begin():
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_it_delivers_each_message_once_however_often_it_runs(committed: sessionmaker[Session], hook: Hook) -> None:
    put(committed, 2)
    notifier = WebhookNotifier(hook.url)
    first = run_once(committed, notifier, worker="w1", now=NOW)
    second = run_once(committed, notifier, worker="w2", now=NOW + timedelta(minutes=1))
    assert (first.sent, second.sent) == (2, 0)
    assert [m["alert_id"] for m in hook.received] == [0, 1]
    assert hook.received[0]["kind"] == "alert.urgent"
    assert statuses(committed) == ["sent", "sent"]


def test_a_failing_webhook_keeps_the_message_for_a_retry(committed: sessionmaker[Session], hook: Hook) -> None:
    put(committed, 1)
    hook.status = 503
    assert run_once(committed, WebhookNotifier(hook.url), worker="w", now=NOW).failed == 1
    with committed() as session, session.begin():
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.last_error, message.attempts) == ("pending", "webhook answered HTTP 503", 1)
    hook.status = 200
    assert run_once(committed, WebhookNotifier(hook.url), worker="w", now=NOW + timedelta(minutes=1)).sent == 1
    assert statuses(committed) == ["sent"]


def test_an_unreachable_webhook_is_a_recorded_failure(committed: sessionmaker[Session]) -> None:
    put(committed, 1)
    result = run_once(committed, WebhookNotifier("http://127.0.0.1:9/never"), worker="w", now=NOW)
    assert result.failed == 1
    with committed() as session, session.begin():
        error = session.scalars(select(OutboxMessage.last_error)).one()
    assert error is not None
    assert error.startswith("webhook unreachable")


def test_the_worker_command_delivers_and_needs_a_webhook(tmp_path: Path, hook: Hook) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    run_morrow("db", "upgrade", env={"MORROW_DATABASE_URL": url})
    from morrow.db.engine import make_engine, make_sessionmaker

    put(make_sessionmaker(make_engine(url)), 1)
    missing = one_line_error(run_morrow("worker", "--once", env={"MORROW_DATABASE_URL": url}))
    assert "MORROW_ALERT_WEBHOOK_URL is not set" in missing
    done = run_morrow("worker", "--once", env={"MORROW_DATABASE_URL": url, "MORROW_ALERT_WEBHOOK_URL": hook.url})
    assert done.returncode == 0, done.stderr
    assert "Delivered 1 message(s)" in done.stdout
    assert len(hook.received) == 1
    assert "must be an http(s) URL" in one_line_error(
        run_morrow("worker", "--once", env={"MORROW_DATABASE_URL": url, "MORROW_ALERT_WEBHOOK_URL": "ftp://x"})
    )
