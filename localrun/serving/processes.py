"""Child processes that never outlive the local runtime: spawn, wait for the port, stop the group."""

from __future__ import annotations

import ctypes
import functools
import io
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import IO, Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Any:
    # Resolved once, here: the child calls it between fork and exec, where it must not import.
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _load_prctl()
_SIGTERM = int(signal.SIGTERM)


def _die_with_parent(parent_pid: int) -> None:
    """Runs in the child before exec: SIGTERM it when the parent dies, even by SIGKILL."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, _SIGTERM, 0, 0, 0)
    # The parent may have died before prctl took effect: then nobody would ever signal us.
    if os.getppid() != parent_pid:
        os._exit(1)


_Job = tuple[Sequence[str], dict[str, Any], "Future[subprocess.Popen[bytes]]"]


class Spawner:
    """Forks every child from one long-lived thread.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process;
    forking from a short-lived request thread would kill the function with that thread.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="localrun-spawner", daemon=True)
        self._thread.start()

    def spawn(self, argv: Sequence[str], **popen_kwargs: Any) -> subprocess.Popen[bytes]:
        """Return a started child in its own session that dies with this process; raise OSError."""
        future: Future[subprocess.Popen[bytes]] = Future()
        with self._lock:
            if self._closed:
                raise OSError("the spawner is closed")
            self._queue.put((argv, popen_kwargs, future))
        return future.result(timeout=30)

    def close(self) -> None:
        """Stop the spawner thread once queued spawns are done (its children then get SIGTERM)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            argv, kwargs, future = item
            try:
                proc = subprocess.Popen(
                    argv,
                    start_new_session=True,
                    preexec_fn=functools.partial(_die_with_parent, os.getpid()),
                    **kwargs,
                )
            except BaseException as exc:  # handed to the waiting caller, never lost
                future.set_exception(exc)
            else:
                future.set_result(proc)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_listening(proc: subprocess.Popen[bytes], host: str, port: int, timeout: float) -> str | None:
    """Return None once port accepts connections, else why not (exited, or timed out)."""
    deadline = time.monotonic() + timeout
    while True:
        rc = proc.poll()
        if rc is not None:
            return f"exited with code {rc} before listening (see its log output)"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            # An accepted connection is enough: gunicorn queues it until the worker is up.
            if s.connect_ex((host, port)) == 0:
                return None
        if time.monotonic() >= deadline:
            return f"did not listen on {host}:{port} within {timeout:g} s"
        time.sleep(0.005)


def terminate(procs: Sequence[subprocess.Popen[bytes]], grace: float = 5.0) -> None:
    """SIGTERM each child's process group, SIGKILL what is left after grace seconds, reap all."""
    for proc in procs:
        _killpg(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _killpg(proc, signal.SIGKILL)
            proc.wait(timeout=5)
        # Workers of a leader that has exited would otherwise be orphaned.
        _killpg(proc, signal.SIGKILL)


def _killpg(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def output_streams(log_to: IO[Any] | None) -> tuple[Any, Any, bool]:
    """Return (stdout, stderr, needs_pump) for Popen: the parent's stderr, a real file, or a pump."""
    if log_to is None:
        return 2, 2, False
    try:
        fd = log_to.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return subprocess.PIPE, subprocess.STDOUT, True
    log_to.flush()
    return fd, fd, False


def pump(stream: IO[bytes], log_to: IO[Any]) -> threading.Thread:
    """Copy a child's output into a file-like without a descriptor (pytest capture, StringIO)."""
    text = isinstance(log_to, io.TextIOBase)

    def run() -> None:
        for line in iter(stream.readline, b""):
            try:
                log_to.write(line.decode("utf-8", "replace") if text else line)
                log_to.flush()
            except (ValueError, OSError):  # the target was closed: keep draining the pipe
                pass
        stream.close()

    thread = threading.Thread(target=run, name="localrun-log-pump", daemon=True)
    thread.start()
    return thread
