"""A process of its own that writes or reads the analytical store, for the
crash, concurrency and lock tests (tests/integration/test_insights_store.py).

    python -m tests.insights_child sync --uri U --db D --dir P [--rebuild]
        [--pause-at STEP --marker FILE]   write FILE at STEP, then wait to be killed
        [--log FILE --step-sleep S]       append "pid step time" at each step, sleeping S
        [--seconds N]                     keep syncing (rebuilding) for N seconds
    python -m tests.insights_child read --uri U --db D --dir P --seconds N
        print one JSON line: the counts seen and the errors met
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

from api.cli.command import connected
from api.insights.store import Store
from api.settings import Settings


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings(
        mongodb_uri=args.uri,
        mongodb_db=args.db,
        insights_dir=args.dir,
        insights_sync_seconds=0,
        insights_s3_bucket="",
    )


async def write(args: argparse.Namespace) -> None:
    settings = settings_of(args)
    log = Path(args.log) if args.log else None

    async def after_step(step: str) -> None:
        if log is not None:
            with log.open("a") as out:
                out.write(f"{os.getpid()} {step} {time.time():.6f}\n")
        if args.step_sleep:
            await asyncio.sleep(args.step_sleep)
        if step == args.pause_at:
            with open(args.marker, "w") as marker:  # noqa: ASYNC230
                marker.write(str(os.getpid()))
            await asyncio.sleep(3600)  # until kill -9

    async with connected(settings):
        store = Store(settings)
        ends = time.monotonic() + args.seconds
        while True:
            if log is not None:
                await after_step("begin")
            await store.sync(wait=True, rebuild=args.rebuild, after_step=after_step)
            if log is not None:
                await after_step("end")
            if time.monotonic() >= ends:
                break


async def read(args: argparse.Namespace) -> None:
    store = Store(settings_of(args))
    counts: dict[int, int] = {}
    errors: list[str] = []
    ends = time.monotonic() + args.seconds
    while time.monotonic() < ends:
        try:
            async with store.reader() as con:
                found = con.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
                assert found is not None
                total, distinct = found
                if total != distinct:
                    errors.append(f"{total} rows for {distinct} ids")
                counts[total] = counts.get(total, 0) + 1
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
    print(json.dumps({"counts": counts, "errors": errors[:20]}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sync", "read"])
    parser.add_argument("--uri", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--pause-at", default=None)
    parser.add_argument("--marker", default=None)
    parser.add_argument("--log", default=None)
    parser.add_argument("--step-sleep", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(write(args) if args.mode == "sync" else read(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
