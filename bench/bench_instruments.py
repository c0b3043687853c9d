"""Benchmark: score a deterministic mixed stream of 100,000 questionnaire responses on one core.

Run with `.venv/bin/python bench/bench_instruments.py` (or `make bench`). Prints a Rich summary and
writes bench/results/instruments.json. Target: at least 50,000 sum-scale scorings per second.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from morrow.instruments import InstrumentError, instrument_ids, score

RESPONSES = 100_000
SEED = 20261120
RESULTS = Path(__file__).resolve().parent / "results" / "instruments.json"
TARGET_SUM_SCALE_PER_SECOND = 50_000

Payload = dict[str, Any]
Response = tuple[str, Payload]

COWS_LEGAL = {
    "pulse": (0, 1, 2, 4), "sweating": (0, 1, 2, 3, 4), "restlessness": (0, 1, 3, 5), "pupil_size": (0, 1, 2, 5),
    "bone_joint_aches": (0, 1, 2, 4), "runny_nose_tearing": (0, 1, 2, 4), "gi_upset": (0, 1, 2, 3, 5),
    "tremor": (0, 1, 2, 4), "yawning": (0, 1, 2, 4), "anxiety_irritability": (0, 1, 2, 4), "gooseflesh": (0, 3, 5),
}  # fmt: skip
LIST_SCALES = {"phq9": (9, 0, 3), "gad7": (7, 0, 3), "isi": (7, 0, 4), "sows": (16, 0, 4), "ess": (8, 0, 3),
               "promis-sd-8a": (8, 1, 5)}  # fmt: skip


def list_scale(rng: random.Random, instrument: str) -> Response:
    n, low, high = LIST_SCALES[instrument]
    items: list[int | None] = [rng.randint(low, high) for _ in range(n)]
    if instrument in {"phq9", "promis-sd-8a"} and rng.random() < 0.05:
        items[rng.randrange(n)] = None
    return instrument, {"items": items}


def sum_scale(rng: random.Random) -> Response:
    roll = rng.random()
    if roll < 0.12:
        return "cows", {"items": {k: rng.choice(v) for k, v in COWS_LEGAL.items()}}
    if roll < 0.2:
        return "dsm5-sud", {"criteria": [rng.random() < 0.3 for _ in range(11)]}
    return list_scale(rng, rng.choice(sorted(LIST_SCALES)))


def clock(rng: random.Random, start_hour: int, spread_hours: int) -> str:
    minutes = (start_hour * 60 + rng.randrange(spread_hours * 60)) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def other(rng: random.Random) -> Response:
    kind = rng.choice(["peg", "ocs", "craving-vas", "cows-pulse", "csd", "psqi"])
    if kind in {"peg", "ocs"}:
        return kind, {"items": [rng.randint(0, 10) for _ in range(3)]}
    if kind == "craving-vas":
        return kind, {"value": rng.randint(0, 100)}
    if kind == "cows-pulse":
        return kind, {"bpm": rng.randint(50, 140)}
    if kind == "csd":
        return kind, {"into_bed": clock(rng, 22, 2), "try_sleep": clock(rng, 0, 1), "sol_min": rng.randint(0, 60),
                      "nwak": rng.randint(0, 4), "waso_min": rng.randint(0, 60), "final_wake": clock(rng, 5, 2),
                      "out_of_bed": clock(rng, 7, 1), "quality": rng.randint(1, 5)}  # fmt: skip
    answers: Payload = {f"q5{c}": rng.randint(0, 3) for c in "abcdefghi"}
    answers |= {q: rng.randint(0, 3) for q in ("q6", "q7", "q8", "q9")}
    answers |= {"q1_bedtime": clock(rng, 22, 2), "q2_latency_min": rng.randint(0, 90), "q3_getup": clock(rng, 6, 2)}
    return kind, answers | {"q4_sleep_hours": rng.choice([5, 6, 6.5, 7, 7.5, 8])}


def mixed_stream(rng: random.Random, count: int) -> list[Response]:
    """80% sum scales, 18% other instruments, 2% malformed answers that must be refused."""
    stream: list[Response] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.8:
            stream.append(sum_scale(rng))
        elif roll < 0.98:
            stream.append(other(rng))
        else:
            stream.append(("phq9", {"items": [0, 0, 0, 0, 4, 0, 0, 0, 0]}))
    return stream


def timed(stream: list[Response], scorer: Callable[[str, Payload], dict[str, Any]]) -> tuple[float, int]:
    refused = 0
    start = time.perf_counter()
    for instrument, payload in stream:
        try:
            scorer(instrument, payload)
        except InstrumentError:
            refused += 1
    return time.perf_counter() - start, refused


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main() -> None:
    pin_to_one_core()
    rng = random.Random(SEED)
    instrument_ids()  # load and compile every definition before the clock starts
    mixed = mixed_stream(rng, RESPONSES)
    sums = [sum_scale(rng) for _ in range(RESPONSES)]
    timed(mixed[:2000], score)  # warm-up
    mixed_seconds, refused = timed(mixed, score)
    sum_seconds, _ = timed(sums, score)
    result = {
        "benchmark": "instrument scoring: mixed stream, one core",
        "responses": RESPONSES,
        "seconds": round(mixed_seconds, 4),
        "per_second": round(RESPONSES / mixed_seconds),
        "sum_scale_per_second": round(RESPONSES / sum_seconds),
        "refused": refused,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}".strip(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report(result, Counter(i for i, _ in mixed))


def report(result: dict[str, Any], mix: Counter[str]) -> None:
    table = Table(title="Instrument scoring benchmark (one core)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("responses (mixed stream)", f"{result['responses']:,}")
    table.add_row("refused (malformed, by design)", f"{result['refused']:,}")
    table.add_row("seconds", f"{result['seconds']:.3f}")
    table.add_row("mixed responses / s", f"{result['per_second']:,}")
    ok = result["sum_scale_per_second"] >= TARGET_SUM_SCALE_PER_SECOND
    verdict = "[green]meets[/]" if ok else "[red]below[/]"
    table.add_row(
        "sum-scale scorings / s", f"{result['sum_scale_per_second']:,} ({verdict} {TARGET_SUM_SCALE_PER_SECOND:,})"
    )
    table.add_row("mix", ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items())))
    table.add_row("python / machine", f"{result['python']} / {result['machine']}")
    console = Console()
    console.print(table)
    console.print(f"Wrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
