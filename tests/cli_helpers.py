"""Run the real `morrow` command in a subprocess, as clinics and scripts do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any


def morrow_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without any MORROW_ setting of the machine running the tests, plus `env`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MORROW_")} | (env or {})


def run_morrow(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "morrow", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=morrow_env(env),
        timeout=timeout,
        check=False,
    )


def start_serving(env: dict[str, str], port: int, workers: int, log: Path, **popen: Any) -> subprocess.Popen[bytes]:
    """`morrow serve` in the background on 127.0.0.1:`port`, its output (every process's) written to `log`:
    a file, not a pipe, so that logging never blocks on a pipe nobody reads."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "morrow", "serve", "--port", str(port), "--workers", str(workers)],
            env=morrow_env(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            **popen,
        )


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def one_line_error(result: subprocess.CompletedProcess[Any]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    stderr: str = result.stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]
