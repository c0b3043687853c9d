"""Run the real `morrow` command in a subprocess, as clinics and scripts do."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def run_morrow(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MORROW_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "morrow", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[Any]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    stderr: str = result.stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]
