"""The command line: ``python -m api <command>``.

serve       run the API (uvicorn) with the environment's settings
seed        load deterministic demo data
import      load events from NDJSON
analytics   rebuild the aggregates (and the analytical store)
insights    the analytical store: sync, rebuild, status
export      one day's events as a Parquet or CSV file
customers   reindex: recompute stored customers' search terms
users       staff accounts (create, set-role, set-password, disable, list, demo)
keys        API keys (create, revoke, list)
write-keys  websites' write keys (create, revoke, list)
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from api.cli import access
from api.cli.command import run
from api.settings import settings_or_exit


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = settings_or_exit()
    uvicorn.run(
        "api.main:app",
        host=args.host,
        port=args.port or settings.port,
        reload=args.reload,
        workers=args.workers,
        log_level=settings.log_level.value.lower(),
        log_config=None,  # keep our JSON logging (api.logs) for uvicorn too
        # The app alone decides whose X-Forwarded-For counts (TRUST_FORWARDED_FOR):
        # uvicorn's default would believe any loopback client's.
        proxy_headers=False,
        server_header=False,  # no need to name the server to every caller
    )
    return 0


def seed(args: argparse.Namespace) -> int:
    from api.cli.seed import run as run_seed

    return run(
        lambda settings: run_seed(
            settings, customers=args.customers, seed=args.seed, if_empty=args.if_empty
        )
    )


def import_events(args: argparse.Namespace) -> int:
    from api.cli.imports import run_import

    return run(lambda settings: run_import(settings, args.file, batch_size=args.batch_size))


def analytics(args: argparse.Namespace) -> int:
    from api.cli.analytics import run_rebuild

    start = _when("--from", args.start)
    end = _when("--to", args.end)
    return run(lambda settings: run_rebuild(settings, start, end))


def insights(args: argparse.Namespace) -> int:
    from api.cli.insights import run_insights

    return run(lambda settings: run_insights(settings, args.action))


def export(args: argparse.Namespace) -> int:
    from api.cli.insights import run_export

    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise SystemExit(f"--day: {args.day!r} is not a date (YYYY-MM-DD)") from None
    return run(lambda settings: run_export(settings, day, args.format, args.out))


def customers(args: argparse.Namespace) -> int:
    from api.cli.customers import run_reindex

    return run(run_reindex)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _when(flag: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"{flag}: {value!r} is not an ISO 8601 date or time") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_cmd = commands.add_parser("serve", help="run the API server")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    serve_cmd.add_argument("--reload", action="store_true", help="restart on code changes")
    serve_cmd.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes (default 1); each keeps its own connection pool",
    )
    serve_cmd.set_defaults(func=serve)

    seed_cmd = commands.add_parser("seed", help="load deterministic demo data")
    seed_cmd.add_argument("--customers", type=int, default=1000)
    seed_cmd.add_argument("--seed", type=int, default=1)
    seed_cmd.add_argument(
        "--if-empty", action="store_true", help="do nothing when customers already exist"
    )
    seed_cmd.set_defaults(func=seed)

    import_cmd = commands.add_parser("import", help="load events from NDJSON (one event a line)")
    import_cmd.add_argument("file", type=Path, help="NDJSON file; - for standard input")
    import_cmd.add_argument("--batch-size", type=int, default=500)
    import_cmd.set_defaults(func=import_events)

    analytics_cmd = commands.add_parser("analytics", help="maintain the analytics aggregates")
    analytics_cmd.add_argument("action", choices=["rebuild"])
    analytics_cmd.add_argument("--from", dest="start", help="ISO 8601; default: the beginning")
    analytics_cmd.add_argument("--to", dest="end", help="ISO 8601, exclusive; default: the end")
    analytics_cmd.set_defaults(func=analytics)

    insights_cmd = commands.add_parser("insights", help="maintain the analytical store")
    insights_cmd.add_argument(
        "action",
        choices=["sync", "rebuild", "status"],
        help="sync: write stale days; rebuild: rewrite every day; status: what is stored",
    )
    insights_cmd.set_defaults(func=insights)

    export_cmd = commands.add_parser("export", help="one UTC day's events as a file")
    export_cmd.add_argument("--day", required=True, help="YYYY-MM-DD (UTC)")
    export_cmd.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    export_cmd.add_argument(
        "--out", type=Path, default=None, help="default: events-YYYY-MM-DD.<format>"
    )
    export_cmd.set_defaults(func=export)

    customers_cmd = commands.add_parser("customers", help="maintain the stored customers")
    customers_cmd.add_argument(
        "action", choices=["reindex"], help="reindex: recompute search terms and sort names"
    )
    customers_cmd.set_defaults(func=customers)

    access.add_commands(commands)

    args = parser.parse_args(argv)
    return int(args.func(args))
