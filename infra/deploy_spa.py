"""The static site of a stage: the staff SPA, tracker.js and GraphiQL's scripts,
served by the stack's CloudFront distribution from its private S3 bucket
(``serverless.yml``; docs/deployment.md).

    python -m infra.deploy_spa bundle            # build job: .build/site
    python -m infra.deploy_spa outputs --stack tracking-dev >> "$GITHUB_OUTPUT"
    python -m infra.deploy_spa upload --site .build/site --stage dev \\
        --bucket BUCKET --distribution ID [--commit SHA] [--dry-run]

Each file gets the Cache-Control the API gives it when it serves the same file
itself (``api/server/static.py``, ``api/server/graphiql.py``): content-hashed
``assets/`` for a year, ``index.html`` and ``config.js`` never without asking, ``tracker.js``
five minutes. ``index.html`` goes last, so that no browser gets an index whose
assets are not there yet; old assets are kept for the tabs still running the
previous build (and for a rollback).

Only the standard library and the ``aws`` CLI: deploy jobs install nothing else.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / ".build" / "site"
DIST = ROOT / "web" / "dist"
TRACKER = ROOT / "web" / "tracker" / "tracker.js"

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
TRACKER_CACHE = "public, max-age=300"
GRAPHIQL_CACHE = "public, max-age=86400"
# Anything else at the top of the build (a favicon, robots.txt): not hashed.
OTHER_CACHE = "public, max-age=300"

# The SPA calls the API on its own origin: CloudFront routes /graphql to it.
# Relative, so the custom domain and the *.cloudfront.net name both work.
API_URL = "/graphql"
INVALIDATE = ("/index.html", "/config.js", "/tracker.js")
JS = "text/javascript; charset=utf-8"
HTML = "text/html; charset=utf-8"


def config_js(stage: str, commit: str) -> str:
    """The run-time configuration index.html loads (web/src/app/config.ts)."""
    settings = json.dumps({"apiUrl": API_URL})
    return f"// tracking {stage} {commit}\nwindow.__TRACKING_CONFIG__ = {settings};\n"


def cache_control(key: str) -> str:
    """Cache-Control of the object stored under ``key`` (no leading slash)."""
    if key.startswith("assets/"):
        return IMMUTABLE
    if key in ("index.html", "config.js"):
        return NO_CACHE
    if key == "tracker.js":
        return TRACKER_CACHE
    if key.startswith("graphiql-assets/"):
        return GRAPHIQL_CACHE
    return OTHER_CACHE


def _visible(path: Path, site: Path) -> bool:
    # The build's .vite/manifest.json lists every file; browsers never need it.
    return not any(part.startswith(".") for part in path.relative_to(site).parts)


def plan(
    site: Path, bucket: str, distribution: str, config: Path, *, region: str | None = None
) -> list[list[str]]:
    """The ``aws`` commands an upload runs, in order."""
    target = f"s3://{bucket}"
    region_args = ["--region", region] if region else []
    commands: list[list[str]] = []

    def sync(folder: str) -> None:
        if (site / folder).is_dir():
            commands.append(
                ["aws", "s3", "sync", str(site / folder), f"{target}/{folder}",
                 "--exclude", ".*", "--exclude", "*/.*",
                 "--cache-control", cache_control(f"{folder}/"), "--only-show-errors",
                 *region_args]
            )  # fmt: skip

    def copy(source: Path, key: str, content_type: str | None = None) -> None:
        extra = ["--content-type", content_type] if content_type else []
        commands.append(
            ["aws", "s3", "cp", str(source), f"{target}/{key}",
             "--cache-control", cache_control(key), *extra, "--only-show-errors", *region_args]
        )  # fmt: skip

    sync("assets")
    sync("graphiql-assets")
    tracker = site / "tracker.js"
    if tracker.is_file():
        copy(tracker, "tracker.js", JS)
    for path in sorted(site.iterdir()):
        last = ("index.html", "config.js", "tracker.js")
        if path.is_file() and _visible(path, site) and path.name not in last:
            copy(path, path.name)
    copy(config, "config.js", JS)
    copy(site / "index.html", "index.html", HTML)
    commands.append(
        ["aws", "cloudfront", "create-invalidation", "--distribution-id", distribution,
         "--paths", *INVALIDATE, "--query", "Invalidation.Id", "--output", "text"]
    )  # fmt: skip
    return commands


def upload(args: argparse.Namespace) -> int:
    site: Path = args.site
    if not (site / "index.html").is_file():
        print(f"{site}/index.html missing: build the site first (bundle)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="site-config-") as folder:
        config = Path(folder) / "config.js"
        config.write_text(config_js(args.stage, args.commit), encoding="utf-8")
        for command in plan(site, args.bucket, args.distribution, config, region=args.region):
            print("+ " + shlex.join(command), flush=True)
            if not args.dry_run:
                subprocess.run(command, check=True)
    return 0


def bundle(args: argparse.Namespace) -> int:
    """The site as one folder: web/dist, tracker.js and GraphiQL's scripts,
    which the Lambda does not have (api/server/graphiql.py serves them locally)."""
    # Here only: the other commands run without the app's packages.
    from api.server import graphiql
    from api.server import static as web

    out: Path = args.out
    if not (DIST / "index.html").is_file():
        print("web/dist/index.html missing: run `make web-build` first", file=sys.stderr)
        return 1
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(DIST, out, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(TRACKER, out / "tracker.js")
    # CloudFront would answer /robots.txt from the bucket, or not at all.
    (out / "robots.txt").write_text(web.ROBOTS, encoding="utf-8")
    prefix = out / graphiql.PREFIX.strip("/")
    prefix.mkdir()
    for name, relative in sorted(graphiql.ASSETS.items()):
        source = graphiql.MODULES / relative
        if not source.is_file():
            print(f"{source} missing: run `make web-deps` first", file=sys.stderr)
            return 1
        shutil.copy2(source, prefix / name)
    print(f"site in {out}")
    return 0


# Stack output -> the name deploy jobs read from $GITHUB_OUTPUT.
OUTPUTS = {"SpaBucketName": "bucket", "DistributionId": "distribution", "SiteUrl": "site_url"}


def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    command = ["aws", "cloudformation", "describe-stacks", "--stack-name", stack,
               "--query", "Stacks[0].Outputs", "--output", "json"]  # fmt: skip
    if region:
        command += ["--region", region]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    found = {item["OutputKey"]: item["OutputValue"] for item in json.loads(done.stdout) or []}
    missing = sorted(set(OUTPUTS) - set(found))
    if missing:
        raise SystemExit(f"stack {stack} has no output {', '.join(missing)}")
    return {name: found[key] for key, name in OUTPUTS.items()}


def outputs(args: argparse.Namespace) -> int:
    for name, value in stack_outputs(args.stack, args.region).items():
        print(f"{name}={value}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy_spa", description=__doc__)
    parser.add_argument("--region", help="AWS region (default: the CLI's)")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("bundle", help="assemble the site folder")
    build.add_argument("--out", type=Path, default=SITE)
    build.set_defaults(run=bundle)

    show = commands.add_parser("outputs", help="bucket, distribution and URL of a stack")
    show.add_argument("--stack", required=True, help="e.g. tracking-staging")
    show.set_defaults(run=outputs)

    put = commands.add_parser("upload", help="upload the site and invalidate what changed")
    put.add_argument("--site", type=Path, default=SITE)
    put.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    put.add_argument("--bucket", required=True)
    put.add_argument("--distribution", required=True)
    put.add_argument("--commit", default="unknown", help="written into config.js")
    put.add_argument("--dry-run", action="store_true", help="print the commands only")
    put.set_defaults(run=upload)

    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
