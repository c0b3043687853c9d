"""Web load benchmark (loopback only, bounded): check-ins from 8 concurrent clients, a patient's
one-year timeline, and the triage console, against the real server (`morrow serve`) on 127.0.0.1.

Writes bench/results/web.json. The 1,000-patient x 180-day clinic is built once and cached in
bench/.cache (see web_clinic.py); delete that folder to rebuild it.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.web_clinic import PASSWORD, build  # noqa: E402

PATIENTS, DAYS = 1_000, 180
CLIENTS, CHECKINS_PER_CLIENT = 8, 150
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # one server process per core of this 2-core machine
TIMELINE_RUNS, TRIAGE_RUNS = 200, 100  # enough requests for a p95 that one slow request does not decide
CLIENT = os.environ.get("BENCH_CLIENT", "raw")  # "http.client": the standard library's, for comparison
TARGETS = {"checkins_per_second": 1000, "checkin_p95_ms": 30, "timeline_p95_ms": 20, "triage_p95_ms": 150}
console = Console()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Client:
    def __init__(self, port: int, token: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any, float]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        self.connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, json.loads(data) if data else None, elapsed


class LoadClient:
    """The check-in clients' HTTP/1.1 over one keep-alive connection: each request written as bytes, each
    answer read by its Content-Length (as load generators such as wrk do). `http.client` parses every
    answer's headers with the `email` package: about 0.2 ms of CPU a request, taken from the same two
    cores the server runs on (a phone sending its check-in costs the server nothing of the kind).
    `BENCH_CLIENT=http.client` runs the check-ins with `Client` instead, for comparison."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any, float]:
        content = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if self.token:
            head += f"Authorization: Bearer {self.token}\r\n"
        request = f"{head}Content-Length: {len(content)}\r\n\r\n".encode() + content
        started = time.perf_counter()
        self.socket.sendall(request)
        while b"\r\n\r\n" not in self.pending:
            self.pending += self._received()
        answer_head, _, rest = self.pending.partition(b"\r\n\r\n")
        status = int(answer_head[9:12])
        found = re.search(rb"(?im)^content-length:[ \t]*([0-9]+)", answer_head)
        if found is None:
            raise SystemExit(f"{method} {path}: an answer without Content-Length: {answer_head!r}")
        length = int(found.group(1))
        while len(rest) < length:
            rest += self._received()
        data, self.pending = rest[:length], rest[length:]
        elapsed = (time.perf_counter() - started) * 1000
        return status, json.loads(data) if data else None, elapsed

    def _received(self) -> bytes:
        data = self.socket.recv(65536)
        if not data:
            raise SystemExit("the server closed a check-in connection")
        return data


def token(port: int, email: str) -> tuple[str, int | None]:
    status, body, _ = Client(port).call("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})
    assert status == 201, (status, body)
    return body["token"], body["patient_id"]


def pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 2)


def patient_tokens(url: str) -> list[tuple[str, int]]:
    """A signed-in API session for every patient of the clinic: the morning rush is many patients each
    sending their own daily SOWS, not a few sending hundreds. Accounts and sessions are written directly
    (setup, not measured; the sign-in path is exercised by `token` below)."""
    import hashlib
    import secrets

    from sqlalchemy import select

    from morrow.db.engine import make_engine, make_sessionmaker
    from morrow.db.models import Patient, User, UserSession

    engine = make_engine(url)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as session, session.begin():
        template = session.scalars(select(User).where(User.email == "p0@bench.test")).one()
        have = {u.patient_id: u for u in session.scalars(select(User).where(User.role == "patient")) if u.patient_id}
        for patient_id in session.scalars(select(Patient.id).order_by(Patient.id)):
            if patient_id not in have:
                have[patient_id] = User(
                    email=f"patient{patient_id}@bench.test", display_name=f"Patient {patient_id}", role="patient",
                    password_hash=template.password_hash, patient_id=patient_id,
                )  # fmt: skip
                session.add(have[patient_id])
        session.flush()
        tokens = []
        for owner, user in sorted(have.items()):
            bearer = secrets.token_urlsafe(32)
            session.add(
                UserSession(
                    token_hash=hashlib.sha256(bearer.encode()).hexdigest(),
                    user_id=user.id,
                    csrf_token=secrets.token_urlsafe(32),
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=12),
                    ip="127.0.0.1",
                    user_agent="bench",
                )
            )
            tokens.append((bearer, owner))
    engine.dispose()
    return tokens


def checkins(port: int, tokens: list[tuple[str, int]]) -> dict[str, Any]:
    """8 clients, each sending 150 check-ins, each time as the next of its share of the patients."""
    latencies: list[float] = []
    errors: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    now = datetime.now(UTC)

    def run(index: int) -> None:
        mine = tokens[index::CLIENTS]
        client: Client | LoadClient = Client(port) if CLIENT == "http.client" else LoadClient(port)
        barrier.wait()
        for n in range(CHECKINS_PER_CLIENT):
            client.token, patient_id = mine[n % len(mine)]
            body = {  # the daily SOWS: a questionnaire the safety rules read, so each one is evaluated
                "instrument": "sows",
                "answers": {"items": [(n + i) % 3 for i in range(16)]},
                "administered_at": (now - timedelta(seconds=n)).isoformat(),
                "idempotency_key": f"bench-{index}-{n}-{int(now.timestamp())}",
            }
            status, answer, ms = client.call("POST", f"/api/v1/patients/{patient_id}/checkins", body)
            with lock:
                latencies.append(ms)
                if status not in (200, 201):
                    errors.append((status, answer))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    cpu_before = time.process_time()  # the clients' CPU: they share the machine's two cores with the server
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    seconds = time.perf_counter() - started
    clients_cpu = time.process_time() - cpu_before
    if errors:
        raise SystemExit(f"check-ins failed: {errors[:3]}")
    return {
        "checkins": len(latencies),
        "seconds": round(seconds, 3),
        "checkins_per_second": round(len(latencies) / seconds, 1),
        "checkin_p50_ms": pct(latencies, 50),
        "checkin_p95_ms": pct(latencies, 95),
        "checkin_clients_cpu_seconds": round(clients_cpu, 2),
    }


def worker_cpu_seconds(server: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds used so far by each process the server started (Linux /proc; empty elsewhere). The
    parent deals the 8 keep-alive connections out in turn (decision 0007), so the two processes should
    get 4 and 4 and about the same CPU; a lopsided split would decide much of a run's result, so it is
    recorded."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[int, float] = {}
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        for child in map(int, children):
            for pid in [child, *map(int, Path(f"/proc/{child}/task/{child}/children").read_text().split())]:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                used[pid] = (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return {}
    return used


def reads(port: int, path: str, runs: int, bearer: str) -> list[float]:
    client = Client(port, bearer)
    client.call("GET", path)  # warm-up
    times = []
    for _ in range(runs):
        status, body, ms = client.call("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {body}")
        times.append(ms)
    return times


def host_loop_ms() -> float:
    """How fast this machine runs plain Python right now: the best of five 2,000,000-step loops, in ms,
    taken before and after the run. This 2-core virtual machine has run the same code at half its usual
    speed for minutes at a time; this number caught some of those spells, not all (a server's work
    leans on memory more than a loop does), so it qualifies a result rather than corrects it."""
    best = float("inf")
    for _ in range(5):
        started, total = time.perf_counter(), 0
        for step in range(2_000_000):
            total += step
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def database_url() -> str:
    """BENCH_DATABASE_URL (an empty PostgreSQL database, built on first use), or a copy of the cached SQLite
    clinic, so that every SQLite run starts from the same data."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        from sqlalchemy import inspect

        from morrow.db.engine import make_engine

        if "patients" not in inspect(make_engine(given)).get_table_names():
            with console.status("Building the benchmark clinic in the given database"):
                build(given, PATIENTS, DAYS, lambda what: None)
        from morrow.db.migrate import upgrade

        upgrade(make_engine(given))
        return given
    cache = HERE / ".cache" / f"web-{PATIENTS}x{DAYS}.db"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(".partial")
        for leftover in cache.parent.glob(partial.name + "*"):
            leftover.unlink()
        with console.status("Building the benchmark clinic (once)") as status:
            build(partial, PATIENTS, DAYS, lambda what: status.update(f"Building the benchmark clinic: {what}"))
        partial.rename(cache)
    work = HERE / ".cache" / "web-run.db"
    for stale in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        stale.unlink(missing_ok=True)  # a WAL left by the last run would be replayed onto the fresh copy
    shutil.copyfile(cache, work)  # every run starts from the same clinic
    url = f"sqlite:///{work}"
    from morrow.db.engine import make_engine
    from morrow.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)  # the cached clinic may predate the newest migrations
    engine.dispose()
    return url


def main() -> int:
    speed_before = host_loop_ms()
    url = database_url()
    tokens = patient_tokens(url)
    port = free_port()
    env = {**os.environ, "MORROW_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "morrow", "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if Client(port).call("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        before = worker_cpu_seconds(server)
        results = checkins(port, tokens)
        after = worker_cpu_seconds(server)
        busy = sorted((round(after[pid] - before.get(pid, 0.0), 2) for pid in after), reverse=True)
        results["checkin_worker_cpu_seconds"] = [seconds for seconds in busy if seconds > 0.05]
        bob, _ = token(port, "bob@bench.test")
        # A patient's one-year timeline in one page (all 180 days of history: about 900 entries).
        timeline = reads(port, "/api/v1/patients/500/timeline?days=365", TIMELINE_RUNS, bob)
        triage = reads(port, "/api/v1/triage", TRIAGE_RUNS, bob)
    finally:
        server.terminate()
        server.wait(10)
    results |= {
        "timeline_p50_ms": pct(timeline, 50),
        "timeline_p95_ms": pct(timeline, 95),
        "triage_p50_ms": pct(triage, 50),
        "triage_p95_ms": pct(triage, 95),
    }
    record = {
        "benchmark": "web: daily SOWS check-ins from 8 clients, a one-year timeline, triage of 1,000 patients",
        "clinic": f"{PATIENTS} patients x {DAYS} days",
        "clients": CLIENTS,
        "client": "http.client" if CLIENT == "http.client" else "raw HTTP/1.1 (LoadClient)",
        "server_processes": WORKERS,
        "database": url.split(":", 1)[0],
        **results,
        "targets": TARGETS,
        "host_loop_ms": {"before": speed_before, "after": host_loop_ms()},
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (HERE / "results").mkdir(exist_ok=True)
    name = "web.json" if record["database"] == "sqlite" else "web-postgresql.json"
    (HERE / "results" / name).write_text(json.dumps(record, indent=2) + "\n")
    table = Table(title=f"Web load (loopback, {WORKERS} server processes, {record['database']})")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("target", justify="right")
    for key, target in TARGETS.items():
        table.add_row(key, str(results[key]), f"{'>=' if 'per_second' in key else '<='} {target}")
    console.print(table)
    speed = record["host_loop_ms"]
    clients_cpu_seconds = results["checkin_clients_cpu_seconds"]
    console.print(
        f"Host speed: a 2,000,000-step Python loop took {speed['before']} ms before, {speed['after']} ms after"
    )
    console.print(f"CPU seconds of each server process during the check-ins: {results['checkin_worker_cpu_seconds']}")
    console.print(f"CPU seconds of the 8 clients (this process) during the check-ins: {clients_cpu_seconds}")
    console.print(f"Wrote bench/results/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
