"""A private PostgreSQL cluster as FerretDB's storage.

FerretDB's SQLite backend evaluates every filter in FerretDB itself, reading
the whole collection (seconds for 100,000 events). Its PostgreSQL backend
pushes equality on top-level fields down to PostgreSQL, so the lists we serve
(a session's events, a customer's sessions) stay fast on demo-sized data. The
cluster listens on 127.0.0.1 only, trusts local connections and trades
durability for speed: it holds disposable development and test data.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

USER = "ferretdb"


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(candidates[-1]).parent if candidates else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _as_owner() -> list[str]:
    # PostgreSQL refuses to run as root; run it as the postgres system user.
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root without a 'postgres' user") from None
    return ["runuser", "-u", "postgres", "--"]


def _reachable_by_postgres(path: Path) -> bool:
    """As root, the cluster's folder and every parent must let postgres in."""
    if os.geteuid() != 0:
        return True
    return all(os.stat(parent).st_mode & 0o001 for parent in path.resolve().parents)


@dataclass(frozen=True)
class Cluster:
    data: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_owner(), str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl("-o", options, "-l", str(self.data.parent / "postgres.log"), "-w", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def create(folder: Path, port: int) -> Cluster | None:
    """A cluster in ``folder/data`` (made on first use), or None when PostgreSQL
    is not installed or cannot run here; the caller then uses SQLite."""
    binaries = bin_dir()
    if binaries is None or not _reachable_by_postgres(folder):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(data=folder / "data", port=port, bin=binaries)
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        if not (cluster.data / "PG_VERSION").exists():
            subprocess.run(
                [*_as_owner(), str(binaries / "initdb"), "-D", str(cluster.data), "-U", USER,
                 "-A", "trust", "-E", "UTF8", "--no-sync"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
    except (OSError, RuntimeError, subprocess.CalledProcessError):
        return None
    return cluster
