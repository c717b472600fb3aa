"""The local observability stack (infra/) is consistent by construction: every
dashboard panel queries a provisioned datasource with a query of the right
kind over metrics the app emits, the compose file binds only 127.0.0.1 and
pins its images, and the collector's pipelines use only defined components.

No Docker here: these checks are what stands between a typo and a blank panel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
DASHBOARDS = INFRA / "grafana" / "dashboards"
DATASOURCES = INFRA / "grafana" / "provisioning" / "datasources" / "datasources.yaml"
COMPOSE = INFRA / "compose.yaml"
COLLECTOR = INFRA / "otel-collector.yaml"

# The app's metrics after the collector's Prometheus translation
# (dots to underscores, unit "ms" appended as "milliseconds", "_total" for
# counters; see docs/operations.md), with the series a histogram becomes.
HISTOGRAMS = {
    "graphql_server_operation_duration_milliseconds",  # graphql.server.operation.duration
    "graphql_server_db_duration_milliseconds",  # graphql.server.db.duration
    "http_server_duration_milliseconds",  # http.server.duration (ASGI instrumentation)
}
KNOWN_METRICS = {f"{name}_{suffix}" for name in HISTOGRAMS for suffix in ("bucket", "sum", "count")}
KNOWN_METRICS |= {"ingest_events_total"}  # ingest.events (counter)

# PromQL words that look like metric names but are not.
PROMQL_WORDS = {
    "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "by", "without",
    "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
    "histogram_quantile", "vector", "scalar", "abs", "clamp_min", "clamp_max", "topk",
    "bottomk", "sort", "sort_desc", "label_replace", "time", "le", "inf", "nan", "e",
}  # fmt: skip


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def dashboard_files() -> list[Path]:
    return sorted(DASHBOARDS.glob("*.json"))


def provisioned() -> dict[str, str]:
    """Datasource uid -> type, from the provisioning file."""
    sources = load_yaml(DATASOURCES)["datasources"]
    return {source["uid"]: source["type"] for source in sources}


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, including those inside (collapsed) rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def query_panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Panels that query something: all but rows and text panels."""
    for panel in all_panels(board["panels"]):
        if panel["type"] not in ("row", "text"):
            yield panel


def strip_promql(expr: str) -> str:
    """An expression without strings, label matchers, ranges and grouping
    clauses: what remains of the identifiers are metric names and functions."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", expr)
    return expr


def metric_names(expr: str) -> set[str]:
    stripped = strip_promql(expr)
    identifiers = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", stripped))
    # Numbers such as 0.95 leave no identifiers; durations are inside [].
    return {word for word in identifiers if word.lower() not in PROMQL_WORDS}


def check_dashboard(board: dict[str, Any], sources: dict[str, str]) -> list[str]:
    """Every problem of one dashboard, as sentences (empty when it is fine)."""
    problems: list[str] = []
    for panel in query_panels(board):
        where = f"{board.get('uid')}: panel {panel.get('id')} {panel.get('title')!r}"
        source = panel.get("datasource")
        if not isinstance(source, dict) or source.get("uid") not in sources:
            problems.append(f"{where}: datasource {source!r} is not provisioned")
            continue
        kind = sources[source["uid"]]
        if source.get("type") not in (None, kind):
            problems.append(f"{where}: datasource type {source.get('type')} is not {kind}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{where}: no targets")
        for target in targets:
            own = target.get("datasource", source)
            if not isinstance(own, dict) or own.get("uid") not in sources:
                problems.append(f"{where}: target datasource {own!r} is not provisioned")
                continue
            target_kind = sources[own["uid"]]
            if target_kind == "prometheus":
                expr = target.get("expr") or ""
                if not expr.strip():
                    problems.append(f"{where}: Prometheus target without expr")
                unknown = metric_names(expr) - KNOWN_METRICS
                if unknown:
                    problems.append(f"{where}: unknown metrics {sorted(unknown)} in {expr!r}")
            elif target_kind == "tempo":
                query = target.get("query") or ""
                if target.get("queryType") != "traceql" or not query.strip().startswith("{"):
                    problems.append(f"{where}: Tempo target needs a TraceQL query: {target!r}")
            elif target_kind == "loki":
                expr = target.get("expr") or ""
                if "{" not in expr or 'service_name="tracking-api"' not in expr:
                    problems.append(f"{where}: Loki target needs a stream selector: {expr!r}")
    return problems


# ---------------------------------------------------------------- datasources


def test_the_three_datasources_are_provisioned_and_linked() -> None:
    sources = load_yaml(DATASOURCES)["datasources"]
    by_uid = {source["uid"]: source for source in sources}
    assert provisioned() == {"prometheus": "prometheus", "tempo": "tempo", "loki": "loki"}
    tempo = by_uid["tempo"]["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert "trace_id" in tempo["tracesToLogsV2"]["query"]
    assert tempo["tracesToMetrics"]["datasourceUid"] == "prometheus"
    assert tempo["serviceMap"]["datasourceUid"] == "prometheus"
    assert tempo["nodeGraph"]["enabled"] is True
    exemplars = by_uid["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert {link["datasourceUid"] for link in exemplars} == {"tempo"}
    derived = by_uid["loki"]["jsonData"]["derivedFields"]
    assert derived and {field["datasourceUid"] for field in derived} == {"tempo"}
    for query in tempo["tracesToMetrics"]["queries"]:
        assert not metric_names(query["query"].replace("$$__tags", "")) - KNOWN_METRICS


def test_dashboard_provider_reads_the_mounted_folder() -> None:
    providers = load_yaml(INFRA / "grafana/provisioning/dashboards/dashboards.yaml")["providers"]
    compose = load_yaml(COMPOSE)
    mounts = compose["services"]["grafana"]["volumes"]
    (target,) = [m.split(":")[1] for m in mounts if m.startswith("./grafana/dashboards:")]
    assert [provider["options"]["path"] for provider in providers] == [target]


# ---------------------------------------------------------------- dashboards


def test_the_four_dashboards_exist() -> None:
    names = {path.name for path in dashboard_files()}
    assert names >= {
        "api-overview.json",
        "slow-traces.json",
        "database-time.json",
        "ingestion.json",
    }


@pytest.mark.parametrize("path", dashboard_files(), ids=lambda path: path.name)
def test_dashboard_is_consistent(path: Path) -> None:
    board = json.loads(path.read_text())
    assert board["uid"] and board["title"]
    assert check_dashboard(board, provisioned()) == []
    ids = [panel["id"] for panel in all_panels(board["panels"])]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {path.name}"
    assert list(query_panels(board)), f"{path.name} has no panels"


def test_dashboard_uids_are_unique() -> None:
    uids = [json.loads(path.read_text())["uid"] for path in dashboard_files()]
    assert len(uids) == len(set(uids))


def test_dashboards_cover_what_the_brief_promises() -> None:
    """Each dashboard answers its question with the documented queries."""
    text = {path.stem: path.read_text() for path in dashboard_files()}
    overview = json.loads(text["api-overview"])
    exprs = [
        target.get("expr", "") for panel in query_panels(overview) for target in panel["targets"]
    ]
    for quantile in ("0.50", "0.95", "0.99"):
        assert any(
            f"histogram_quantile({quantile}" in expr and "graphql_operation_name" in expr
            for expr in exprs
        )
    assert any('error="true"' in expr for expr in exprs)
    slow = json.loads(text["slow-traces"])
    tempo_queries = [
        target["query"]
        for panel in query_panels(slow)
        for target in panel["targets"]
        if target["datasource"]["uid"] == "tempo"
    ]
    assert '{resource.service.name="tracking-api" && kind=server} | duration > 500ms' in (
        tempo_queries
    )
    assert any(panel["type"] == "table" for panel in query_panels(slow))
    assert "slow graphql operation" in text["slow-traces"]
    share = (
        "sum by (graphql_operation_name) (rate(graphql_server_db_duration_milliseconds_sum[5m]))"
        " / sum by (graphql_operation_name) "
        "(rate(graphql_server_operation_duration_milliseconds_sum[5m]))"
    )
    assert share in text["database-time"]
    assert "ingest_events_total" in text["ingestion"]
    assert 'http_target=\\"/v1/track\\"' in text["ingestion"]


# The checks must be able to fail.


def sample_board(target: dict[str, Any], uid: str = "prometheus") -> dict[str, Any]:
    return {
        "uid": "x",
        "panels": [
            {
                "id": 1,
                "type": "row",
                "panels": [
                    {
                        "id": 2,
                        "type": "timeseries",
                        "title": "t",
                        "datasource": {"uid": uid},
                        "targets": [target],
                    }
                ],
            }
        ],
    }


def test_a_wrong_uid_inside_a_row_is_caught() -> None:
    board = sample_board({"expr": "sum(ingest_events_total)"}, uid="prom")
    assert check_dashboard(board, provisioned())


def test_an_unknown_metric_is_caught() -> None:
    board = sample_board({"expr": "sum(rate(graphql_operation_duration_seconds_count[5m]))"})
    (problem,) = check_dashboard(board, provisioned())
    assert "graphql_operation_duration_seconds_count" in problem


def test_known_metrics_with_labels_and_functions_pass() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, graphql_operation_name) (rate("
        'graphql_server_operation_duration_milliseconds_bucket{error="true", x=~"a|b"}'
        "[$__rate_interval]))) / on (job) group_left (instance) ingest_events_total or vector(0)"
    )
    assert check_dashboard(sample_board({"expr": expr}), provisioned()) == []


def test_empty_queries_are_caught() -> None:
    sources = provisioned()
    assert check_dashboard(sample_board({"expr": ""}), sources)
    assert check_dashboard(sample_board({"queryType": "traceql", "query": ""}, "tempo"), sources)
    assert check_dashboard(sample_board({"expr": ""}, "loki"), sources)


# ---------------------------------------------------------------- compose


def port_host(port: Any) -> str | None:
    if isinstance(port, dict):
        return port.get("host_ip")
    parts = str(port).split(":")
    return parts[0] if len(parts) == 3 else None


def check_compose(compose: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, service in compose["services"].items():
        image = service.get("image", "")
        repository, _, tag = image.rpartition(":")
        if not repository or "/" in tag or tag in ("", "latest"):
            problems.append(f"{name}: image {image!r} has no pinned tag")
        for port in service.get("ports", []):
            if port_host(port) != "127.0.0.1":
                problems.append(f"{name}: port {port!r} is not bound to 127.0.0.1")
        if service.get("network_mode") == "host":
            problems.append(f"{name}: host networking")
    return problems


def test_compose_binds_localhost_and_pins_images() -> None:
    compose = load_yaml(COMPOSE)
    assert check_compose(compose) == []
    services = compose["services"]
    assert {"mongodb", "otel-collector", "tempo", "prometheus", "loki", "grafana"} <= set(services)
    ports = {name: [str(port) for port in svc.get("ports", [])] for name, svc in services.items()}
    assert "127.0.0.1:27017:27017" in ports["mongodb"]
    assert {"127.0.0.1:4317:4317", "127.0.0.1:4318:4318"} <= set(ports["otel-collector"])
    assert "127.0.0.1:3000:3000" in ports["grafana"]


def test_compose_checks_can_fail() -> None:
    bad = {
        "services": {
            "a": {"image": "grafana/grafana:latest"},
            "b": {"image": "grafana/grafana"},
            "c": {"image": "mongo:7.0.16", "ports": ["27017:27017"]},
            "d": {"image": "mongo:7.0.16", "ports": ["0.0.0.0:27017:27017"]},
            "e": {"image": "localhost:5000/mongo"},
        }
    }
    assert len(check_compose(bad)) == 5


def test_no_phone_home() -> None:
    compose = load_yaml(COMPOSE)
    grafana = compose["services"]["grafana"]["environment"]
    assert grafana["GF_ANALYTICS_REPORTING_ENABLED"] == "false"
    assert grafana["GF_ANALYTICS_CHECK_FOR_UPDATES"] == "false"
    assert load_yaml(INFRA / "tempo.yaml")["usage_report"]["reporting_enabled"] is False
    assert load_yaml(INFRA / "loki.yaml")["analytics"]["reporting_enabled"] is False


def test_config_files_mounted_by_compose_exist() -> None:
    for service in load_yaml(COMPOSE)["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (INFRA / source).exists(), source


# ---------------------------------------------------------------- collector


def check_pipelines(config: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    pipelines = config["service"]["pipelines"]
    for pipeline, parts in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            defined = config.get(section) or {}
            for component in parts.get(section, []):
                if component not in defined:
                    problems.append(f"{pipeline}: {section[:-1]} {component} is not defined")
        if not parts.get("receivers") or not parts.get("exporters"):
            problems.append(f"{pipeline}: needs receivers and exporters")
    for extension in config["service"].get("extensions", []):
        if extension not in (config.get("extensions") or {}):
            problems.append(f"extension {extension} is not defined")
    return problems


def test_collector_pipelines_use_defined_components() -> None:
    config = load_yaml(COLLECTOR)
    assert check_pipelines(config) == []
    pipelines = config["service"]["pipelines"]
    assert set(pipelines) == {"traces", "metrics", "logs"}
    exporters = config["exporters"]
    (traces,) = pipelines["traces"]["exporters"]
    assert traces.split("/")[0] == "otlp" and "tempo" in exporters[traces]["endpoint"]
    (metrics,) = pipelines["metrics"]["exporters"]
    assert metrics == "prometheusremotewrite"
    (logs,) = pipelines["logs"]["exporters"]
    assert logs.split("/")[0] == "otlphttp" and exporters[logs]["endpoint"].endswith("/otlp")


def test_pipeline_check_can_fail() -> None:
    config = load_yaml(COLLECTOR)
    config["service"]["pipelines"]["traces"]["exporters"] = ["otlp/jaeger"]
    assert check_pipelines(config) == ["traces: exporter otlp/jaeger is not defined"]
