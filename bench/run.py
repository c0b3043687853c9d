"""`make bench`: run every bench/bench_*.py in turn; each writes bench/results/<name>.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("no benchmarks in bench/")
        return 1
    failed = [s.name for s in scripts if subprocess.run([sys.executable, str(s)], check=False).returncode]
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
