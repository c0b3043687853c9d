"""The engine is pure: using it loads no database, web, services, settings or CLI code."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = [
    "morrow.db", "morrow.web", "morrow.services", "morrow.settings", "morrow.runtime", "morrow.cli",
    "sqlalchemy", "fastapi",
]  # fmt: skip

PROBE = f"""
import sys
from datetime import date
from morrow.catalog import load_catalog
from morrow.regimens import TaperRequest, plan_taper
plan_taper(TaperRequest("oxycodone", 40, "mg", "linear", 7, date(2027, 1, 4), step=5, min_step=5), load_catalog())
loaded = [m for m in {FORBIDDEN!r} if any(n == m or n.startswith(m + ".") for n in sys.modules)]
print(",".join(loaded))
"""


def test_it_imports_nothing_from_outer_layers() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == ""
