"""Memory and CPU of the processes under test, sampled every few seconds.

Groups of processes: the API (the uvicorn process and all its children, so
every worker is summed), the database (FerretDB and its PostgreSQL cluster,
when we started them), the load generator (locust), and everything else on
the machine ("other": on a shared machine, other people's work). CPU is in
cores busy (1.0 = one core all the time), from the processes' CPU times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs in the lock

MB = 1024 * 1024
Pids = Callable[[], list[int]]


def tree(pid: int | None) -> list[psutil.Process]:
    """The process and all its descendants that still exist."""
    if pid is None:
        return []
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_pids(pid: int | None) -> Pids:
    return lambda: [process.pid for process in tree(pid)]


def _busy(times: Any) -> float:
    """Non-idle CPU seconds of psutil.cpu_times()."""
    return float(sum(getattr(times, name, 0.0) for name in
                     ("user", "nice", "system", "irq", "softirq", "steal")))  # fmt: skip


@dataclass
class Sampler:
    """Samples ``groups`` (name -> pids) every ``every`` seconds in a thread;
    RSS is summed over the ``memory`` group."""

    groups: dict[str, Pids]
    memory: str = "api"
    every: float = 5.0
    samples: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)
        self._cpu: dict[int, float] = {}  # pid -> CPU seconds at the last sample
        self._started = 0.0

    def begin(self) -> Sampler:
        """The starting point of every figure; ``sample`` measures from here."""
        self._started = time.monotonic()
        self._last = (self._started, _busy(psutil.cpu_times()))
        self._groups_cpu()
        return self

    def start(self) -> Sampler:
        """Begin, and sample every ``every`` seconds in a thread until ``stop``."""
        self.begin()
        self._thread.start()
        return self

    def elapsed(self) -> float:
        """Seconds since ``begin``, on the samples' clock."""
        return round(time.monotonic() - self._started, 1)

    def stop(self) -> list[dict[str, Any]]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.samples

    def _groups_cpu(self) -> dict[str, float]:
        """CPU seconds each group used since the last call."""
        used: dict[str, float] = {}
        seen: dict[int, float] = {}
        for name, pids in self.groups.items():
            total = 0.0
            for pid in pids():
                try:
                    times = psutil.Process(pid).cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                now = times.user + times.system
                # A process not seen before was born since the last sample.
                total += now - self._cpu.get(pid, 0.0)
                seen[pid] = now
            used[name] = max(total, 0.0)
        self._cpu = seen
        return used

    def rss(self) -> tuple[float, int]:
        """MB summed over the memory group, and how many processes it has."""
        rss, count = 0, 0
        for pid in self.groups[self.memory]():
            try:
                rss += psutil.Process(pid).memory_info().rss
                count += 1
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return rss / MB, count

    def sample(self) -> dict[str, Any]:
        moment, busy = time.monotonic(), _busy(psutil.cpu_times())
        elapsed = max(moment - self._last[0], 1e-6)
        used = self._groups_cpu()
        system = (busy - self._last[1]) / elapsed
        self._last = (moment, busy)
        cores = {name: round(seconds / elapsed, 3) for name, seconds in used.items()}
        cores["other"] = round(max(system - sum(cores.values()), 0.0), 3)
        rss, processes = self.rss()
        point = {
            "t": round(moment - self._started, 1),
            "rss_mb": round(rss, 1),
            "processes": processes,
            "cpu": cores,
            "system_cpu": round(system, 3),
        }
        self.samples.append(point)
        return point

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()


def cores_busy(pids: Pids, seconds: float = 2.0) -> float:
    """Cores the processes kept busy over the next ``seconds``."""
    sampler = Sampler({"group": pids}, memory="group").begin()
    time.sleep(seconds)
    return float(sampler.sample()["cpu"]["group"])
