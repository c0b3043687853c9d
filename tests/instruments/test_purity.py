"""The engine is pure: importing and using it loads no database, web, services or settings code."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ["morrow.db", "morrow.web", "morrow.services", "morrow.settings", "morrow.cli", "sqlalchemy", "fastapi"]

PROBE = f"""
import sys
from morrow.instruments import score
score("phq9", {{"items": [0] * 9}})
loaded = [m for m in {FORBIDDEN!r} if any(n == m or n.startswith(m + ".") for n in sys.modules)]
print(",".join(loaded))
"""


def test_it_imports_nothing_from_outer_layers() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == ""
