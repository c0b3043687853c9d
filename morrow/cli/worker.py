"""`morrow worker`: deliver urgent alerts from the outbox to the clinic's webhook."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then stop.")] = False,
        interval: Annotated[float, typer.Option(min=0.5, max=3600, help="Seconds between polls.")] = 5.0,
    ) -> None:
        """Deliver queued urgent alerts to MORROW_ALERT_WEBHOOK_URL (safe to run in several processes)."""
        import signal
        import threading

        from morrow.domain.errors import ConfigurationError
        from morrow.runtime import build_runtime
        from morrow.worker.loop import run_forever, run_once, worker_name
        from morrow.worker.notifier import WebhookNotifier

        runtime = build_runtime()
        runtime.require_migrated()
        url = runtime.settings.alert_webhook_url
        if not url:
            raise ConfigurationError(
                "MORROW_ALERT_WEBHOOK_URL is not set: urgent alerts stay queued (and in the alert inbox) "
                "until a delivery webhook is configured",
                field="alert_webhook_url",
            )
        notifier = WebhookNotifier(url)
        console = Console()
        if once:
            result = run_once(runtime.sessions, notifier, worker=worker_name())
            console.print(f"Delivered {result.sent} message(s); {result.failed} failed and will be retried.")
            raise typer.Exit(1 if result.failed else 0)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        console.print(f"Delivering urgent alerts to the configured webhook every {interval:g} s (Ctrl+C to stop).")
        run_forever(runtime.sessions, notifier, interval_s=interval, stop=stop)
