"""The load test's figures as Markdown: bench-output/load.md and the block
between the load markers in docs/performance.md."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.report import markdown_table
from tests.load import kinds

START, END = "<!-- load:start -->", "<!-- load:end -->"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def cores(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def when(value: str) -> str:
    return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M} UTC"


def overview(runs: list[dict[str, Any]]) -> str:
    columns = ["run", "users", "workers", "requests", "req/s", "failed", "p50 ms", "p95 ms",
               "p99 ms", "API CPU", "DB CPU", "locust CPU", "other CPU", "API RSS MB"]  # fmt: skip
    rows = []
    for run in runs:
        total, used = run["total"], run["resources"]["cpu_cores"]
        rss = run["resources"]["rss_mb"]
        rows.append([
            run["name"], str(run["users"]), str(run["workers"]), f"{total['requests']:,}",
            f"{total['rps']:.1f}", f"{total['failures']:,}", ms(total["p50_ms"]),
            ms(total["p95_ms"]), ms(total["p99_ms"]), cores(used.get("api")),
            cores(used.get("database")), cores(used.get("locust")), cores(used.get("other")),
            f"{run['idle_rss_mb']:.0f} → {rss['last']:.0f}",
        ])  # fmt: skip
    return markdown_table(columns, rows)


def by_kind(runs: list[dict[str, Any]]) -> str:
    """One row per kind; for each run (one load, its workers) how many were sent
    in the measured part and p50/p95/p99."""
    columns = ["kind"]
    for run in runs:
        label = f"{run['workers']}w"
        columns += [f"{label} n", f"{label} p50", f"{label} p95", f"{label} p99"]
    rows = []
    for kind in kinds.ALL_KINDS:
        if not any(kind in run["kinds"] for run in runs):
            continue  # not sent in any of them (a run of some user classes only)
        row = [kind]
        for run in runs:
            figures = run["kinds"].get(kind)
            if figures is None:
                row += ["-"] * 4
                continue
            row += [f"{figures['requests']:,}", ms(figures["p50_ms"]), ms(figures["p95_ms"]),
                    ms(figures["p99_ms"])]  # fmt: skip
        rows.append(row)
    return markdown_table(columns, rows)


def _error(text: str) -> str:
    """A failure's kind, without the run's port; locust's 60 s timeout named."""
    text = re.sub(r"http://127\.0\.0\.1:\d+", "", text)
    if "RetriesExceeded" in text and "timed out" in text:
        return "no answer within locust's 60 s timeout"
    return text.replace("CatchResponseError(", "").rstrip(")").strip("'\"")


def failures(runs: list[dict[str, Any]]) -> str:
    """Failures by run and kind of error, with the kinds of request that had them."""
    rows = []
    for run in runs:
        grouped: dict[str, dict[str, int]] = {}
        for item in run["failures"]:
            by_kind = grouped.setdefault(_error(item["error"]), {})
            by_kind[item["kind"]] = by_kind.get(item["kind"], 0) + item["count"]
        for error, by_kind in grouped.items():
            ordered = sorted(by_kind.items(), key=lambda pair: -pair[1])
            named = ", ".join(f"{kind} {count}" for kind, count in ordered)
            rows.append(
                [run["name"], error.replace("|", "\\|"), f"{sum(by_kind.values()):,}", named]
            )
        rows += [
            [run["name"], f"locust exception: {item['message'][:100]}", f"{item['count']:,}", ""]
            for item in run["exceptions"]
        ]
    if not rows:
        return "No request failed and locust raised no exception in any run."
    return markdown_table(["run", "error", "count", "by kind"], rows)


def api_health(runs: list[dict[str, Any]]) -> str:
    notes = []
    for run in runs:
        if not run["api_survived"]:
            notes.append(f"{run['name']}: the API process exited during the run")
        if run["api_log"]:
            counts = "; ".join(f"{what} ({count:,})" for what, count in run["api_log"].items())
            notes.append(f"{run['name']}: API log lines above INFO: {counts}")
    return "\n".join(f"- {note}" for note in notes) or "- The API logged nothing above INFO."


def soak_section(soak: dict[str, Any]) -> str:
    memory, total = soak["memory"], soak["total"]
    verdict = "**flat**" if memory["flat"] else "**not flat**"
    middle = f"{memory['middle_minute_mb']:.1f}" if "middle_minute_mb" in memory else "?"
    commit = f", commit {soak['code']['commit']}" if soak.get("code") else ""
    classes = soak.get("classes") or list(kinds.BASELINE)
    who = "the whole mix" if len(classes) == len(kinds.BASELINE) else ", ".join(classes)
    minutes = markdown_table(
        ["minute", *(str(n + 1) for n in range(len(memory["per_minute_mb"])))],
        [["RSS MB", *(f"{mb:.1f}" for mb in memory["per_minute_mb"])]],
    )
    return f"""### Soak

- Run {when(soak["date"])}{commit}: the 1x load of {who} ({soak["users"]} users) for
  {soak["duration_s"]:.0f} s after a {soak["ramp_s"]:.0f} s ramp, {soak["workers"]} worker(s);
  memory sampled every few seconds: {total["requests"]:,} requests, {total["rps"]:.1f}/s,
  {total["failures"]:,} failed; p50 {ms(total["p50_ms"])} ms, p95 {ms(total["p95_ms"])} ms,
  p99 {ms(total["p99_ms"])} ms.
- API RSS: {soak["idle_rss_mb"]:.0f} MB idle after start; {memory["first_minute_mb"]:.1f} MB
  in the first minute, {middle} MB at the middle, {memory["last_minute_mb"]:.1f} MB in the last
  ({memory["growth_mb"]:+.1f} MB, {memory["growth_pct"]:+.1f} % over the run); slope
  {memory["slope_mb_per_min"]:+.3f} MB/min over the run,
  {memory["second_half_slope_mb_per_min"]:+.3f} MB/min over its second half; peak
  {memory["max_mb"]:.1f} MB. Verdict: {verdict} (flat = once warmed up: the last minute
  within 5 % of the middle one and under 0.5 MB/min of growth in the second half).

{minutes}

{by_kind([soak])}"""


def markdown(result: dict[str, Any], full: bool = False) -> str:
    """The figures; by kind for the lowest and highest load only, unless ``full``."""
    machine, db = result["machine"], result["database"]
    server = f"{db['kind']} {db['version']}" + (f" on {db['storage']}" if db["storage"] else "")
    baseline = result["baseline"]
    code = result.get("code") or {"commit": "?", "uncommitted": []}
    dirty = (
        " with uncommitted changes in " + ", ".join(f"`{name}`" for name in code["uncommitted"])
        if code["uncommitted"]
        else ""
    )
    note = f" ({code['note']})" if code.get("note") else ""
    runs = sorted(result.get("runs", {}).values(), key=lambda run: (run["load"], run["workers"]))
    parts = [
        f"""- Machine: {machine["cpu"]}, {machine["cores"]} cores, {machine["ram_gb"]:.1f} GiB RAM,
  {machine["platform"]}, Python {machine["python"]}. The API, the database
  ({server}) and locust all run on it.
- Code: commit {code["commit"]}{dirty}{note}.
- Baseline (1x): {baseline["Staff"]} staff, {baseline["Analyst"]} analysts and
  {baseline["Visitor"]} website visitors at once ({sum(baseline.values())} locust users);
  rate limits on at {result["rate_limit_per_minute"]:,} requests a minute (never refusing)."""
    ]
    if runs:
        first = runs[0]
        data = first["dataset"]
        parts.append(
            f"""### Runs

- Run {when(first["date"])}. Each run: a freshly seeded database ({data["customers"]:,}
  customers, {data["sessions"]:,} sessions, {data["events"]:,} events), a
  {first["ramp_s"]:.0f} s ramp (not measured), then {first["duration_s"]:.0f} s measured.
- CPU in cores busy (mean over the measured part; the machine has {machine["cores"]});
  API RSS summed over the API's processes, idle after start → at the end.
  Percentiles are locust's (rounded to 2 significant digits from 100 ms up).

{overview(runs)}"""
        )
        loads = sorted({run["load"] for run in runs})
        for load in loads if full else sorted({loads[0], loads[-1]}):
            same = [run for run in runs if run["load"] == load]
            parts.append(
                f"#### {load:g}x ({same[0]['users']} users): by kind, ms\n\n{by_kind(same)}"
            )
        parts.append(f"#### Failures\n\n{failures(runs)}\n\n{api_health(runs)}")
    if "soak" in result:
        parts.append(soak_section(result["soak"]))
    return "\n\n".join(parts)


def write_docs(path: Path, text: str) -> None:
    """Replace the block between the markers (added at the end when missing)."""
    current = path.read_text()
    if START not in current:
        current = current.rstrip("\n") + f"\n\n## Load test\n\n{START}\n{END}\n"
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}")
