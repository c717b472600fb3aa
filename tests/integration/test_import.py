"""``python -m api import``: NDJSON through the ingestion pipeline, on the real database."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from api.cli.imports import run_import
from tests.ingest_helpers import NOW, event

ROOT = Path(__file__).resolve().parents[2]


def ndjson(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def mixed_file(path: Path) -> tuple[Path, set[str]]:
    """Four good events, one repeated, and three bad lines; the valid ids."""
    good = [
        event("c1", NOW - timedelta(minutes=9), timeSpent=12.5),
        event("c1", NOW - timedelta(minutes=8), kind="search", page="/search", query="shoes"),
        event("c2", NOW - timedelta(minutes=7), kind="checkout", page="/checkout"),
        event("c2", NOW - timedelta(minutes=6), page="/product/1", session="s-1", timeSpent=3),
    ]
    unknown = {**event("c3", NOW - timedelta(minutes=5)), "type": "Teleport!"}
    lines = [
        json.dumps(good[0]),  # 1
        json.dumps(good[1]),  # 2
        "",  # 3: blank, skipped
        '{"eventId": "broken", ',  # 4: not JSON
        json.dumps(unknown),  # 5: not a valid event name
        json.dumps(good[2]),  # 6
        json.dumps(good[3]),  # 7
        "[1, 2]",  # 8: not an object
        json.dumps(good[0]),  # 9: line 1 again, in a later batch
    ]
    return ndjson(path, lines), {raw["eventId"] for raw in good}


async def stored(db) -> list[int]:
    return [await db[name].count_documents({}) for name in ("customers", "sessions", "events")]


async def test_import_counts_rejects_and_is_exactly_once(settings, db, tmp_path, capsys):
    path, ids = mixed_file(tmp_path / "events.ndjson")

    assert await run_import(settings, path, batch_size=3) == 1
    out = capsys.readouterr().out
    assert await db["events"].count_documents({}) == 4
    assert {doc["eventId"] async for doc in db["events"].find({}, {"eventId": 1})} == ids
    first = await stored(db)
    assert first[:2] == [2, 3]  # c1 and c2; c1's session, c2's own and its client session
    lines = out.splitlines()
    assert lines[0].startswith("line 4: not valid JSON")
    assert lines[1].startswith("line 5: type: 'Teleport!' has characters other than")
    assert lines[2] == "line 8: event: must be a JSON object"
    assert lines[3].startswith("accepted 4, duplicates 1, rejected 3, lines 9, ")
    assert lines[3].endswith(" events/s") and len(lines) == 4

    # The same file again stores nothing: every good line is a duplicate.
    assert await run_import(settings, path, batch_size=3) == 1
    assert "accepted 0, duplicates 5, rejected 3, lines 9, " in capsys.readouterr().out
    assert await stored(db) == first


async def test_import_refuses_batch_sizes_beyond_the_limit(settings, db, tmp_path, capsys):
    path = ndjson(tmp_path / "one.ndjson", [json.dumps(event("c1", NOW))])
    for size in (0, settings.ingest_max_batch + 1):
        assert await run_import(settings, path, batch_size=size) == 2
        assert "--batch-size must be between 1 and" in capsys.readouterr().out
    assert await run_import(settings, tmp_path / "missing.ndjson") == 2
    assert "cannot read" in capsys.readouterr().out
    assert await db["events"].count_documents({}) == 0


async def cli(settings, *args: str, stdin: bytes | None = None) -> tuple[int, str]:
    env = {**os.environ, "MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api", "import", *args,
        cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=120)
    assert process.returncode is not None
    assert not err.strip(), err.decode()  # the progress bar is transient
    return process.returncode, out.decode()


async def test_cli_imports_a_file_and_standard_input(settings, db, tmp_path):
    moments = [NOW - timedelta(minutes=minutes) for minutes in (30, 20, 10)]
    lines = [json.dumps(event("c9", moment, session="visit", timeSpent=2)) for moment in moments]
    path = ndjson(tmp_path / "clean.ndjson", lines)

    code, out = await cli(settings, str(path), "--batch-size", "2")
    assert code == 0, out
    assert out.startswith("accepted 3, duplicates 0, rejected 0, lines 3, ")
    assert await stored(db) == [1, 1, 3]

    again = "\n".join([*lines, "not json"]).encode()
    code, out = await cli(settings, "-", stdin=again)
    assert code == 1, out
    assert out.splitlines()[0].startswith("line 4: not valid JSON")
    assert "accepted 0, duplicates 3, rejected 1, lines 4, " in out
    assert await stored(db) == [1, 1, 3]
