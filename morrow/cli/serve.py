"""`morrow serve`: the web application under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option(help="Address to listen on (default: MORROW_HOST).")] = None,
        port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default: MORROW_PORT).")] = None,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Server processes (use one per CPU core in production).")
        ] = 1,
    ) -> None:
        """Serve Morrow over HTTP (the database must be migrated first: `morrow db upgrade`)."""
        import uvicorn

        from morrow.runtime import build_runtime
        from morrow.web.app import create_app
        from morrow.web.asgi import served

        runtime = build_runtime()
        runtime.require_migrated()
        bind_host = host if host is not None else runtime.settings.host
        bind_port = port if port is not None else runtime.settings.port
        Console().print(f"Morrow is serving on [bold]http://{bind_host}:{bind_port}[/] (Ctrl+C to stop).")
        if workers == 1:
            uvicorn.run(served(create_app(runtime)), host=bind_host, port=bind_port, log_level="info")
        else:  # each process builds its own app from the same environment; connections are dealt in turn
            from morrow.web.serving import Balancer

            config = uvicorn.Config(
                "morrow.web.asgi:app_factory", factory=True, host=bind_host, port=bind_port, log_level="info"
            )
            raise typer.Exit(Balancer(config, workers).run())
