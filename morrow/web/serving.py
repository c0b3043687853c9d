"""`morrow serve --workers N`: one parent process accepts every connection and hands each to the next of N
server processes in turn, so that each process holds its share of the open connections.

Why not uvicorn's own `--workers`: there every process listens on the shared socket, and the one whose
event loop wakes first accepts all the connections waiting (its loop accepts until none are left). Kept-alive
connections opened together (a phone app's, a proxy's, a study tool's) then fall unevenly: measured with 8
clients and 2 processes, the split was 4 + 4 in about a quarter of runs, 5 + 3 in almost half and 6 + 2 in
the rest, with 4 processes as bad as 6 + 2 + 0 + 0. A process runs one patient write at a time on its event
loop (decision 0005), so the busier process sets everyone's latency while the other idles. Handing out the
connections in turn makes the split even every time (decision 0007).

How: the parent binds and listens, accepts, and passes each connection's file descriptor to a server process
over a Unix socket (`SCM_RIGHTS`); the process wraps it in uvicorn's own HTTP protocol, exactly as if it had
accepted it itself, and serves it until it closes. Requests never pass through the parent. The parent
starts the processes and starts a new one if one dies. If a process exits on its own while starting
before any process has ever served, the application is broken: the parent stops with uvicorn's start-up
failure code, 3. Later failed starts are retried with a growing pause. On SIGINT or SIGTERM the parent
stops accepting, lets each process finish its requests (uvicorn's graceful shutdown) and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")

_SPAWN = multiprocessing.get_context("spawn")
_TICK = 0.2  # seconds between the parent's checks of its processes and of a stop signal
_ACCEPT_PAUSE = 1.0  # seconds without accepting after accept() failed (e.g. out of file descriptors)
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})  # as asyncio pauses for
_ACCEPT_BATCH = 64  # connections accepted per wake-up before the parent looks at its processes again
_STOP_GRACE = 30.0  # seconds a process may take to finish its requests after SIGTERM before it is killed
_START_WAIT = 60.0  # seconds the parent waits for every process to start before it accepts with those ready
_RETRY_MAX = 30.0  # seconds at most between attempts to replace a process whose replacements fail to start


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server that serves connections handed to it over `channel` instead of accepting them."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel
        self._taking: set[asyncio.Task[object]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        config, state = self.config, self.lifespan.state

        def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
            protocol: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=state, _loop=_loop
            )
            return protocol

        loop = asyncio.get_running_loop()
        self.servers = []
        self._channel.setblocking(False)
        loop.add_reader(self._channel.fileno(), self._receive, loop, create_protocol)
        try:
            self._channel.send(b"r")  # ready: the parent may now prefer this process
        except OSError:  # the parent is stopping (or gone) already: stop too, through the usual shutdown
            self.should_exit = True
        self.started = True

    def _receive(self, loop: asyncio.AbstractEventLoop, create_protocol: Callable[..., asyncio.Protocol]) -> None:
        while True:
            try:
                data, fds, _flags, _address = socket.recv_fds(self._channel, 1, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # the channel broke: the parent is gone
                logger.error("Lost the parent process's channel (%s); shutting down.", exc)
                data, fds = b"", []
            if not data and not fds:  # end of file: the parent closed the channel, so stop
                loop.remove_reader(self._channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                task = loop.create_task(loop.connect_accepted_socket(create_protocol, connection))
                self._taking.add(task)  # held until done, so it is not collected half-way
                task.add_done_callback(self._handed)

    def _handed(self, task: asyncio.Task[object]) -> None:
        self._taking.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("Could not take over a connection: %s", task.exception())

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._channel.fileno() != -1:
            asyncio.get_running_loop().remove_reader(self._channel.fileno())
        self._channel.close()
        # Connections received but not yet wrapped join the others first, so that uvicorn's shutdown closes
        # them too (one left out would hold this process until the parent kills it).
        await asyncio.gather(*self._taking, return_exceptions=True)
        await super().shutdown(sockets)


def _serve_handed(config: uvicorn.Config, channel: socket.socket) -> None:  # runs in a server process
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C reaches the whole group; the parent reports it
        HandedConnectionsServer(config, channel).run()


@dataclass
class _Worker:
    process: SpawnProcess
    channel: socket.socket  # the parent's end of the Unix socket pair
    ready: bool = False  # the process said it is serving (one byte on the channel)
    ended: bool = False  # the process has ended and been reaped


class Balancer:
    """The parent process: listens on the configured address and deals connections out in turn."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers: at least one server process is needed")
        self.config = config
        self.workers_wanted = workers
        self.workers: list[_Worker] = []
        self.exit_code = 0
        self._stopping = False
        self._next = 0
        self._ever_ready = False
        self._failed_starts = 0  # replacements in a row that ended before they were ready
        self._retry_at = 0.0  # no replacement is started before this (monotonic clock)

    # --- processes -------------------------------------------------------------------------------------

    def _start_worker(self, selector: selectors.BaseSelector) -> _Worker:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = _SPAWN.Process(target=_serve_handed, args=(self.config, child_end), daemon=False)
        process.start()
        child_end.close()
        parent_end.setblocking(False)
        worker = _Worker(process, parent_end)
        selector.register(parent_end, selectors.EVENT_READ, worker)
        return worker

    def _heard_from(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        """The process wrote on its channel: it is ready, or (end of file) it has gone."""
        try:
            data = worker.channel.recv(16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            worker.ready = True
            self._ever_ready = True
            self._failed_starts = 0
        else:  # gone: stop watching the channel; `_replace_dead` reaps the process
            self._close_channel(worker, selector)

    @staticmethod
    def _close_channel(worker: _Worker, selector: selectors.BaseSelector) -> None:
        if worker.channel.fileno() != -1:
            selector.unregister(worker.channel)
            worker.channel.close()

    def _replace_dead(self, selector: selectors.BaseSelector) -> None:
        if self._stopping:  # a signal to the whole group (Ctrl+C, a service stop) ends the processes too
            return
        for index, worker in enumerate(self.workers):
            if not worker.ended:
                if worker.process.is_alive():
                    continue
                worker.process.join()
                worker.ended = True
                self._close_channel(worker, selector)
                code = worker.process.exitcode
                if worker.ready:
                    logger.warning(
                        "Server process [%d] ended (exit code %s); starting another.", worker.process.pid, code
                    )
                elif not self._ever_ready and code is not None and code >= 0:
                    # It exited on its own before any process ever served: the application cannot start (a
                    # setting, a migration), and every attempt would fail alike.
                    logger.error(
                        "Server process [%d] failed to start (exit code %s); stopping. Its error is above.",
                        worker.process.pid,
                        code,
                    )
                    self.exit_code = STARTUP_FAILURE
                    self._stopping = True
                    return
                else:  # it failed, or was killed, while starting: try again, less and less often
                    self._backoff(f"Server process [{worker.process.pid}] ended while starting (exit code {code})")
            if time.monotonic() >= self._retry_at:
                try:
                    self.workers[index] = self._start_worker(selector)
                except OSError as exc:  # no file descriptors or memory for a process just now
                    self._backoff(f"Could not start a server process ({exc})")

    def _backoff(self, what: str) -> None:
        self._failed_starts += 1
        delay = min(_RETRY_MAX, 2.0**self._failed_starts)
        self._retry_at = time.monotonic() + delay
        logger.error("%s; trying again in %.0f s.", what, delay)

    def _stop_workers(self) -> None:
        for worker in self.workers:
            worker.channel.close()  # end of file on the channel: the process stops taking connections
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn finishes the requests under way, then exits
        deadline = time.monotonic() + _STOP_GRACE
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                logger.error("Server process [%d] did not stop in time; killing it.", worker.process.pid)
                worker.process.kill()
                worker.process.join()

    # --- connections -----------------------------------------------------------------------------------

    def _hand_out(self, connection: socket.socket) -> None:
        """Give `connection` to the next process in turn that is serving (or, while none is yet, to the next
        one alive: it waits on the channel until that process starts). A process whose channel is full or
        broken is skipped. If none can take it, the connection is closed: refused, not left hanging."""
        count = len(self.workers)
        for want_ready in (True, False):
            for step in range(count):
                worker = self.workers[(self._next + step) % count]
                if (want_ready and not worker.ready) or worker.channel.fileno() == -1:
                    continue
                try:
                    socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                except OSError:
                    continue
                self._next = (self._next + step + 1) % count
                return
        logger.error("No server process could take a connection; closing it.")

    def _accept(self, listener: socket.socket) -> bool:
        """Accept what is waiting and hand it out; False if accepting failed (e.g. too many open files), so
        that the caller pauses accepting for a while and keeps serving what is open."""
        for _ in range(_ACCEPT_BATCH):
            try:
                connection, _address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return True
            except ConnectionAbortedError:
                continue  # the client gave up before it was accepted: nothing to serve (as asyncio's own accept)
            except OSError as exc:
                if exc.errno in _OUT_OF_RESOURCES:
                    logger.error("Could not accept a connection (%s); pausing for %.0f s.", exc, _ACCEPT_PAUSE)
                    return False
                logger.warning("Could not accept a connection (%s).", exc)  # that one connection's error
                return True
            with connection:  # the process holds its own copy once handed; this one is closed
                self._hand_out(connection)
        return True

    # --- main loop -------------------------------------------------------------------------------------

    def _all_started(self, since: float) -> bool:
        """Whether to start accepting: once every process is serving, so that the first connections are dealt
        out evenly too (until then they wait in the listening socket's queue), or after `_START_WAIT` seconds
        if at least one is."""
        ready = [worker.ready for worker in self.workers]
        return all(ready) or (any(ready) and time.monotonic() - since > _START_WAIT)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def stop(self) -> None:
        """Stop as SIGTERM would (from another thread; `run` returns within `_TICK` seconds plus the
        processes' graceful shutdown)."""
        self._stopping = True

    def run(self) -> int:
        """Serve until SIGINT or SIGTERM. Returns the exit code: 0, or 3 (uvicorn's start-up failure) if a
        process failed before any had started serving."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        listener = self.config.bind_socket()
        try:
            with selectors.DefaultSelector() as selector:
                listener.listen(self.config.backlog)
                listener.setblocking(False)
                logger.info("Started parent process [%d]", os.getpid())
                started = time.monotonic()
                for _ in range(self.workers_wanted):  # one by one, so that those started are stopped on error
                    self.workers.append(self._start_worker(selector))
                accepting, resume_at = False, 0.0
                while not self._stopping:
                    if not accepting and self._all_started(started) and time.monotonic() >= resume_at:
                        selector.register(listener, selectors.EVENT_READ)
                        accepting = True
                    for key, _events in selector.select(_TICK):
                        if key.fileobj is not listener:
                            self._heard_from(key.data, selector)
                        elif not self._accept(listener):
                            selector.unregister(listener)
                            accepting, resume_at = False, time.monotonic() + _ACCEPT_PAUSE
                    self._replace_dead(selector)
        finally:
            listener.close()
            self._stop_workers()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            logger.info("Stopping parent process [%d]", os.getpid())
        return self.exit_code
