"""The analytical store (api/insights/store.py) against the real FerretDB,
real files, real processes (kill -9) and a real S3-compatible server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from beanie import PydanticObjectId

from api.customers.documents import Customer
from api.events.documents import Event
from api.ingestion.service import track
from api.insights.query import Filter, Limits, Math, Operator, Property, Series, Trends, Window
from api.insights.store import TEMP_MARK, Store, days_between, store_for
from api.insights.trends import run
from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve
from tests.ingest_helpers import NOW, event, random_batch

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ERASE = """
mutation($id: ID!) { eraseCustomer(id: $id) { erasedCustomerId sessions events } }
"""


def one(query: str) -> tuple[Any, ...] | None:
    """The first row of a query on a connection of its own."""
    with duckdb.connect() as con:
        return con.execute(query).fetchone()


def in_dir(settings: Settings, folder: Path, **changes: Any) -> Settings:
    return settings.model_copy(update={"insights_dir": str(folder), **changes})


async def load(settings: Settings, seed: int = 1, batches: int = 2, size: int = 120) -> int:
    """Events of a few customers over three days, through ingestion; how many."""
    rng = random.Random(seed)
    for _ in range(batches):
        result = await track(random_batch(rng, customers=5, size=size, days=3), settings)
        assert result.count("rejected") == 0
    return await Event.find_all().count()


async def rows(store: Store) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every row of both views, in id order."""
    async with store.reader() as con:
        events = con.execute("SELECT * FROM events ORDER BY id").fetchall()
        customers = con.execute(
            "SELECT * EXCLUDE (last_seen_at) FROM customers ORDER BY id"
        ).fetchall()
    return events, customers


async def from_scratch(settings: Settings, folder: Path) -> tuple[list[Any], list[Any]]:
    fresh = Store(in_dir(settings, folder))
    await fresh.sync(rebuild=True)
    return await rows(fresh)


async def count(store: Store) -> int:
    async with store.reader() as con:
        found = con.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
    assert found is not None
    assert found[0] == found[1]
    return int(found[0])


def leftovers(store: Store) -> list[Path]:
    return [path for path in store.root.rglob("*") if TEMP_MARK in path.name]


def child(settings: Settings, mode: str, *args: str) -> subprocess.Popen[str]:
    command = [PYTHON, "-m", "tests.insights_child", mode, "--uri", settings.mongodb_uri,
               "--db", settings.mongodb_db, "--dir", settings.insights_dir, *args]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


async def wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 60) -> None:
    ends = time.monotonic() + seconds
    while not os.path.exists(path):  # noqa: ASYNC240 (a poll, in a test)
        assert process.poll() is None, "the child ended before its step"
        assert time.monotonic() < ends, f"no {path.name} after {seconds} s"
        await asyncio.sleep(0.05)


# ---- exactly once ------------------------------------------------------------


async def test_an_empty_store_has_both_views(settings: Settings, db: Any, tmp_path: Path) -> None:
    store = Store(in_dir(settings, tmp_path))
    async with store.reader() as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM customers").fetchone() == (0,)
        described = con.execute("DESCRIBE events").fetchall()
    assert [(name, kind) for name, kind, *_ in described][:3] == [
        ("id", "VARCHAR"), ("name", "VARCHAR"), ("timestamp", "TIMESTAMP WITH TIME ZONE"),
    ]  # fmt: skip


async def test_a_batch_sent_twice_and_retried_after_a_failure_counts_once(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    store = Store(in_dir(settings, tmp_path))
    rng = random.Random(3)
    batch = random_batch(rng, customers=4, size=60, days=2)
    await track(batch, settings)
    await store.sync()
    await track(batch, settings)  # the same batch again
    await store.sync()
    assert await count(store) == 60

    class CutError(Exception):
        pass

    for step in ("sessions", "events"):
        again = random_batch(rng, customers=4, size=30, days=2)

        async def fail(name: str, step: str = step) -> None:
            if name == step:
                raise CutError(name)

        with pytest.raises(CutError):
            await track(again, settings, after_step=fail)
        await store.sync()  # between the failure and the retry
        await track(again, settings)
        await store.sync()
    assert await count(store) == 120 == await Event.find_all().count()
    assert await rows(store) == await from_scratch(settings, tmp_path / "scratch")


async def test_rows_carry_the_contracts_columns(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    when = NOW - timedelta(hours=1)
    raw = event("columns-1", when, "page_view", "/p", timeSpent=3.5, video={"quality": "hd"})
    await track([raw], settings)
    # A document as the new ingestion stores it: context and bot.
    await Event.get_pymongo_collection().update_many(
        {}, {"$set": {"bot": True, "context": {"utmSource": "news", "screenWidth": 1280}}}
    )
    from api.analytics.hours import mark_dirty
    from api.core.hourkeys import hour_key

    await mark_dirty([hour_key(when)])
    store = Store(in_dir(settings, tmp_path))
    await store.sync()
    async with store.reader() as con:
        found = con.execute(
            "SELECT name, page, properties, bot, utm_source, screen_width, referrer, device, "
            "properties->>'$.video.quality' FROM events"
        ).fetchall()
        customers = con.execute("SELECT distinct_id FROM customers").fetchall()
    assert found == [
        ("page_view", "/p", '{"timeSpent": 3.5, "video": {"quality": "hd"}}', True, "news", 1280,
         None, "web", "hd"),
    ]  # fmt: skip
    assert customers == [("columns-1",)]
    day = when.date().isoformat()
    assert store.files_for(when, when + timedelta(minutes=1)) == [store.day_file(day)]
    # A reader of a range opens only its days.
    async with store.reader(when - timedelta(days=9), when - timedelta(days=8)) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    async with store.reader(when, when + timedelta(minutes=1)) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (1,)
    kv = one(f"SELECT value FROM parquet_kv_metadata('{store.day_file(day)}') WHERE key = 'seqs'")
    assert kv is not None
    assert hour_key(when) in json.loads(kv[0])


async def test_a_property_in_only_some_days_is_read_from_those_days(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    """A day whose events lack a property has no columns for it: the range's
    other days still give theirs (a layout of paths in every day read hid them)."""
    early, late = NOW - timedelta(days=2), NOW - timedelta(hours=1)
    await track([event("layout-1", early, "page_view", "/a", timeSpent=4.0, plan="pro")], settings)
    await track([event("layout-1", late, "page_view", "/b")], settings)
    store = Store(in_dir(settings, tmp_path))
    await store.sync()
    assert len(store.files_for(early, late + timedelta(minutes=1))) == 2
    window = Window.of("range", early - timedelta(hours=1), NOW, Limits())
    spent = Property.of("property", "timeSpent")
    query = Trends(
        series=(
            Series(event="page_view", math=Math.SUM, prop=spent),
            Series(
                event=None,
                filters=(Filter.of("f", "plan", Operator.EQUALS, "pro"),),
            ),
        ),
        window=window,
    )
    async with store.reader(window.start, window.end) as con:
        outcome = run(con, query)
    assert [line.total for line in outcome.lines] == [4.0, 1.0]


async def test_rebuild_from_scratch_equals_incremental_syncs(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    store = Store(in_dir(settings, tmp_path / "incremental"))
    rng = random.Random(7)
    for _ in range(4):
        await track(random_batch(rng, customers=6, size=70, days=3), settings)
        result = await store.sync()
        assert result.days_written  # only what changed, but something did
    assert (await store.sync()).days_written == []  # nothing stale now
    # Late single events: one day stale, only its changed hours read again.
    for minutes in (30, 26 * 60, 30):
        await track([event(f"late-{minutes}", NOW - timedelta(minutes=minutes))], settings)
        assert len((await store.sync()).days_written) == 1
    events, customers = await rows(store)
    assert len(events) == await Event.find_all().count() == 283
    assert len(customers) == await Customer.find_all().count()
    assert (events, customers) == await from_scratch(settings, tmp_path / "scratch")


# ---- crashes, readers, writers -----------------------------------------------


@pytest.mark.parametrize("step", ["temp", "replaced", "day"])
async def test_a_sync_killed_between_steps_is_finished_by_the_next(
    settings: Settings, db: Any, tmp_path: Path, step: str
) -> None:
    await load(settings)
    local = in_dir(settings, tmp_path / "store")
    store = Store(local)
    marker = tmp_path / "paused"
    process = child(local, "sync", "--pause-at", step, "--marker", str(marker))
    try:
        await wait_for(marker, process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    if step == "temp":
        assert leftovers(store), "the killed writer left its temporary files"
    # A reader meanwhile sees whole files only, never a temporary one.
    async with store.reader() as con:
        con.execute("SELECT count(*) FROM events").fetchone()
    result = await store.sync()
    assert not result.skipped and result.days_written
    assert leftovers(store) == []
    assert await rows(store) == await from_scratch(settings, tmp_path / "scratch")


async def test_readers_in_other_processes_never_see_a_partial_day(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    total = await load(settings, batches=3, size=150)
    local = in_dir(settings, tmp_path / "store")
    await Store(local).sync()
    seconds = "6"
    writer = child(local, "sync", "--rebuild", "--seconds", seconds)
    readers = [child(local, "read", "--seconds", seconds) for _ in range(2)]
    outputs = [json.loads(reader.communicate(timeout=120)[0]) for reader in readers]
    writer.communicate(timeout=120)
    assert writer.returncode == 0
    for output in outputs:
        assert output["errors"] == []
        assert set(output["counts"]) == {str(total)}, output["counts"]
        assert sum(output["counts"].values()) > 5


async def test_a_reader_kept_open_never_hides_a_day_another_process_wrote(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    local = in_dir(settings, tmp_path / "store")
    store = Store(local)
    first = await load(settings, seed=3, batches=1)
    await store.sync()
    assert await count(store) == first
    assert await count(store) == first  # now from the reader kept open
    more = await load(settings, seed=4, batches=1)
    assert more > first
    writer = child(local, "sync")
    writer.communicate(timeout=120)
    assert writer.returncode == 0
    # This process wrote nothing: only the files' inodes tell its readers apart.
    assert await count(store) == more


def deleted_files_held(root: Path) -> list[str]:
    """Files under ``root`` that this process holds open although they are gone."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith(str(root)) and target.endswith("(deleted)"):
                held.append(target)
    return held


async def test_two_writers_at_once_are_serialised_by_the_lock(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    await load(settings)
    local = in_dir(settings, tmp_path / "store")
    log = tmp_path / "steps.log"
    args = ("--rebuild", "--log", str(log), "--step-sleep", "0.1")
    writers = [child(local, "sync", *args) for _ in range(2)]
    for writer in writers:
        writer.communicate(timeout=180)
        assert writer.returncode == 0
    spans: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        pid, step, moment = line.split()
        if step not in ("begin", "end"):  # the steps inside the lock
            spans.setdefault(pid, []).append(float(moment))
    assert len(spans) == 2
    (first, second) = sorted((min(times), max(times)) for times in spans.values())
    assert first[1] < second[0], "the two writers' steps interleaved"
    store = Store(local)
    assert await rows(store) == await from_scratch(settings, tmp_path / "scratch")


async def test_a_second_writer_skips_when_asked_not_to_wait(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    await load(settings, batches=1, size=20)
    store = Store(in_dir(settings, tmp_path))
    async with store._locked(wait=True) as holding:
        assert holding
        assert (await store.sync(wait=False)).skipped
    assert not (await store.sync(wait=False)).skipped


# ---- erasure -----------------------------------------------------------------


async def test_erasure_leaves_nothing_of_the_customer_in_any_file(
    settings: Settings, api: Any
) -> None:
    people = {
        "erase-keep-4f1c": ("Ingrid Zimmermann", "ingrid.zimmermann@example.com"),
        "erase-gone-9b2e": ("Bartholomew Quistgaard", "b.quistgaard@example.org"),
    }
    rng = random.Random(11)
    for distinct_id, (name, email) in people.items():
        batch = [
            event(distinct_id, NOW - timedelta(minutes=rng.randrange(3 * 24 * 60)),
                  rng.choice(["page_view", "search"]), "/p", note=f"from {distinct_id}")
            for _ in range(40)
        ]  # fmt: skip
        identity = {"distinctId": distinct_id, "name": name, "email": email}
        await track(batch, settings, raw_identity=identity)
    store = store_for(settings)
    await store.sync()
    gone = await Customer.find_one({"distinctId": "erase-gone-9b2e"})
    assert gone is not None
    secrets = [
        b"erase-gone-9b2e",
        b"Quistgaard",
        b"b.quistgaard@example.org",
        str(gone.id).encode(),
    ]

    def holding(path: Path) -> bool:
        data = path.read_bytes()
        return any(secret in data for secret in secrets)

    def parquet_rows(path: Path) -> int:
        query = f"SELECT count(*) FROM read_parquet('{path}') WHERE " + (
            f"id = '{gone.id}' OR distinct_id = 'erase-gone-9b2e'"
            if path.name == "customers.parquet"
            else f"customer_id = '{gone.id}' OR properties LIKE '%erase-gone%'"
        )
        found = one(query)
        assert found is not None
        return int(found[0])

    files = [path for path in store.root.rglob("*") if path.is_file()]
    parquet = [path for path in files if path.suffix == ".parquet"]
    assert any(holding(path) for path in parquet)  # the check can see it
    assert sum(parquet_rows(path) for path in parquet) > 40

    assert await count(store) == 80  # a reader kept open on the files with them
    erased = await api.data(ERASE, id=_gid(gone.id))
    assert erased["eraseCustomer"]["events"] == 40
    # Nor does a file replaced since stay on disk behind a descriptor held open.
    assert deleted_files_held(store.root) == []

    files = [path for path in store.root.rglob("*") if path.is_file()]
    assert [path for path in files if holding(path)] == []
    assert sum(parquet_rows(path) for path in files if path.suffix == ".parquet") == 0
    async with store.reader() as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (40,)
        assert con.execute("SELECT distinct_id FROM customers").fetchall() == [("erase-keep-4f1c",)]


def _gid(ident: PydanticObjectId | None) -> str:
    from strawberry.relay import GlobalID

    return str(GlobalID("Customer", str(ident)))


# ---- visibility --------------------------------------------------------------


async def test_the_api_process_syncs_new_events_within_a_minute(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    served = in_dir(settings, tmp_path, insights_sync_seconds=0.5)
    store = Store(served)
    async with serve(create_app(served)):
        await track([event("visible-1", NOW - timedelta(minutes=5))], settings)
        began = time.monotonic()
        while await count(store) < 1:
            assert time.monotonic() - began < 60
            await asyncio.sleep(0.2)
        await track([event("visible-2", NOW - timedelta(minutes=4))], settings)
        while await count(store) < 2:
            assert time.monotonic() - began < 60
            await asyncio.sleep(0.2)


# ---- S3 ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local S3-compatible server (moto's), in a process of its own."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_SESSION_TOKEN": "testing",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ends = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < ends, "moto_server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_the_store_round_trips_through_s3(
    settings: Settings, db: Any, tmp_path: Path, s3_endpoint: str
) -> None:
    import boto3

    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket="insights-test")
    remote = {"insights_s3_bucket": "insights-test", "insights_s3_endpoint": s3_endpoint}
    total = await load(settings)
    writer = Store(in_dir(settings, tmp_path / "writer", **remote))
    written = await writer.sync()
    # A reader elsewhere (a Lambda container) with nothing local.
    lambda_reader = Store(in_dir(settings, tmp_path / "lambda", **remote))
    assert await count(lambda_reader) == total
    assert await rows(lambda_reader) == await rows(writer)
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket="insights-test")
    keys = sorted(item["Key"] for item in listed["Contents"])
    day = written.days_written[0]
    assert f"insights/{settings.mongodb_db}/events/day={day}/events.parquet" in keys
    assert f"insights/{settings.mongodb_db}/manifest.json" in keys
    # Unchanged ETags: nothing downloaded again.
    assert lambda_reader.mirror.pull(force=True) == 0
    # One more event: only what changed is uploaded and downloaded.
    await track([event("s3-late", NOW - timedelta(minutes=3))], settings)
    assert len((await writer.sync()).days_written) == 1
    downloaded = lambda_reader.mirror.pull(force=True)
    assert 1 <= downloaded <= 2  # the day, and the customers' snapshot
    assert await count(lambda_reader) == total + 1
    # A writer starting cold (a new container) knows from the bucket's manifest
    # that nothing is stale.
    cold = Store(in_dir(settings, tmp_path / "cold", **remote))
    assert (await cold.sync()).days_written == []
    # The scheduled functions' work (last: each run binds a client of its own).
    from api.insights.jobs import export_key, export_previous_day, sync_once

    scheduled = in_dir(settings, tmp_path / "scheduled", **remote)
    assert (await sync_once(scheduled))["days"] == []
    exported = await export_previous_day(scheduled, today=NOW.date() + timedelta(days=1))
    assert exported["key"] == export_key(scheduled, NOW.date())
    fetched = tmp_path / "exported.parquet"
    boto3.client("s3", endpoint_url=s3_endpoint).download_file(
        "insights-test", exported["key"], str(fetched)
    )
    assert one(f"SELECT count(*) FROM read_parquet('{fetched}')") == (exported["rows"],)
    assert exported["rows"] > 0


# ---- the command line --------------------------------------------------------


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db,
           "INSIGHTS_DIR": settings.insights_dir}  # fmt: skip
    done = subprocess.run(
        [PYTHON, "-m", "api", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


async def test_the_commands_through_a_real_process(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    total = await load(settings)
    local = in_dir(settings, tmp_path / "store")
    assert "insights sync: wrote" in cli(local, "insights", "sync").stdout
    status = json.loads(cli(local, "insights", "status").stdout)
    assert status["stale_days"] == [] and status["rows"] == total
    assert "rebuilt the analytical store" in cli(local, "analytics", "rebuild").stdout
    assert "insights rebuild: wrote" in cli(local, "insights", "rebuild").stdout
    day = NOW.date().isoformat()
    in_day = await Event.find(
        {"hour": {"$in": [f"{day}T{hour:02d}" for hour in range(24)]}}
    ).count()
    csv = tmp_path / "day.csv"
    cli(local, "export", "--day", day, "--format", "csv", "--out", str(csv))
    assert len(csv.read_text().splitlines()) == in_day + 1  # and the header
    out = tmp_path / "day.parquet"
    cli(local, "export", "--day", day, "--out", str(out))
    assert one(f"SELECT count(*) FROM read_parquet('{out}')") == (in_day,)
    assert Store(local).files_for(NOW - timedelta(days=10), NOW) != []


def test_days_between_is_the_utc_days_a_range_touches() -> None:
    from datetime import UTC, datetime

    start = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert days_between(start, start + timedelta(hours=1)) == ["2026-11-29"]
    assert days_between(start, start + timedelta(hours=2)) == ["2026-11-29", "2026-11-30"]
    assert date.fromisoformat(days_between(start, start + timedelta(days=3))[-1]).day == 2


# ---- observability -----------------------------------------------------------


async def test_every_sync_is_a_span_and_a_slow_one_is_logged(
    settings: Settings, db: Any, tmp_path: Path
) -> None:
    from tests.api_process import start_api, stop_api
    from tests.otlp import receiving

    await track([event("traced-1", NOW - timedelta(minutes=5))], settings)
    variables = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "SLOW_OPERATION_MS": "1",
        "LOG_LEVEL": "INFO",
        "INSIGHTS_SYNC_SECONDS": "0.5",
        "INSIGHTS_DIR": str(tmp_path / "store"),
    }
    log = tmp_path / "log"
    with receiving() as receiver:
        variables["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.endpoint
        process, _ = start_api(
            settings.mongodb_uri, settings.mongodb_db, variables, log.open("w"), timeout=120
        )
        try:

            def written() -> dict[str, Any] | None:
                for _, span in receiver.spans:
                    attributes = {a.key: a.value for a in span.attributes}
                    if span.name == "insights.sync" and attributes.get("insights.days_written"):
                        return attributes
                return None

            async with asyncio.timeout(60):
                while not (attributes := written()):  # noqa: ASYNC110 - another thread's results
                    await asyncio.sleep(0.2)
        finally:
            stop_api(process)
    assert attributes["insights.rows"].int_value == 1
    assert attributes["insights.files"].int_value >= 1
    assert attributes["insights.bytes"].int_value > 0
    assert attributes["insights.seconds"].double_value > 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    slow = [line for line in lines if line["message"] == "slow insights sync"]
    assert slow and slow[0]["slowest_spans"] and slow[0]["days_written"] >= 1
