"""A MongoDB-compatible server on 127.0.0.1 for local runs and tests.

Order of preference: ``MONGODB_URI`` if set (nothing is started), else ``mongod``
if it is on PATH, else FerretDB 1.24 built once into ``.cache/bin``, storing
its data in a private PostgreSQL cluster when PostgreSQL is installed (see
``infra/postgres.py`` for why) and in SQLite files otherwise. Starting is
idempotent: a running server recorded in the data folder is reused. Usage::

    python -m infra.localdb start   # prints the URI
    python -m infra.localdb stop
    python -m infra.localdb status
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from infra import postgres
from infra.postgres import Cluster

ROOT = Path(__file__).resolve().parent.parent
CACHE_BIN = ROOT / ".cache" / "bin"
DEV_DATA = ROOT / ".cache" / "localdb"
DEV_PORT = 27017
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"


@dataclass(frozen=True)
class Server:
    uri: str
    pid: int | None  # None when we did not start it
    postgres: Cluster | None = None  # FerretDB's storage, when it uses PostgreSQL

    def stop(self) -> None:
        if self.pid:
            terminate(self.pid)
        if self.postgres:
            self.postgres.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ping(uri: str, timeout_ms: int = 500) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def ferretdb_binary() -> Path:
    """The FerretDB binary, built on first use (takes a few minutes once).

    A plain ``go install module@version`` builds a binary that panics at start:
    the module archive lacks the ``build/version/version.txt`` that FerretDB's
    release process generates. So the module is downloaded with the Go tool,
    copied, given that file, and built.
    """
    binary = CACHE_BIN / "ferretdb"
    if binary.exists():
        return binary
    if shutil.which("go") is None:
        raise SystemExit("neither mongod nor Go is installed: install Go or set MONGODB_URI")
    print(
        f"building FerretDB {FERRETDB_VERSION} into {CACHE_BIN} (first run only)...",
        file=sys.stderr,
    )
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    listing = subprocess.run(
        ["go", "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    module_dir = Path(json.loads(listing.stdout)["Dir"])
    source = ROOT / ".cache" / "src" / f"ferretdb-{FERRETDB_VERSION}"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(module_dir, source)
    for path in [source, *source.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    CACHE_BIN.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["go", "build", "-trimpath", "-o", str(binary), "./cmd/ferretdb"],
        check=True,
        cwd=source,
        env=env,
    )
    return binary


def backend() -> str:
    """mongod when installed, else FerretDB on PostgreSQL when installed, else
    FerretDB on SQLite; ``FERRETDB_BACKEND=sqlite|postgresql`` chooses for FerretDB."""
    if shutil.which("mongod"):
        return "mongod"
    wanted = os.environ.get("FERRETDB_BACKEND", "")
    if wanted not in ("", "sqlite", "postgresql"):
        raise SystemExit(f"FERRETDB_BACKEND={wanted!r}: use sqlite or postgresql")
    if wanted == "sqlite" or (not wanted and postgres.bin_dir() is None):
        return "sqlite"
    return "postgresql"


def ferretdb_command(data_dir: Path, port: int, storage: list[str]) -> list[str]:
    state_dir = data_dir / "state"
    state_dir.mkdir(parents=True, exist_ok=True)
    return [
        str(ferretdb_binary()),
        *storage,
        f"--listen-addr=127.0.0.1:{port}",
        # Its defaults report to a public beacon, bind port 8088 and write state
        # into the current folder.
        "--telemetry=disable",
        "--debug-addr=-",
        f"--state-dir={state_dir}",
        "--log-level=error",
    ]


def _postgresql_storage(cluster: Cluster) -> list[str]:
    return ["--handler=postgresql", f"--postgresql-url={cluster.url}"]


def server_command(data_dir: Path, port: int) -> tuple[list[str], Cluster | None]:
    kind = backend()
    if kind == "mongod":
        db_path = data_dir / "mongod"
        db_path.mkdir(parents=True, exist_ok=True)
        mongod = str(shutil.which("mongod"))
        command = [mongod, "--dbpath", str(db_path), "--bind_ip", "127.0.0.1", "--port", str(port)]
        return command, None
    if kind == "postgresql":
        cluster = postgres.create(data_dir / "postgres", free_port())
        if cluster is not None:
            cluster.start()
            return ferretdb_command(data_dir, port, _postgresql_storage(cluster)), cluster
        print("PostgreSQL cannot run here; FerretDB uses SQLite", file=sys.stderr)
    sqlite_dir = data_dir / "sqlite"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    storage = ["--handler=sqlite", f"--sqlite-url=file:{sqlite_dir}/"]
    return ferretdb_command(data_dir, port, storage), None


def spawn(data_dir: Path, port: int, timeout: float = 30.0) -> Server:
    """Start a fresh server in ``data_dir`` and wait until it answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command, cluster = server_command(data_dir, port)
    return _launch(command, data_dir, port, cluster, timeout)


def restart(data_dir: Path, server: Server, timeout: float = 30.0) -> Server:
    """Start ``server`` (spawned in ``data_dir``) again on its port and its data,
    once its process has stopped (a database outage, in tests). Only the process
    that speaks the MongoDB protocol starts again: FerretDB's PostgreSQL cluster
    is kept (and started if it stopped too). Stop the returned server when done."""
    port = urlsplit(server.uri).port
    if server.pid is None or port is None:
        raise ValueError("only a server this runner started can be restarted")
    if ping(server.uri):
        raise ValueError(f"{server.uri} still answers: stop its process first")
    cluster = server.postgres
    if cluster is None:
        command, cluster = server_command(data_dir, port)  # mongod or SQLite: same folders
    else:
        if not cluster.running():
            cluster.start()
        command = ferretdb_command(data_dir, port, _postgresql_storage(cluster))
    return _launch(command, data_dir, port, cluster, timeout)


def _launch(
    command: list[str], data_dir: Path, port: int, cluster: Cluster | None, timeout: float
) -> Server:
    log = (data_dir / "server.log").open("ab")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives `make dev` being interrupted
    )
    server = Server(uri=f"mongodb://127.0.0.1:{port}/", pid=process.pid, postgres=cluster)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise SystemExit(f"database server exited early; see {data_dir / 'server.log'}")
        if ping(server.uri):
            return server
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"database server did not answer within {timeout:.0f} s")


def terminate(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # Reap it if it is our child, so it does not linger as a zombie.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def _state_file(data_dir: Path) -> Path:
    return data_dir / "server.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _save(data_dir: Path, server: Server) -> None:
    cluster = server.postgres
    state = {
        "uri": server.uri,
        "pid": server.pid,
        "postgres": None
        if cluster is None
        else {"data": str(cluster.data), "port": cluster.port, "bin": str(cluster.bin)},
    }
    _state_file(data_dir).write_text(json.dumps(state))


def _load(data_dir: Path) -> Server | None:
    path = _state_file(data_dir)
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    cluster = state.get("postgres")
    return Server(
        uri=state["uri"],
        pid=state.get("pid"),
        postgres=None
        if cluster is None
        else Cluster(data=Path(cluster["data"]), port=cluster["port"], bin=Path(cluster["bin"])),
    )


def start(data_dir: Path = DEV_DATA, port: int = DEV_PORT) -> Server:
    """The development server: MONGODB_URI, or a server kept running across calls."""
    if os.environ.get("MONGODB_URI"):
        return Server(uri=os.environ["MONGODB_URI"], pid=None)
    previous = _load(data_dir)
    if previous is not None:
        if previous.pid and _alive(previous.pid) and ping(previous.uri, timeout_ms=2000):
            return previous
        previous.stop()  # half of it may still run, such as PostgreSQL
        _state_file(data_dir).unlink()
    uri = f"mongodb://127.0.0.1:{port}/"
    if ping(uri):
        raise SystemExit(f"port {port} already has a server this runner did not start")
    server = spawn(data_dir, port)
    _save(data_dir, server)
    return server


def stop(data_dir: Path = DEV_DATA) -> bool:
    server = _load(data_dir)
    if server is None:
        return False
    server.stop()
    _state_file(data_dir).unlink()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.localdb", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=DEV_PORT)
    parser.add_argument("--data-dir", type=Path, default=DEV_DATA)
    args = parser.parse_args(argv)
    if args.command == "start":
        print(start(args.data_dir, args.port).uri)
    elif args.command == "stop":
        print("stopped" if stop(args.data_dir) else "not running")
    else:
        uri = os.environ.get("MONGODB_URI") or f"mongodb://127.0.0.1:{args.port}/"
        up = ping(uri, timeout_ms=2000)
        print(f"{uri} {'up' if up else 'down'}")
        return 0 if up else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
