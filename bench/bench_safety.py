"""Benchmark: safety-engine evaluations per second for a patient with a realistic 30-day history, one core.

Run with `.venv/bin/python bench/bench_safety.py` (or `make bench`). Prints a Rich summary and writes
bench/results/safety.json. Target: at least 20,000 situations evaluated per second (parsing excluded; the
parse + evaluate rate, what `morrow check` pays per call, is reported alongside).
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from morrow.safety import Situation, evaluate, parse_situation

SITUATIONS = 20_000
DISTINCT = 200
SEED = 20261124
RESULTS = Path(__file__).resolve().parent / "results" / "safety.json"
TARGET_PER_SECOND = 20_000


def history(rng: random.Random, now: datetime) -> dict[str, Any]:
    """30 days: kratom three times a day, melatonin nightly, a few other doses, a SOWS every morning."""
    doses: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    for day in range(30, -1, -1):
        base = (now - timedelta(days=day)).replace(hour=0, minute=0)
        for hour in (8, 14, 20):
            taken = base + timedelta(hours=hour, minutes=rng.randrange(60))
            doses.append({"substance": "kratom", "form": "leaf_powder", "amount": rng.choice([2, 2.5, 3, 3.5]),
                          "unit": "g", "taken_at": taken.isoformat()})  # fmt: skip
        doses.append({"substance": "melatonin", "amount": 3, "unit": "mg", "release": "immediate",
                      "taken_at": (base + timedelta(hours=22, minutes=30)).isoformat()})  # fmt: skip
        if rng.random() < 0.15:
            doses.append({"substance": "gabapentin", "amount": 300, "unit": "mg",
                          "taken_at": (base + timedelta(hours=12)).isoformat()})  # fmt: skip
        if rng.random() < 0.1:
            doses.append({"substance": "alcohol", "amount": 2, "unit": "standard_drink",
                          "taken_at": (base + timedelta(hours=19)).isoformat()})  # fmt: skip
        checkins.append({"instrument": "sows", "answers": {"items": [rng.randint(0, 2) for _ in range(16)]},
                         "at": (base + timedelta(hours=9)).isoformat()})  # fmt: skip
    return {
        "now": now.isoformat(),
        "patient": {
            "timezone": "America/New_York",
            "pregnant": False,
            "opioid_abstinent_since": None,
            "taper_completed_on": None,
        },
        "regimen": [{"substance": "kratom", "form": "leaf_powder", "max_dose": 3, "unit": "g", "max_doses_per_day": 3}],
        "doses": [d for d in doses if d["taken_at"] <= now.isoformat()],
        "checkins": [c for c in checkins if c["at"] <= now.isoformat()],
        "symptoms": [],
    }


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main() -> None:
    pin_to_one_core()
    rng = random.Random(SEED)
    start = datetime.fromisoformat("2026-11-20T23:00:00-05:00")
    raws = [history(rng, start + timedelta(hours=7 * i)) for i in range(DISTINCT)]
    parsed: list[Situation] = [parse_situation(raw) for raw in raws]
    for situation in parsed:  # warm-up: pair rules resolved once per process, as in a long-running server
        evaluate(situation, situation.now)
    findings = 0
    began = time.perf_counter()
    for i in range(SITUATIONS):
        situation = parsed[i % DISTINCT]
        findings += len(evaluate(situation, situation.now))
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    for i in range(SITUATIONS // 10):
        situation = parse_situation(raws[i % DISTINCT])
        evaluate(situation, situation.now)
    full_seconds = time.perf_counter() - began
    result = {
        "benchmark": "safety engine: 30-day history (kratom 3x/day, melatonin nightly, daily SOWS), one core",
        "situations": SITUATIONS,
        "seconds": round(seconds, 4),
        "per_second": round(SITUATIONS / seconds),
        "parse_and_evaluate_per_second": round(SITUATIONS // 10 / full_seconds),
        "doses_per_situation": round(sum(len(s.doses) for s in parsed) / DISTINCT, 1),
        "findings_per_situation": round(findings / SITUATIONS, 2),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}".strip(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report(result)


def report(result: dict[str, Any]) -> None:
    table = Table(title="Safety engine benchmark (one core)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("situations evaluated", f"{result['situations']:,}")
    table.add_row(
        "doses / findings per situation", f"{result['doses_per_situation']} / {result['findings_per_situation']}"
    )
    table.add_row("seconds", f"{result['seconds']:.3f}")
    ok = result["per_second"] >= TARGET_PER_SECOND
    verdict = "[green]meets[/]" if ok else "[red]below[/]"
    table.add_row("evaluations / s", f"{result['per_second']:,} ({verdict} {TARGET_PER_SECOND:,})")
    table.add_row("parse + evaluate / s", f"{result['parse_and_evaluate_per_second']:,}")
    table.add_row("python / machine", f"{result['python']} / {result['machine']}")
    console = Console()
    console.print(table)
    console.print(f"Wrote {RESULTS}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
