"""`morrow serve --workers N`: the parent process accepts and deals connections to its server processes in
turn (decision 0007), replaces a process that dies, and stops cleanly. Run for real: the command in a
subprocess, or the `Balancer` in this process with tiny applications from `tests/serving_apps.py`."""

from __future__ import annotations

import errno
import http.client
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from morrow.web.serving import Balancer
from tests.cli_helpers import free_port, run_morrow, start_serving

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")


def _children(pid: int) -> list[int]:
    """The server processes `pid` started (multiprocessing's resource tracker, also a child, is not one)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(child) for child in path.read_text().split()] if path.exists() else []
    return [child for child in children if b"spawn_main" in _cmdline(child)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _established_to(port: int, pid: int) -> int:
    """How many established TCP connections on local `port` process `pid` holds open."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held += 1
    return held


def _wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.1)


def _health(port: int) -> dict[str, object] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        body: dict[str, object] = json.loads(response.read())
        return body if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def _split(port: int, pids: tuple[int, ...], count: int) -> list[int]:
    """Open `count` connections one after another, get /health on each, and say how many each of `pids`
    holds while they are open."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(count)]
    try:
        for connection in connections:
            connection.request("GET", "/health")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        return [_established_to(port, pid) for pid in pids]
    finally:
        for connection in connections:
            connection.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`morrow serve --workers 2` on a fresh, migrated SQLite database, answering on a free port."""
    env = {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    assert run_morrow("db", "upgrade", env=env).returncode == 0
    port, log = free_port(), tmp_path / "serve.log"
    server = start_serving(env, port, 2, log)
    try:
        _wait_for(lambda: _health(port) is not None, 30, "morrow serve answers /health")
        yield server, port, log
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(30)


def test_kept_alive_connections_are_dealt_to_the_processes_in_turn(
    served: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    server, port, _log = served
    workers = _children(server.pid)
    assert len(workers) == 2
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(8)]
    try:
        for connection in connections:  # opened one after another, as eight clients starting together
            connection.request("GET", "/health")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        served_by = [_established_to(port, pid) for pid in workers]
        assert served_by == [4, 4]
        assert _established_to(port, server.pid) == 0  # the parent kept no copy of any
        for connection in connections:  # and each connection goes on being served, kept alive
            connection.request("GET", "/health")
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["status"] == "ok"
        assert [_established_to(port, pid) for pid in workers] == [4, 4]
    finally:
        for connection in connections:
            connection.close()


def test_a_process_that_dies_is_replaced_and_sigterm_stops_them_all(
    served: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    server, port, log = served
    first, second = _children(server.pid)
    os.kill(first, signal.SIGKILL)

    def replaced() -> bool:  # one reading of the children: the killed one may vanish between two
        children = _children(server.pid)
        return len(children) == 2 and first not in children

    _wait_for(replaced, 30, "a new server process replaces the killed one")
    (replacement,) = set(_children(server.pid)) - {second}
    # Once the new process says it is ready, it takes its turn again: four new connections, two each.
    _wait_for(lambda: _split(port, (second, replacement), 2) == [1, 1], 30, "the new process takes connections")
    assert _split(port, (second, replacement), 4) == [2, 2]
    server.send_signal(signal.SIGTERM)
    server.wait(60)
    output = log.read_text()
    assert server.returncode == 0, output
    assert f"Server process [{first}] ended" in output
    for pid in (second, replacement):
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _parent_log() -> Iterator[_Lines]:
    """What the parent process logs (uvicorn's error logger does not reach pytest's root handler)."""
    handler = _Lines()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _config(app: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, factory=True, host="127.0.0.1", port=port, log_level="warning")


def _run_with(balancer: Balancer, check: Callable[[], None]) -> tuple[int, list[BaseException]]:
    """Run `balancer` in this (the main) thread while `check` runs in another; then stop it."""
    failures: list[BaseException] = []

    def checking() -> None:
        try:
            check()
        except BaseException as exc:
            failures.append(exc)
        finally:
            balancer.stop()

    thread = threading.Thread(target=checking, daemon=True)
    thread.start()
    code = balancer.run()
    thread.join(30)
    return code, failures


def test_an_application_that_cannot_start_stops_the_server_with_code_3() -> None:
    balancer = Balancer(_config("tests.serving_apps:broken", free_port()), 2)
    watchdog = threading.Timer(60, balancer.stop)  # a server that kept restarting would be stopped here
    watchdog.start()
    with _parent_log() as log:
        started = time.monotonic()
        code = balancer.run()
    watchdog.cancel()
    assert code == 3
    assert time.monotonic() - started < 60
    assert any("failed to start" in line and "stopping" in line for line in log.lines)
    assert not any("starting another" in line for line in log.lines)  # no restart loop
    assert all(not worker.process.is_alive() for worker in balancer.workers)


def test_a_replacement_that_cannot_start_is_retried_while_the_server_lives_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "marked"
    monkeypatch.setenv("MORROW_TEST_MARKER", str(marker))
    port = free_port()
    balancer = Balancer(_config("tests.serving_apps:fails_while_marked", port), 1)

    def check() -> None:
        _wait_for(lambda: _health(port) is not None, 30, "the server answers")
        body = _health(port)
        assert body is not None
        marker.touch()  # from now on a new process cannot start
        os.kill(int(str(body["pid"])), signal.SIGKILL)
        _wait_for(lambda: any("trying again" in line for line in log.lines), 30, "a failed start is retried")
        assert balancer.exit_code == 0  # the parent did not give up
        marker.unlink()  # the cause is gone: the next attempt starts
        _wait_for(lambda: _health(port) is not None, 30, "the server answers again")
        again = _health(port)
        assert again is not None
        assert again["pid"] != body["pid"]

    with _parent_log() as log:
        code, failures = _run_with(balancer, check)
    assert not failures, failures
    assert code == 0
    assert any("ended (exit code -9); starting another" in line for line in log.lines)


def test_server_processes_stop_when_the_parent_is_killed(served: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    """No orphans: a parent killed outright (no chance to stop them) closes their channels, and each process
    then finishes what it was doing and exits."""
    server, _port, _log = served
    workers = _children(server.pid)
    assert len(workers) == 2
    server.kill()
    server.wait(10)

    def gone(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        return state == "Z"

    _wait_for(lambda: all(gone(pid) for pid in workers), 30, "the server processes exit")


def _started_processes(balancer: Balancer, count: int) -> list[int]:
    _wait_for(
        lambda: len(balancer.workers) == count and all(w.process.pid for w in balancer.workers),
        30,
        f"{count} server processes started",
    )
    return [int(w.process.pid or 0) for w in balancer.workers]


def test_a_process_killed_while_starting_is_replaced_not_taken_for_a_broken_application() -> None:
    port = free_port()
    balancer = Balancer(_config("tests.serving_apps:slow_to_start", port), 1)

    def check() -> None:
        (starting,) = _started_processes(balancer, 1)
        os.kill(starting, signal.SIGKILL)  # long before its two-second start is over
        _wait_for(lambda: _health(port) is not None, 60, "a replacement serves")
        assert balancer.exit_code == 0

    with _parent_log() as log:
        code, failures = _run_with(balancer, check)
    assert not failures, failures
    assert code == 0
    assert any("ended while starting (exit code -9); trying again" in line for line in log.lines), log.lines


def test_stopping_while_the_processes_start_is_a_clean_stop() -> None:
    """Ctrl+C, or a service manager's stop, reaches every process of the group at once: processes ended by
    that signal while starting are not a failure to start, and the server exits 0."""
    balancer = Balancer(_config("tests.serving_apps:slow_to_start", free_port()), 2)

    def check() -> None:
        for pid in _started_processes(balancer, 2):
            os.kill(pid, signal.SIGTERM)
        balancer.stop()

    with _parent_log() as log:
        code, failures = _run_with(balancer, check)
    assert not failures, failures
    assert code == 0, log.lines
    assert not any("failed to start" in line for line in log.lines)


def test_a_request_under_way_is_answered_before_the_server_stops() -> None:
    port = free_port()
    balancer = Balancer(_config("tests.serving_apps:healthy", port), 1)
    answers: list[tuple[int, dict[str, object]]] = []

    def slow_request() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/slow")
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))
        connection.close()

    def check() -> None:
        _wait_for(lambda: _health(port) is not None, 30, "the server answers")
        request = threading.Thread(target=slow_request)
        request.start()
        time.sleep(0.5)  # the request is being served (it takes 1.5 s) when the stop comes
        balancer.stop()
        request.join(30)

    code, failures = _run_with(balancer, check)
    assert not failures, failures
    assert code == 0
    assert [(status, body["status"]) for status, body in answers] == [(200, "done")]


def test_ctrl_c_while_the_server_starts_stops_it_cleanly(tmp_path: Path) -> None:
    """Ctrl+C in a terminal signals the parent and every server process at once. Stopped while the processes
    are still starting, `morrow serve` exits 0: not the start-up failure code, which scripts read as broken."""
    env = {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    assert run_morrow("db", "upgrade", env=env).returncode == 0
    log_path = tmp_path / "serve.log"
    # Its own process group, as a terminal gives it.
    server = start_serving(env, free_port(), 2, log_path, start_new_session=True)
    try:
        _wait_for(lambda: len(_children(server.pid)) == 2, 30, "the server processes are started")
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(60) == 0, log_path.read_text()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    assert "failed to start" not in log_path.read_text()


class _Listener:
    """A listening socket whose `accept` fails as the kernel can: each error in turn, then nothing waits."""

    def __init__(self, *errors: OSError) -> None:
        self.errors = list(errors)

    def accept(self) -> tuple[object, object]:
        raise self.errors.pop(0) if self.errors else BlockingIOError()


@pytest.mark.parametrize(
    ("error", "keeps_accepting"),
    [
        (ConnectionAbortedError(errno.ECONNABORTED, "aborted"), True),  # one client gave up: skip it
        (OSError(errno.EPROTO, "protocol error"), True),  # that one connection's error
        (OSError(errno.EMFILE, "too many open files"), False),  # out of resources: pause
        (OSError(errno.ENOBUFS, "no buffer space"), False),
    ],
)
def test_only_running_out_of_resources_pauses_accepting(error: OSError, keeps_accepting: bool) -> None:
    balancer = Balancer(uvicorn.Config("tests.serving_apps:healthy"), 2)
    assert balancer._accept(_Listener(error)) is keeps_accepting  # type: ignore[arg-type]
