"""The Lambda bundle: ``python -m infra.lambda_package`` (``make lambda-package``).

Builds ``.build/lambda.zip``, the artifact ``serverless.yml`` deploys
(``package.artifact``): the locked runtime dependencies, installed as wheels
for Lambda's platform whatever machine builds it, plus ``api/`` and ``schema/``,
with their bytecode compiled by the runtime's Python, 3.12 (the one build step
that needs it, found by ``lambda_python``; ``--no-bytecode`` skips it). The
static files (``web/``) are not in it: CloudFront serves them from S3. Sizes go to stdout and
``bench-output/lambda-package.json``.

The zip is reproducible: the same lock and sources give the same bytes
(sorted entries, fixed timestamps and permissions), so its SHA-256 says whether
two builds ship the same thing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".build"
ZIP = BUILD / "lambda.zip"
REPORT = ROOT / "bench-output" / "lambda-package.json"
LOCK = ROOT / "uv.lock"
PROJECT = "tracking"
SOURCES = ("api", "schema")

# Runtime dependencies of the CLI (demo data, progress bars) and of the local
# server; api.lambda_handler never imports them. Whatever only they pull in is
# left out too (dropped_packages).
NOT_IN_LAMBDA = ("faker", "rich", "uvicorn")
# Part of Lambda's Python runtime: api.lambda_handler imports boto3 (to read
# its SSM parameters) from there, so the project has it as a dev dependency
# only (for tests) and the bundle must not carry its own 25 MB of it.
IN_LAMBDA_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath")

# Lambda's python3.12 runtime runs on Amazon Linux 2023, whose glibc is 2.34.
# (python3.11 runs on Amazon Linux 2, glibc 2.26, which DuckDB's wheels, built
# for 2.27 and up, do not load on.) The project itself still supports 3.11
# locally; the bundle is built for the runtime, whatever Python runs the build.
PYTHON_VERSION = "3.12"
PLATFORM = "x86_64-manylinux_2_34"
LAMBDA_GLIBC = 34

# AWS Lambda's limits. 50 MB zipped binds only a zip sent in the API call
# itself; the Framework uploads the artifact to its deployment bucket and the
# function is created from there, where only the 250 MB unzipped limit holds.
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
UNZIPPED_LIMIT = 250 * 1024 * 1024

# Never imported at run time: test suites shipped inside wheels, type stubs,
# and bytecode left by whatever Python ran before (compile_bytecode makes it anew).
STRIP_DIRS = {"tests", "__pycache__"}
STRIP_SUFFIXES = (".pyi", ".pyc")
# Where Lambda unpacks the zip.
LAMBDA_TASK_ROOT = "/var/task"
# The zip's one timestamp: the earliest a zip can hold.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def uv() -> str:
    # `uv run` names itself in UV; uv may not be on PATH (a user install).
    return os.environ.get("UV") or shutil.which("uv") or "uv"


def normalise(name: str) -> str:
    """PEP 503 name: what uv.lock, pip and ``--no-emit-package`` agree on."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class LockGraph:
    """Who depends on whom in uv.lock; edges through extras only when asked for."""

    roots: tuple[tuple[str, tuple[str, ...]], ...]
    requires: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]
    extras: Mapping[str, Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]]]


def _edges(entries: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (normalise(entry["name"]), tuple(sorted(entry.get("extra", ())))) for entry in entries
    )


def lock_graph(lock: Mapping[str, Any], project: str = PROJECT) -> LockGraph:
    """The dependency graph of ``project``'s runtime (not dev) dependencies.

    Environment markers are ignored: an edge that only holds on Windows keeps
    its target, which can only make the bundle bigger, never break it."""
    requires: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    extras: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}
    roots: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    for package in lock.get("package", []):
        name = normalise(package["name"])
        edges = _edges(package.get("dependencies", []))
        if name == normalise(project):
            roots = edges
            continue
        # A package locked at several versions (forked resolution): the union.
        requires.setdefault(name, []).extend(edges)
        for extra, entries in package.get("optional-dependencies", {}).items():
            extras.setdefault(name, {}).setdefault(extra, []).extend(_edges(entries))
    if roots is None:
        raise ValueError(f"{project} is not in the lock file")
    return LockGraph(
        roots=roots,
        requires={name: tuple(edges) for name, edges in requires.items()},
        extras={
            name: {extra: tuple(edges) for extra, edges in by_extra.items()}
            for name, by_extra in extras.items()
        },
    )


def reachable(graph: LockGraph, blocked: Iterable[str] = ()) -> set[str]:
    """Packages the project's dependencies pull in, never walking through ``blocked``."""
    stop = {normalise(name) for name in blocked}
    seen: set[tuple[str, str | None]] = set()
    pending = list(graph.roots)
    while pending:
        name, wanted = pending.pop()
        if name in stop:
            continue
        if (name, None) not in seen:
            seen.add((name, None))
            pending.extend(graph.requires.get(name, ()))
        for extra in wanted:
            if (name, extra) not in seen:
                seen.add((name, extra))
                pending.extend(graph.extras.get(name, {}).get(extra, ()))
    return {name for name, _ in seen}


def dropped_packages(lock: Mapping[str, Any], excluded: Iterable[str] = NOT_IN_LAMBDA) -> set[str]:
    """``excluded`` and everything that only they need: the ``--no-emit-package`` list.

    A package that anything kept also needs stays (``click`` comes with
    uvicorn, but beanie needs it too)."""
    graph = lock_graph(lock)
    return reachable(graph) - reachable(graph, excluded)


def requirement_pins(requirements: str) -> dict[str, str]:
    """Name to the whole line (``name==version ; marker``) of a ``uv export`` file."""
    pins = {}
    for raw in requirements.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        pins[normalise(re.split(r"[=<>!~;\[ @]", line, maxsplit=1)[0])] = line
    return pins


def requirement_names(requirements: str) -> set[str]:
    return set(requirement_pins(requirements))


def pinned_version(line: str) -> str | None:
    match = re.search(r"==\s*([^\s;]+)", line)
    return match.group(1) if match else None


def export_requirements(dropped: Iterable[str]) -> str:
    command = [
        uv(), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
        "--no-header", "--no-annotate", "--format", "requirements.txt",
    ]  # fmt: skip
    for name in sorted(dropped):
        command += ["--no-emit-package", name]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


_GLIBC_OF_LEGACY_TAG = {"manylinux1": 5, "manylinux2010": 12, "manylinux2014": 17}


def _python_abi_ok(python: str, abi: str) -> bool:
    """Whether the Lambda's CPython (PYTHON_VERSION) loads a wheel tagged ``python``-``abi``."""
    minor = int(PYTHON_VERSION.split(".")[1])
    own = f"cp3{minor}"
    if abi == "none":
        return python in {"py3", f"py3{minor}", own}
    if abi == own:
        return python == own
    if abi == "abi3":
        match = re.fullmatch(r"cp3(\d+)", python)
        return match is not None and 2 <= int(match.group(1)) <= minor
    return False


def _glibc_of_platform(platform: str) -> int | None:
    if platform == "any":
        return 0
    legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_x86_64", platform)
    if legacy:
        return _GLIBC_OF_LEGACY_TAG[legacy.group(1)]
    modern = re.fullmatch(r"manylinux_2_(\d+)_x86_64", platform)
    return int(modern.group(1)) if modern else None


def glibc_needed(tags: str) -> int | None:
    """The least glibc 2.x under which a wheel with these tags
    (``python-abi-platform``, each part possibly dotted) loads on the Lambda's
    CPython on x86_64 Linux: 0 for pure Python, None if it never does."""
    try:
        pythons, abis, platforms = tags.split("-")
    except ValueError:
        return None
    if not any(_python_abi_ok(p, a) for p in pythons.split(".") for a in abis.split(".")):
        return None
    needs = [g for g in map(_glibc_of_platform, platforms.split(".")) if g is not None]
    return min(needs) if needs else None


def wheel_tags(filename: str) -> str:
    """``python-abi-platform`` of a wheel file name."""
    return "-".join(unquote(filename).removesuffix(".whl").split("-")[-3:])


def lock_glibc(lock: Mapping[str, Any], pins: Mapping[str, str]) -> dict[str, int | None]:
    """For each pinned package, the least glibc any of its locked wheels needs
    on the Lambda (None: no wheel loads there)."""
    needs: dict[str, int | None] = {name: None for name in pins}
    for package in lock.get("package", []):
        name = normalise(package["name"])
        if name not in pins or pinned_version(pins[name]) not in (None, package.get("version")):
            continue
        for wheel in package.get("wheels", []):
            glibc = glibc_needed(wheel_tags(wheel["url"].rsplit("/", 1)[-1]))
            current = needs[name]
            if glibc is not None and (current is None or glibc < current):
                needs[name] = glibc
    return needs


def lambda_requirements(lock: Mapping[str, Any], requirements: str) -> list[str]:
    """The requirement lines to install, once every package is known to have
    a wheel that loads on the Lambda (its Python, x86_64, glibc 2.34)."""
    pins = requirement_pins(requirements)
    needs = lock_glibc(lock, pins)
    unusable = sorted(name for name, glibc in needs.items() if glibc is None)
    too_new = sorted(n for n, g in needs.items() if g is not None and g > LAMBDA_GLIBC)
    if unusable or too_new:
        raise SystemExit(
            f"no wheel that loads on Lambda's python{PYTHON_VERSION} "
            f"(glibc 2.{LAMBDA_GLIBC}) for: " + ", ".join(unusable + too_new)
        )
    return [pins[name] for name in sorted(pins)]


def install(lines: list[str], platform: str, target: Path, folder: Path) -> None:
    if not lines:
        return
    requirements = folder / f"requirements-{platform}.txt"
    requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # --no-deps: the export is already the whole locked set; resolving again
    # could bring back what was left out.
    command = [
        uv(), "pip", "install", "--quiet", "--target", str(target),
        "--python-platform", platform, "--python-version", PYTHON_VERSION,
        "--only-binary", ":all:", "--no-deps", "--requirements", str(requirements),
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True)


def check_installed_wheels(target: Path) -> None:
    """Every installed wheel must load under Lambda's glibc, whatever uv chose."""
    wrong = []
    for wheel in sorted(target.glob("*.dist-info/WHEEL")):
        tags = [
            line.split(":", 1)[1].strip()
            for line in wheel.read_text(encoding="utf-8").splitlines()
            if line.startswith("Tag:")
        ]
        needs = [g for g in map(glibc_needed, tags) if g is not None]
        if not needs or min(needs) > LAMBDA_GLIBC:
            wrong.append(f"{wheel.parent.name} ({', '.join(tags)})")
    if wrong:
        raise SystemExit("installed wheels that do not load on Lambda: " + "; ".join(wrong))


def copy_sources(target: Path, root: Path = ROOT) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in STRIP_DIRS or n.endswith(STRIP_SUFFIXES)}

    for name in SOURCES:
        shutil.copytree(root / name, target / name, ignore=ignore)


def strip(target: Path) -> int:
    """Removes what no import needs; returns the bytes saved."""
    saved = 0
    # Console scripts: their shebang names the building machine's Python.
    scripts = target / "bin"
    if scripts.is_dir():
        saved += sum(f.stat().st_size for f in scripts.rglob("*") if f.is_file())
        shutil.rmtree(scripts)
    for folder in sorted(target.rglob("*"), reverse=True):
        if folder.is_dir() and folder.name in STRIP_DIRS:
            saved += sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder)
    for file in target.rglob("*"):
        if file.is_file() and file.name.endswith(STRIP_SUFFIXES):
            saved += file.stat().st_size
            file.unlink()
    return saved


def lambda_python() -> str | None:
    """An interpreter of the Lambda's Python version on this machine (it
    compiles the bytecode and loads the bundle for the check): ``LAMBDA_PYTHON``,
    the running one if it is that version, else ``python3.12`` on PATH or one
    uv knows of."""
    if named := os.environ.get("LAMBDA_PYTHON"):
        return named
    if f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON_VERSION:
        return sys.executable
    candidates = [shutil.which(f"python{PYTHON_VERSION}")]
    found = subprocess.run(
        [uv(), "python", "find", "--no-project", PYTHON_VERSION],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    candidates.append(found.stdout.strip() if found.returncode == 0 else None)
    for candidate in filter(None, candidates):
        version = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if version.returncode == 0 and version.stdout.strip() == PYTHON_VERSION:
            return candidate
    return None


def compile_bytecode(tree: Path) -> None:
    """Bytecode for the Lambda's CPython beside every module.

    /var/task is read-only, so without it every cold start compiles each module
    it imports again: measured here, importing the handler took 1.7 s from
    sources and 0.8 s with bytecode. Unchecked hashes: valid without comparing
    timestamps (the zip has none) and the same bytes on every build; paths in
    tracebacks are where Lambda unpacks the code."""
    python = lambda_python()
    if python is None:
        raise SystemExit(
            f"compiling bytecode for Lambda needs Python {PYTHON_VERSION}: install it "
            f"(uv python install {PYTHON_VERSION}), name it in LAMBDA_PYTHON, or pass --no-bytecode"
        )
    command = [
        python, "-m", "compileall", "-q", "-j", "0",
        "--invalidation-mode", "unchecked-hash", "-s", str(tree), "-p", LAMBDA_TASK_ROOT,
        str(tree),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"compiling bytecode failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def files_of(tree: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(tree.rglob("*")):
        if path.is_file():
            yield path.relative_to(tree).as_posix(), path


def write_zip(tree: Path, destination: Path) -> tuple[int, int, int]:
    """Zips ``tree`` reproducibly; returns (zipped bytes, unzipped bytes, files)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    unzipped = count = 0
    partial = destination.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, path in files_of(tree):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # Unix, so that the mode below is honoured
            # Readable by the Lambda's sandbox user; nothing needs the execute bit.
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            archive.writestr(info, data, compresslevel=9)
            unzipped += len(data)
            count += 1
    partial.replace(destination)
    return destination.stat().st_size, unzipped, count


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Runs inside the unpacked bundle with no site-packages (-I -S): an import
# missing from the bundle fails here instead of at the first cold start.
VERIFY = """
import json, sys
sys.path.insert(0, sys.argv[1])
from api.lambda_handler import handler
event = {
    "version": "2.0", "routeKey": "GET /healthz", "rawPath": "/healthz", "rawQueryString": "",
    "headers": {"host": "bundle.check"},
    "requestContext": {"http": {"method": "GET", "path": "/healthz", "sourceIp": "127.0.0.1"},
                       "stage": "$default"},
    "isBase64Encoded": False,
}
response = handler(event, None)
# The analytical store's engine: its native library, Parquet and time zones.
import duckdb
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
check = sys.argv[1] + "/check.parquet"
con.execute("COPY (SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS t) TO '" + check + "'")
assert con.execute("SELECT t FROM read_parquet('" + check + "')").fetchone()[0].year == 2026
outside = sorted({m.split(".")[0] for m, module in list(sys.modules.items())
                  if getattr(module, "__file__", None)
                  and not module.__file__.startswith(sys.argv[1])
                  and not module.__file__.startswith(sys.base_prefix)})
print(json.dumps({"status": response["statusCode"], "outside": outside,
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def can_load_bundle() -> bool:
    return sys.platform == "linux" and os.uname().machine == "x86_64" and bool(lambda_python())


def verify(archive: Path, dropped: Iterable[str]) -> str:
    """Unpacks the zip and answers GET /healthz through the real handler with
    only the bundle and the standard library importable."""
    with tempfile.TemporaryDirectory(prefix="lambda-bundle-") as folder:
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(folder)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "STAGE": "prod",
            # Nothing listens there; /healthz does not touch the database.
            "MONGODB_URI": "mongodb://127.0.0.1:9/",
            "MONGODB_TIMEOUT_MS": "300",
        }
        done = subprocess.run(
            [lambda_python() or sys.executable, "-I", "-S", "-c", VERIFY, folder],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"bundle check failed: the handler did not load\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200:
        raise SystemExit(f"bundle check failed: GET /healthz answered {result['status']}")
    if result["outside"]:
        raise SystemExit(f"bundle check failed: imported from outside it: {result['outside']}")
    modules = {normalise(name) for name in result["modules"]}
    leaked = modules & {normalise(name) for name in dropped}
    if leaked:
        raise SystemExit(f"bundle check failed: left-out packages imported: {sorted(leaked)}")
    return "GET /healthz answered 200 from the unpacked bundle"


def build(destination: Path = ZIP, check: bool = True, bytecode: bool = True) -> dict[str, Any]:
    lock = tomllib.loads(LOCK.read_text(encoding="utf-8"))
    dropped = dropped_packages(lock)
    requirements = export_requirements(dropped)
    emitted = requirement_names(requirements)
    if emitted & dropped:
        raise SystemExit(f"uv export still lists {sorted(emitted & dropped)}")
    if emitted & set(IN_LAMBDA_RUNTIME):
        raise SystemExit(
            f"the runtime dependencies pull in {sorted(emitted & set(IN_LAMBDA_RUNTIME))}, "
            "which Lambda's runtime has: keep them dev-only"
        )
    with tempfile.TemporaryDirectory(prefix="lambda-build-") as folder:
        tree = Path(folder) / "bundle"
        install(lambda_requirements(lock, requirements), PLATFORM, tree, Path(folder))
        check_installed_wheels(tree)
        saved = strip(tree)
        copy_sources(tree)
        if bytecode:
            compile_bytecode(tree)
        zipped, unzipped, files = write_zip(tree, destination)
    report: dict[str, Any] = {
        "artifact": destination.relative_to(ROOT).as_posix()
        if destination.is_relative_to(ROOT)
        else destination.name,
        "zipped_bytes": zipped,
        "unzipped_bytes": unzipped,
        "zipped_mb": round(zipped / 1024 / 1024, 2),
        "unzipped_mb": round(unzipped / 1024 / 1024, 2),
        "direct_upload_limit_mb": DIRECT_UPLOAD_LIMIT // 1024 // 1024,
        "unzipped_limit_mb": UNZIPPED_LIMIT // 1024 // 1024,
        "files": files,
        "stripped_bytes": saved,
        "sha256": sha256(destination),
        "python": PYTHON_VERSION,
        "bytecode": bytecode,
        "platform": PLATFORM,
        "packages": sorted(line for line in requirements.splitlines() if line and line[0] != "#"),
        "left_out": sorted(dropped),
    }
    if check and can_load_bundle():
        report["check"] = verify(destination, dropped)
    elif check:
        report["check"] = f"skipped: needs Python {PYTHON_VERSION} on x86_64 Linux to load it"
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.lambda_package", description=__doc__)
    parser.add_argument("--output", type=Path, default=ZIP, help="zip to write")
    parser.add_argument("--report", type=Path, default=REPORT, help="JSON report to write")
    parser.add_argument(
        "--no-check", action="store_true", help="skip loading the handler from the bundle"
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="ship sources only (smaller, slower cold starts; any Python can build it)",
    )
    args = parser.parse_args(argv)
    report = build(args.output.resolve(), check=not args.no_check, bytecode=not args.no_bytecode)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"{report['artifact']}: {report['zipped_mb']} MB zipped "
        f"(deployed through S3; {report['direct_upload_limit_mb']} for a direct upload), "
        f"{report['unzipped_mb']} MB unzipped "
        f"(limit {report['unzipped_limit_mb']}), {report['files']} files, "
        f"sha256 {report['sha256'][:16]}…"
    )
    print(f"left out: {', '.join(report['left_out'])}")
    if "check" in report:
        print(f"check: {report['check']}")
    if report["unzipped_bytes"] > UNZIPPED_LIMIT:
        print("too big for Lambda (unzipped)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
