"""The deployment is consistent by construction: serverless.yml, the workflows
and the packaging and upload scripts agree with the app and with each other.

Nothing here talks to AWS or GitHub (nothing can, from here): these checks are
what stands between a typo and a failed, or worse a wrong, deploy.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Message

from infra import deploy_spa, lambda_package

ROOT = Path(__file__).resolve().parents[2]
SERVERLESS = ROOT / "serverless.yml"
CI = ROOT / ".github" / "workflows" / "ci.yml"
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"
STAGES = ("dev", "staging", "prod")

# AWS managed CloudFront policies (their ids are the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
API_PATH_PATTERNS = {"/graphql", "/v1/*", "/healthz", "/readyz"}
YEAR = 31_536_000
LOG_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653}

# What must never be written into these files.
INLINE_SECRETS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "MongoDB URI with credentials": re.compile(r"mongodb(\+srv)?://[^\s/@'\"]+:[^\s/@'\"]*@"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "password": re.compile(r"password\s*:", re.IGNORECASE),
    "AWS secret key input": re.compile(r"aws[-_]secret[-_]access[-_]key", re.IGNORECASE),
}
SECRET_LIKE = re.compile(r"URI|SECRET|PASSWORD|TOKEN|KEY|HEADERS|CREDENTIAL|OIDC", re.IGNORECASE)
# In workflows, where `key` is also a cache's name.
WORKFLOW_SECRET_LIKE = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY|URI", re.IGNORECASE)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads GitHub's `on:` key as the boolean True.
    found: dict[str, Any] = workflow.get("on", workflow.get(True)) or {}
    return found


@pytest.fixture(scope="module")
def sls() -> dict[str, Any]:
    return load(SERVERLESS)


@pytest.fixture(scope="module")
def resources(sls: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = sls["resources"]["Resources"]
    return found


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load(CI)


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load(DEPLOY)


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == kind}


def ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def referenced(resources: dict[str, Any], value: Any) -> dict[str, Any]:
    """The properties of the resource ``value`` refers to with Ref."""
    name = ref(value)
    assert name in resources, value
    found: dict[str, Any] = resources[name]["Properties"]
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job.get("steps", [])
    return found


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]


# ---- serverless.yml: stages, function, routes ------------------------------


def test_every_stage_has_its_settings(sls: dict[str, Any]) -> None:
    params = sls["params"]
    assert set(params) - {"default"} == set(STAGES)
    for stage in STAGES:
        values = {**params.get("default", {}), **params[stage]}
        assert 128 <= values["memory"] <= 10240, stage
        # API Gateway ends an integration at 30 s; the function must end first.
        assert 1 <= values["timeout"] <= 29, stage
        assert values["logRetentionDays"] in LOG_RETENTION_DAYS, stage
        assert values["reservedConcurrency"] >= 1, stage
        # A string: Lambda environment values are strings.
        assert isinstance(values["otelSampleRatio"], str), stage
        assert 0 < float(values["otelSampleRatio"]) <= 1, stage
    provider = sls["provider"]
    assert provider["memorySize"] == "${param:memory}"
    assert provider["timeout"] == "${param:timeout}"
    assert provider["logRetentionInDays"] == "${param:logRetentionDays}"
    assert provider["environment"]["OTEL_TRACES_SAMPLER_ARG"] == "${param:otelSampleRatio}"


def test_only_prod_keeps_containers_warm(sls: dict[str, Any]) -> None:
    params = sls["params"]
    prod = params["prod"]
    assert prod["provisionedConcurrency"] >= 1
    assert prod["reservedConcurrency"] >= prod["provisionedConcurrency"]
    assert "provisionedConcurrency" not in params["dev"]
    assert "provisionedConcurrency" not in params["staging"]
    assert "provisionedConcurrency" not in params.get("default", {})
    function = sls["functions"]["api"]
    assert function["reservedConcurrency"] == "${param:reservedConcurrency}"
    # Elsewhere the missing param falls back to null: no alias, no warm containers.
    assert function["provisionedConcurrency"] == "${param:provisionedConcurrency, null}"


def test_runtime_is_the_python_the_bundle_is_built_for(sls: dict[str, Any]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = re.fullmatch(r">=\s*(\d+)\.(\d+)", project["project"]["requires-python"].strip())
    assert minimum, project["project"]["requires-python"]
    supported = (int(minimum.group(1)), int(minimum.group(2)))
    runtime = tuple(int(part) for part in lambda_package.PYTHON_VERSION.split("."))
    assert sls["provider"]["runtime"] == f"python{lambda_package.PYTHON_VERSION}"
    assert sls["provider"]["architecture"] == "x86_64"
    assert runtime >= supported
    # python3.12 runs on Amazon Linux 2023 (glibc 2.34); DuckDB needs 2.27.
    assert lambda_package.LAMBDA_GLIBC == 34
    assert lambda_package.PLATFORM == "x86_64-manylinux_2_34"


def test_it_deploys_the_zip_lambda_package_builds(sls: dict[str, Any]) -> None:
    assert sls["package"] == {"artifact": lambda_package.ZIP.relative_to(ROOT).as_posix()}
    assert sls["functions"]["api"]["handler"] == "api.lambda_handler.handler"
    assert sls["service"] == "tracking"
    assert str(sls["frameworkVersion"]) == "3"


def unwrap(app: Any) -> Starlette:
    """The Starlette app inside the middlewares create_app wraps it in."""
    while not isinstance(app, Starlette):
        app = app.app
    return app


def app_api_routes() -> dict[str, set[str]]:
    """The app's own routes (not its static files) and their methods."""
    from api.server import graphiql
    from api.server import static as web
    from api.server.app import create_app
    from api.settings import Settings

    static = {id(route) for route in (*graphiql.routes, *web.routes)}
    # Nothing connects: the client is lazy and no request is made.
    app = unwrap(create_app(Settings()))
    return {
        route.path: set(route.methods or ()) - {"HEAD"}
        for route in app.routes
        if isinstance(route, Route) and id(route) not in static
    }


def test_http_api_routes_are_the_apps_api_routes(sls: dict[str, Any]) -> None:
    routes: dict[str, set[str]] = {}
    for event in sls["functions"]["api"]["events"]:
        route = event["httpApi"]
        routes.setdefault(route["path"], set()).add(route["method"])
    expected = app_api_routes()
    # /graphql answers CORS preflights only for CORS_ORIGINS (a SPA on another
    # origin); here the SPA shares the API's origin, so none come.
    assert "CORS_ORIGINS" not in sls["provider"]["environment"]
    expected["/graphql"].discard("OPTIONS")
    assert routes == expected
    assert routes == {
        "/graphql": {"GET", "POST"},
        "/v1/track": {"POST", "OPTIONS"},
        "/healthz": {"GET"},
        "/readyz": {"GET"},
    }


# ---- serverless.yml: secrets, configuration, permissions --------------------


@pytest.mark.parametrize("path", [SERVERLESS, CI, DEPLOY], ids=lambda p: p.name)
def test_no_secret_is_written_inline(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = {name for name, pattern in INLINE_SECRETS.items() if pattern.search(text)}
    assert not found, f"{path.name}: {found}"


# Read by the function at cold start (api/lambda_handler.py), never resolved into
# its configuration: setting -> parameter.
RUNTIME_SECRETS = {
    "MONGODB_URI_PARAMETER": "/tracking/${sls:stage}/mongodb-uri",
    "ORIGIN_SECRET_PARAMETER": "/tracking/${sls:stage}/origin-secret",
}


def test_secret_settings_come_from_ssm(sls: dict[str, Any]) -> None:
    environment = sls["provider"]["environment"]
    # The URI, password included, is not in the function's configuration:
    # only the name of the parameter it reads.
    assert "MONGODB_URI" not in environment
    for name, parameter in RUNTIME_SECRETS.items():
        assert environment[name] == parameter
        assert f"${{ssm:{parameter}" not in json.dumps(environment), name
    # A rotation's marker changes the function, so that its containers are new.
    assert (
        "${ssm:/tracking/${sls:stage}/secrets-rotated, '" in sls["functions"]["api"]["description"]
    )
    secret_like = {name: value for name, value in environment.items() if SECRET_LIKE.search(name)}
    assert {"OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_JWKS_URL"} <= set(secret_like)
    for name, value in secret_like.items():
        if name in RUNTIME_SECRETS:
            continue
        assert re.fullmatch(r"\$\{ssm:/tracking/\$\{sls:stage\}/[a-z0-9-]+(, '')?\}", value), name
    # Only the stage's own parameters, wherever SSM is read.
    text = SERVERLESS.read_text(encoding="utf-8")
    assert text.count("${ssm:") == text.count("${ssm:/tracking/${sls:stage}/")


def test_the_app_is_configured_for_the_stage_behind_proxies(sls: dict[str, Any]) -> None:
    environment = sls["provider"]["environment"]
    assert environment["STAGE"] == "${sls:stage}"
    assert environment["TRUST_FORWARDED_FOR"] == "true"
    assert environment["COOKIE_SECURE"] == "true"
    assert environment["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
    assert {"MONGODB_DB", "LOG_LEVEL", "OTEL_EXPORTER_OTLP_ENDPOINT"} <= set(environment)
    # Every name is a setting the app or the OpenTelemetry SDK reads.
    from api.settings import Settings

    settings = {name.upper() for name in Settings.model_fields}
    assert {n for n in environment if not n.startswith("OTEL_")} <= settings


def parameter_arn(parameter: str) -> dict[str, str]:
    return {
        "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
        + parameter
    }


def test_the_function_may_read_and_decrypt_only_its_two_parameters(sls: dict[str, Any]) -> None:
    provider = sls["provider"]
    assert "iamRoleStatements" not in provider
    statements = provider["iam"]["role"]["statements"]
    arns = [parameter_arn(p) for p in RUNTIME_SECRETS.values()]
    read, decrypt, *store = statements
    # One GetParameters call at cold start (api.lambda_handler.read_parameters).
    assert read == {"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": arns}
    assert decrypt["Effect"] == "Allow"
    assert decrypt["Action"] == ["kms:Decrypt"]
    # Any key of the account, but only through SSM, only for these parameters.
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {"Fn::Sub": "ssm.${AWS::Region}.${AWS::URLSuffix}"},
            "kms:EncryptionContext:PARAMETER_ARN": arns,
        }
    }
    actions = [a for s in statements for a in s["Action"]]
    assert not [a for a in actions if "*" in a]
    # And the analytical store's bucket, nothing else of S3.
    assert [statement["Resource"] for statement in store] == [
        {"Fn::Sub": "${InsightsBucket.Arn}/*"},
        {"Fn::GetAtt": ["InsightsBucket", "Arn"]},
    ]
    assert {a for s in store for a in s["Action"]} == {
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
    }  # fmt: skip


def test_the_store_is_synced_every_minute_and_exported_daily(
    sls: dict[str, Any], resources: dict[str, Any]
) -> None:
    import ast

    handlers = {
        node.name
        for node in ast.parse((ROOT / "api" / "lambda_handler.py").read_text()).body
        if isinstance(node, ast.FunctionDef)
    }
    functions = sls["functions"]
    sync, export = functions["insightsSync"], functions["insightsExport"]
    for function in (sync, export):
        module, name = function["handler"].rsplit(".", 1)
        assert module == "api.lambda_handler" and name in handlers
        # One writer at a time: a machine's file lock does not span containers.
        assert function["reservedConcurrency"] == 1
    assert sync["events"] == [{"schedule": {"rate": "rate(1 minute)"}}]
    assert export["events"][0]["schedule"]["rate"].startswith("cron(")
    environment = sls["provider"]["environment"]
    assert environment["INSIGHTS_S3_BUCKET"] == {"Ref": "InsightsBucket"}
    assert environment["INSIGHTS_DIR"] == "/tmp/insights"  # noqa: S108 (Lambda's only writable folder)
    bucket = resources["InsightsBucket"]
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}
    assert "VersioningConfiguration" not in bucket["Properties"]


# ---- serverless.yml: alarms --------------------------------------------------


def test_alarms_watch_errors_throttles_p95_duration_and_5xx(resources: dict[str, Any]) -> None:
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    by_metric = {alarm["MetricName"]: alarm for alarm in alarms.values()}
    assert {"Errors", "Throttles", "Duration", "5xx"} <= set(by_metric)
    for metric in ("Errors", "Throttles", "Duration"):
        alarm = by_metric[metric]
        assert alarm["Namespace"] == "AWS/Lambda"
        # The Framework names function `api`'s resource ApiLambdaFunction.
        assert [ref(d["Value"]) for d in alarm["Dimensions"]] == ["ApiLambdaFunction"]
    duration = by_metric["Duration"]
    assert duration["ExtendedStatistic"] == "p95"
    assert "Statistic" not in duration
    http = by_metric["5xx"]
    assert http["Namespace"] == "AWS/ApiGateway"
    assert http["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    topics = of_type(resources, "AWS::SNS::Topic")
    for alarm in alarms.values():
        assert [ref(a) for a in alarm["AlarmActions"]] == list(topics)
    (subscription,) = of_type(resources, "AWS::SNS::Subscription").values()
    assert ref(subscription["TopicArn"]) in topics
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "${ssm:/tracking/${sls:stage}/alarm-email}"


# ---- serverless.yml: the static site and CloudFront ---------------------------


@pytest.fixture(scope="module")
def distribution(resources: dict[str, Any]) -> dict[str, Any]:
    (config,) = of_type(resources, "AWS::CloudFront::Distribution").values()
    found: dict[str, Any] = config["DistributionConfig"]
    return found


def test_bucket_is_private_encrypted_and_read_through_oac(
    resources: dict[str, Any], distribution: dict[str, Any]
) -> None:
    assert set(of_type(resources, "AWS::S3::Bucket")) == {"SpaBucket", "InsightsBucket"}
    name = "SpaBucket"
    bucket = resources[name]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    origins = {origin["Id"]: origin for origin in distribution["Origins"]}
    spa = origins["spa"]
    assert spa["DomainName"] == {"Fn::GetAtt": [name, "RegionalDomainName"]}
    (oac,) = of_type(resources, "AWS::CloudFront::OriginAccessControl")
    assert spa["OriginAccessControlId"] == {"Fn::GetAtt": [oac, "Id"]}
    assert spa["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    policy = resources["SpaBucketPolicy"]["Properties"]
    assert ref(policy["Bucket"]) == name
    (allow,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in allow["Condition"]["StringEquals"]


def test_api_paths_go_to_the_http_api_uncached(
    sls: dict[str, Any], distribution: dict[str, Any]
) -> None:
    origins = {origin["Id"]: origin for origin in distribution["Origins"]}
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    assert set(behaviours) >= API_PATH_PATTERNS
    for pattern in API_PATH_PATTERNS:
        behaviour = behaviours[pattern]
        assert behaviour["TargetOriginId"] == "api", pattern
        assert behaviour["CachePolicyId"] == CACHING_DISABLED, pattern
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER, pattern
        assert {"POST", "OPTIONS"} <= set(behaviour["AllowedMethods"]), pattern
        assert behaviour["ViewerProtocolPolicy"] == "https-only", pattern
    # Every route of the HTTP API is reachable through the distribution, first
    # match wins, and no route is shadowed by a behaviour of the bucket.
    ordered = [b["PathPattern"] for b in distribution["CacheBehaviors"]]
    for event in sls["functions"]["api"]["events"]:
        path = event["httpApi"]["path"]
        first = next(p for p in ordered if fnmatch.fnmatchcase(path, p))
        assert first in API_PATH_PATTERNS, path


def test_the_default_endpoint_is_off_in_every_stage(sls: dict[str, Any]) -> None:
    http_api = sls["provider"]["httpApi"]
    # Rendered as the HttpApi's DisableExecuteApiEndpoint (Framework v3); no
    # stage-dependent value, so dev is as closed as prod.
    assert http_api["disableDefaultEndpoint"] is True
    assert "id" not in http_api
    assert set(sls["params"]) - {"default"} == set(STAGES)
    assert not any("disableDefaultEndpoint" in json.dumps(v) for v in sls["params"].values())
    # The Framework's HttpApiUrl output would name the dead execute-api URL.
    output = sls["resources"]["Outputs"]["HttpApiUrl"]["Value"]
    assert output == {"Fn::Sub": "https://${ApiOriginDomainName}"}
    # Nothing in the template points at it.
    assert "execute-api" not in json.dumps(sls)


# The HTTP API's own domain: stack parameter -> the SSM parameter it comes from.
API_ORIGIN_PARAMETERS = {
    "ApiOriginDomain": "/tracking/${sls:stage}/api-origin-domain",
    "ApiOriginCertificateArn": "/tracking/${sls:stage}/api-origin-certificate-arn",
    "ApiOriginHostedZoneId": "/tracking/${sls:stage}/api-origin-hosted-zone-id",
}


def test_cloudfronts_api_origin_is_the_apis_own_domain(
    sls: dict[str, Any], resources: dict[str, Any], distribution: dict[str, Any]
) -> None:
    origins = {origin["Id"]: origin for origin in distribution["Origins"]}
    (name,) = of_type(resources, "AWS::ApiGatewayV2::DomainName")
    assert origins["api"]["DomainName"] == {"Ref": name}
    domain = resources[name]["Properties"]
    assert domain["DomainName"] == {"Ref": "ApiOriginDomain"}
    (configuration,) = domain["DomainNameConfigurations"]
    assert configuration == {
        "EndpointType": "REGIONAL",
        "CertificateArn": {"Ref": "ApiOriginCertificateArn"},
        "SecurityPolicy": "TLS_1_2",
    }
    # The whole domain to the Framework's only stage, without a path prefix
    # (the routes and the app's paths stay as they are).
    ((mapping_name, mapping),) = of_type(resources, "AWS::ApiGatewayV2::ApiMapping").items()
    assert mapping == {
        "DomainName": {"Ref": name},
        "ApiId": {"Ref": "HttpApi"},
        "Stage": {"Ref": "HttpApiStage"},
    }
    assert "HttpApiStage" in sls["resources"]["extensions"]
    # Its DNS name is in the stack, pointing at the domain's regional endpoint.
    ((record_name, record),) = of_type(resources, "AWS::Route53::RecordSet").items()
    assert record["Name"] == {"Ref": "ApiOriginDomain"}
    assert record["HostedZoneId"] == {"Ref": "ApiOriginHostedZoneId"}
    assert record["Type"] == "A"
    assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [name, "RegionalDomainName"]}
    assert record["AliasTarget"]["HostedZoneId"] == {"Fn::GetAtt": [name, "RegionalHostedZoneId"]}
    # The distribution comes up with an origin that answers.
    (distribution_name,) = of_type(resources, "AWS::CloudFront::Distribution")
    assert set(resources[distribution_name]["DependsOn"]) == {mapping_name, record_name}


def test_every_stage_must_have_the_api_origins_parameters(sls: dict[str, Any]) -> None:
    passed = {p["ParameterKey"]: p["ParameterValue"] for p in sls["provider"]["stackParameters"]}
    parameters = sls["resources"]["Parameters"]
    for key, ssm in API_ORIGIN_PARAMETERS.items():
        custom = re.fullmatch(r"\$\{self:custom\.(\w+)\}", passed[key])
        assert custom, key
        # No ", ''" fallback: a stage without it stops the deploy, dev included.
        assert sls["custom"][custom.group(1)] == f"${{ssm:{ssm}}}", key
        # Nor a default, or an empty value, in the stack.
        assert "Default" not in parameters[key], key
    domain = re.compile(parameters["ApiOriginDomain"]["AllowedPattern"])
    assert domain.fullmatch("api-origin.prod.tracking.example.com")
    assert not domain.fullmatch("")
    certificate = parameters["ApiOriginCertificateArn"]["AllowedPattern"]
    # A regional custom domain's certificate is in the API's own region.
    assert certificate.startswith("^arn:aws[a-z-]*:acm:${param:region}:")
    certificate = certificate.replace("${param:region}", sls["params"]["default"]["region"])
    arn = "arn:aws:acm:{}:123456789012:certificate/abc"
    assert re.fullmatch(certificate, arn.format(sls["params"]["default"]["region"]))
    assert not re.fullmatch(certificate, arn.format("us-east-1"))
    assert not re.fullmatch(certificate, "")
    assert parameters["ApiOriginHostedZoneId"]["Type"] == "AWS::Route53::HostedZone::Id"


def test_only_cloudfront_gets_through_to_the_api(
    sls: dict[str, Any], distribution: dict[str, Any]
) -> None:
    from api import lambda_handler

    origins = {origin["Id"]: origin for origin in distribution["Origins"]}
    (custom,) = origins["api"]["OriginCustomHeaders"]
    # The header the handler requires, from the parameter the function reads:
    # its first value while it holds "new,old".
    assert custom["HeaderName"].lower() == lambda_handler.ORIGIN_HEADER
    parameter = RUNTIME_SECRETS["ORIGIN_SECRET_PARAMETER"]
    assert custom["HeaderValue"] == {
        "Fn::Select": [0, {"Fn::Split": [",", f"${{ssm:{parameter}}}"]}]
    }
    assert sls["provider"]["environment"]["ORIGIN_SECRET_PARAMETER"] == parameter
    # The SPA's origin (S3, signed by OAC) needs none.
    assert "OriginCustomHeaders" not in origins["spa"]


def test_the_http_api_stage_is_throttled_per_stage(sls: dict[str, Any]) -> None:
    # provider.httpApi has no throttle: the Framework's stage is extended.
    stage = sls["resources"]["extensions"]["HttpApiStage"]
    assert set(stage) == {"Properties"}
    assert stage["Properties"] == {
        "DefaultRouteSettings": {
            "DetailedMetricsEnabled": False,
            "ThrottlingRateLimit": "${param:throttleRate}",
            "ThrottlingBurstLimit": "${param:throttleBurst}",
        }
    }
    params = sls["params"]
    for name in STAGES:
        values = {**params.get("default", {}), **params[name]}
        rate, burst = values["throttleRate"], values["throttleBurst"]
        assert isinstance(rate, int) and isinstance(burst, int), name
        # Below the account's default (10,000/s, burst 5,000); the burst
        # absorbs a page's parallel calls above the steady rate.
        assert 1 <= rate <= burst <= 5000, name
    assert params["dev"]["throttleRate"] <= params["staging"]["throttleRate"]
    assert params["staging"]["throttleRate"] <= params["prod"]["throttleRate"]


def test_the_buckets_outlive_the_stack(resources: dict[str, Any]) -> None:
    for name in of_type(resources, "AWS::S3::Bucket"):
        assert resources[name]["DeletionPolicy"] == "Retain"
        assert resources[name]["UpdateReplacePolicy"] == "Retain"


def test_assets_are_cached_for_a_year_and_the_rest_per_file(
    resources: dict[str, Any], distribution: dict[str, Any]
) -> None:
    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    assets = behaviours["/assets/*"]
    assert assets["TargetOriginId"] == "spa"
    policy = referenced(resources, assets["CachePolicyId"])["CachePolicyConfig"]
    assert policy["MinTTL"] == policy["DefaultTTL"] == policy["MaxTTL"] == YEAR
    default = distribution["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "spa"
    policy = referenced(resources, default["CachePolicyId"])["CachePolicyConfig"]
    # index.html's no-cache must hold at the edge too.
    assert policy["MinTTL"] == 0
    assert deploy_spa.cache_control("assets/index-abc.js") == deploy_spa.IMMUTABLE


def test_spa_fallback_only_for_spa_routes(
    resources: dict[str, Any], distribution: dict[str, Any]
) -> None:
    # Distribution-wide error responses would turn the API's 403/404 into index.html.
    assert "CustomErrorResponses" not in distribution
    default = distribution["DefaultCacheBehavior"]
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_name = association["FunctionARN"]["Fn::GetAtt"][0]
    for behaviour in distribution["CacheBehaviors"]:
        assert "FunctionAssociations" not in behaviour, behaviour["PathPattern"]
    code = resources[function_name]["Properties"]["FunctionCode"]
    node = shutil.which("node")
    if node is None:
        message = "Node.js runs the CloudFront function; it is not installed"
        # CI installs it: there a missing node is a broken job, not a skip.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    routes = ["/", "/customers/Q3VzdG9tZXI6MQ==", "/admin/audit", "/signin"]
    files = ["/assets/index-abc.js", "/config.js", "/tracker.js", "/graphiql-assets/react.js"]
    uris = routes + files
    script = (
        code + "\nconst uris = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(uris.map((uri) => handler({request: {uri}}).uri)));\n"
    )
    done = subprocess.run(
        [node, "-e", script, json.dumps(uris)], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == ["/index.html"] * len(routes) + files


@pytest.mark.parametrize(("ci", "outcome"), [("true", "failed"), (None, "skipped")])
def test_without_node_the_function_test_fails_in_ci(
    tmp_path: Path, ci: str | None, outcome: str
) -> None:
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    # A PATH with no node on it; this Python is started by its full path.
    env["PATH"] = str(tmp_path)
    if ci:
        env["CI"] = ci
    test = f"{Path(__file__).relative_to(ROOT)}::test_spa_fallback_only_for_spa_routes"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider", "-rfs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert re.search(rf"\b1 {outcome}\b", done.stdout), done.stdout[-2000:]
    assert "Node.js runs the CloudFront function" in done.stdout


def app_headers(path: str) -> dict[str, str]:
    """The security headers api/server/security.py sends for ``path`` over HTTPS."""
    from api.server.security import SecurityHeaders

    sent: list[Message] = []

    async def endpoint(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def capture(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request"}

    app = SecurityHeaders(endpoint, hsts=True)
    asyncio.run(app({"type": "http", "path": path, "headers": []}, receive, capture))
    return {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}


def policy_headers(config: dict[str, Any]) -> dict[str, str]:
    """The headers a CloudFront response headers policy adds."""
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "content-security-policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "x-content-type-options": "nosniff",
        "x-frame-options": security["FrameOptions"]["FrameOption"],
        "referrer-policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "strict-transport-security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts.get("IncludeSubdomains") else ""),
    }
    for item in config["CustomHeadersConfig"]["Items"]:
        headers[item["Header"].lower()] = item["Value"]
    overrides = [v.get("Override") for v in security.values()]
    overrides += [item["Override"] for item in config["CustomHeadersConfig"]["Items"]]
    # The app's own headers win where it answers (GraphiQL's CSP has a nonce).
    assert set(overrides) == {False}
    return headers


def test_static_files_get_the_apps_security_headers(
    resources: dict[str, Any], distribution: dict[str, Any]
) -> None:
    def policy_for(behaviour: dict[str, Any]) -> dict[str, str]:
        policy = referenced(resources, behaviour["ResponseHeadersPolicyId"])
        return policy_headers(policy["ResponseHeadersPolicyConfig"])

    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    assert policy_for(distribution["DefaultCacheBehavior"]) == app_headers("/")
    assert policy_for(behaviours["/assets/*"]) == app_headers("/assets/index-abc.js")
    assert policy_for(behaviours["/tracker.js"]) == app_headers("/tracker.js")
    assert policy_for(behaviours["/v1/*"]) == app_headers("/v1/track")
    assert policy_for(behaviours["/graphql"]) == app_headers("/graphql")


# ---- .github/workflows --------------------------------------------------------


def all_uses() -> Iterator[tuple[str, str]]:
    for path in (CI, DEPLOY):
        for job in load(path)["jobs"].values():
            for step in steps(job):
                if "uses" in step:
                    yield path.name, step["uses"]


def test_actions_are_pinned_to_one_major_version() -> None:
    majors: dict[str, set[str]] = {}
    for name, action in all_uses():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action), f"{name}: {action}"
        repository, version = action.split("@")
        majors.setdefault(repository, set()).add(version)
    assert {repository: len(v) for repository, v in majors.items() if len(v) > 1} == {}
    # The ones CI used before deployments existed keep their versions.
    assert majors["actions/checkout"] == {"v4"}
    assert majors["actions/setup-python"] == {"v5"}
    assert majors["actions/setup-node"] == {"v4"}


def test_ci_runs_everything_and_again_on_mongodb(ci: dict[str, Any]) -> None:
    on = triggers(ci)
    assert "push" in on
    assert "pull_request" in on
    jobs = ci["jobs"]
    assert ".ci/run" in runs(jobs["test"])
    (mongo_job,) = [job for job in jobs.values() if "mongodb" in job.get("services", {})]
    service = mongo_job["services"]["mongodb"]
    assert service["image"] == "mongo:7.0"
    assert "--health-cmd" in service["options"]
    assert mongo_job["env"]["MONGODB_URI"].startswith("mongodb://127.0.0.1:27017")
    commands = runs(mongo_job)
    assert re.search(r"pytest tests/unit tests/integration", commands)
    # Browsers only where the browser tests run.
    assert not re.search(r"chromium|playwright|make (test|browser)|\.ci/run", commands)


def deploy_jobs(deploy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Stage -> the job that deploys it."""
    found = {}
    for job in deploy["jobs"].values():
        match = re.search(r"serverless@3 deploy --stage (\w+)", runs(job))
        if match:
            found[match.group(1)] = job
    return found


def test_deploy_triggers_map_branches_to_stages(deploy: dict[str, Any]) -> None:
    on = triggers(deploy)
    assert sorted(on["push"]["branches"]) == ["dev", "main"]
    assert on["workflow_dispatch"]["inputs"]["run_id"]["required"] is True
    jobs = deploy_jobs(deploy)
    assert set(jobs) == set(STAGES)
    assert "refs/heads/dev" in jobs["dev"]["if"]
    assert "push" in jobs["dev"]["if"]
    assert "refs/heads/main" in jobs["staging"]["if"]
    assert "push" in jobs["staging"]["if"]
    assert jobs["prod"]["if"] == "github.event_name == 'workflow_dispatch'"
    assert jobs["prod"]["environment"] == "production"
    assert jobs["dev"]["needs"] == jobs["staging"]["needs"] == "build"
    assert "needs" not in jobs["prod"]


def test_every_deploy_job_deploys_the_artifact_it_downloaded(deploy: dict[str, Any]) -> None:
    (upload,) = uses(deploy["jobs"]["build"], "actions/upload-artifact")
    artifact = upload["with"]["name"]
    assert "lambda_package" in runs(deploy["jobs"]["build"]) or "lambda-package" in runs(
        deploy["jobs"]["build"]
    )
    assert ".build/lambda.zip" in upload["with"]["path"]
    for stage, job in deploy_jobs(deploy).items():
        (download,) = uses(job, "actions/download-artifact")
        assert download["with"]["name"] == artifact, stage
        commands = runs(job)
        # Into .build/, where serverless.yml's package.artifact points.
        assert download["with"]["path"] == ".build" or re.search(r"cp .*\.build/", commands)
        # Nothing is built again on the way to a stage.
        assert not re.search(r"\bmake\b|npm run build|lambda_package|uv ", commands), stage
        names = [s.get("uses", s.get("name", "")) for s in steps(job)]
        download_at = names.index(download["uses"])
        deploy_at = next(i for i, s in enumerate(steps(job)) if "serverless@3" in s.get("run", ""))
        assert download_at < deploy_at, stage
    prod = deploy_jobs(deploy)["prod"]
    (download,) = uses(prod, "actions/download-artifact")
    assert download["with"]["run-id"] == "${{ inputs.run_id }}"
    assert download["with"]["github-token"].startswith("${{")
    assert prod["permissions"]["actions"] == "read"


def test_deploy_jobs_use_oidc_then_upload_the_spa_and_smoke_test(deploy: dict[str, Any]) -> None:
    for stage, job in deploy_jobs(deploy).items():
        assert job["permissions"]["id-token"] == "write", stage
        (credentials,) = uses(job, "aws-actions/configure-aws-credentials")
        inputs = credentials["with"]
        assert re.fullmatch(r"\$\{\{ (vars|secrets)\.[A-Z_]+ \}\}", inputs["role-to-assume"])
        assert not {"aws-access-key-id", "aws-secret-access-key"} & set(inputs), stage
        commands = runs(job)
        assert f"infra.deploy_spa outputs --stack tracking-{stage}" in commands
        assert re.search(rf"infra\.deploy_spa upload .*--stage {stage}", commands), stage
        assert "python -m infra.smoke --base-url" in commands
        order = [commands.index(s) for s in ("serverless@3", "deploy_spa upload", "infra.smoke")]
        assert order == sorted(order), stage
        (smoke,) = [s for s in steps(job) if "infra.smoke" in s.get("run", "")]
        assert smoke["env"]["SMOKE_API_KEY"] == "${{ secrets.SMOKE_API_KEY }}"


def test_workflow_secrets_come_from_github_secrets(
    deploy: dict[str, Any], ci: dict[str, Any]
) -> None:
    def settings(node: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("env", "with") and isinstance(value, dict):
                    yield from value.items()
                yield from settings(value)
        elif isinstance(node, list):
            for item in node:
                yield from settings(item)

    for name, value in settings([deploy, ci]):
        # CI's MONGODB_URI is its own service container's (no credentials, see above).
        if WORKFLOW_SECRET_LIKE.search(str(name)) and name != "MONGODB_URI":
            assert re.fullmatch(r"\$\{\{ (secrets\.[A-Z_]+|github\.token) \}\}", str(value)), name


def test_region_defaults_agree(sls: dict[str, Any], deploy: dict[str, Any]) -> None:
    assert sls["provider"]["region"] == "${param:region}"
    region = sls["params"]["default"]["region"]
    assert deploy["env"]["AWS_REGION"] == f"${{{{ vars.AWS_REGION || '{region}' }}}}"


# ---- infra/lambda_package.py ----------------------------------------------------


def lock(*packages: dict[str, Any]) -> dict[str, Any]:
    return {"package": [{"name": "tracking", "source": {"virtual": "."}}, *packages]}


def test_dropped_packages_are_the_excluded_and_what_only_they_need() -> None:
    fake = lock(
        {"name": "web-app", "dependencies": [{"name": "shared"}, {"name": "Click"}]},
        {"name": "server",
         "dependencies": [{"name": "h11"}, {"name": "click"}, {"name": "shared"}]},
        {"name": "pretty", "dependencies": [{"name": "markdown_it_py"}]},
        {"name": "markdown-it-py", "dependencies": [{"name": "mdurl"}]},
        {"name": "framework", "dependencies": [],
         "optional-dependencies": {"debug": [{"name": "server"}], "crypto": [{"name": "pyca"}]}},
        {"name": "h11"}, {"name": "click"}, {"name": "shared"}, {"name": "mdurl"}, {"name": "pyca"},
    )  # fmt: skip
    fake["package"][0]["dependencies"] = [
        {"name": "web-app"},
        {"name": "server"},
        {"name": "pretty"},
        # An extra the project asks for is kept; one it does not ask for
        # (framework[debug] would pull the server back in) is not followed.
        {"name": "framework", "extra": ["crypto"]},
    ]
    assert lambda_package.dropped_packages(fake, ["server", "pretty"]) == {
        "server", "h11", "pretty", "markdown-it-py", "mdurl",
    }  # fmt: skip
    assert lambda_package.dropped_packages(fake, []) == set()
    with pytest.raises(ValueError, match="not in the lock"):
        lambda_package.dropped_packages({"package": [{"name": "other"}]}, ["x"])


def test_requirement_filtering_reads_uv_export() -> None:
    exported = (
        "# comment\n"
        "anyio==4.16.0\n"
        "pycparser==3.12 ; implementation_name != 'PyPy'\n"
        "Typing_Extensions==4.16.0\n"
        "    # via pydantic\n"
        "-e .\n"
    )
    assert lambda_package.requirement_names(exported) == {
        "anyio",
        "pycparser",
        "typing-extensions",
    }
    pins = lambda_package.requirement_pins(exported)
    assert pins["pycparser"] == "pycparser==3.12 ; implementation_name != 'PyPy'"
    assert lambda_package.pinned_version(pins["pycparser"]) == "3.12"


@pytest.mark.parametrize(
    ("filename", "glibc"),
    [
        ("idna-3.20-py3-none-any.whl", 0),
        ("cffi-2.1.1-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", 17),
        ("wrapt-2.5.2-cp312-cp312-manylinux1_x86_64.manylinux_2_5_x86_64.whl", 5),
        ("argon2_cffi_bindings-26.2.0-cp310-abi3-manylinux_2_26_x86_64.manylinux_2_28_x86_64.whl",
         26),
        ("duckdb-2.0.1-cp312-abi3-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", 27),
        ("cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl", 34),
        ("cryptography-50.0.2-cp315-abi3.abi3t-manylinux2014_x86_64.whl", None),
        ("duckdb-2.0.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", None),
        ("pydantic_core-2.50.5-cp313-cp313-manylinux2014_x86_64.whl", None),
        ("cffi-2.1.1-cp312-cp312-musllinux_1_2_x86_64.whl", None),
        ("cffi-2.1.1-cp312-cp312-manylinux2014_aarch64.whl", None),
        ("cffi-2.1.1-cp312-cp312-win_amd64.whl", None),
    ],
)  # fmt: skip
def test_which_wheels_load_on_lambda(filename: str, glibc: int | None) -> None:
    assert lambda_package.glibc_needed(lambda_package.wheel_tags(filename)) == glibc


def test_every_package_needs_a_wheel_that_loads_on_lambda() -> None:
    def wheels(*names: str) -> list[dict[str, str]]:
        return [{"url": f"https://files.example/{name}"} for name in names]

    fake = lock(
        {"name": "old", "version": "1.0",
         "wheels": wheels("old-1.0-cp312-cp312-manylinux2014_x86_64.whl")},
        {"name": "newer", "version": "2.0",
         "wheels": wheels("newer-2.0-cp312-abi3-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl")},
        {"name": "pure", "version": "3.0", "wheels": wheels("pure-3.0-py3-none-any.whl")},
    )  # fmt: skip
    assert lambda_package.lambda_requirements(
        fake, "old==1.0\nnewer==2.0\npure==3.0 ; python_version >= '3.8'\n"
    ) == ["newer==2.0", "old==1.0", "pure==3.0 ; python_version >= '3.8'"]
    too_new = lock(
        {"name": "rust", "version": "1.0",
         "wheels": wheels("rust-1.0-cp312-abi3-manylinux_2_39_x86_64.whl")},
        {"name": "sdist-only", "version": "1.0", "wheels": []},
    )  # fmt: skip
    with pytest.raises(SystemExit, match=r"sdist-only, rust"):
        lambda_package.lambda_requirements(too_new, "rust==1.0\nsdist-only==1.0\n")


def test_installed_wheels_too_new_for_lambda_are_refused(tmp_path: Path) -> None:
    def installed(name: str, *tags: str) -> None:
        info = tmp_path / f"{name}.dist-info"
        info.mkdir()
        lines = ["Wheel-Version: 1.0", *(f"Tag: {tag}" for tag in tags)]
        (info / "WHEEL").write_text("\n".join(lines) + "\n")

    installed("duckdb-2.0.1", "cp312-abi3-manylinux_2_27_x86_64",
              "cp312-abi3-manylinux_2_28_x86_64")  # fmt: skip
    installed("idna-3.20", "py3-none-any")
    lambda_package.check_installed_wheels(tmp_path)
    installed("cryptography-60.0.0", "cp312-abi3-manylinux_2_39_x86_64")
    with pytest.raises(SystemExit, match=r"cryptography-60\.0\.0\.dist-info"):
        lambda_package.check_installed_wheels(tmp_path)


def test_the_zip_is_the_same_bytes_for_the_same_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg" / "sub").mkdir(parents=True)
    (tree / "pkg" / "b.py").write_text("b = 2\n")
    (tree / "pkg" / "sub" / "a.py").write_text("a = 1\n")
    (tree / "pkg" / "lib.so").write_bytes(bytes(range(256)))
    (tree / "pkg" / "lib.so").chmod(0o755)
    first = lambda_package.write_zip(tree, tmp_path / "one.zip")
    os.utime(tree / "pkg" / "b.py", (0, 0))
    second = lambda_package.write_zip(tree, tmp_path / "two.zip")
    assert first == second
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["pkg/b.py", "pkg/lib.so", "pkg/sub/a.py"]
    assert {(i.date_time, i.external_attr >> 16) for i in infos} == {
        (lambda_package.ZIP_TIME, 0o100644)
    }


def test_the_bundle_leaves_boto3_to_lambdas_runtime() -> None:
    real = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    runtime = lambda_package.reachable(lambda_package.lock_graph(real))
    # The tests use boto3 (a dev dependency); the function gets it from Lambda.
    assert {"boto3", "botocore"} <= {lambda_package.normalise(p["name"]) for p in real["package"]}
    assert runtime & set(lambda_package.IN_LAMBDA_RUNTIME) == set()


def test_the_lambda_never_imports_what_the_bundle_leaves_out() -> None:
    real = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    dropped = lambda_package.dropped_packages(real)
    assert set(lambda_package.NOT_IN_LAMBDA) <= dropped
    # What the handler's import really loads, in a process of its own (the
    # import configures logging and telemetry for the whole process).
    script = (
        "import json, sys, importlib.metadata as md\n"
        "import api.lambda_handler\n"
        "owners = md.packages_distributions()\n"
        "print(json.dumps(sorted({d.lower() for m in list(sys.modules)"
        " for d in owners.get(m.split('.')[0], [])})))\n"
    )
    env = {**os.environ, "STAGE": "prod"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {lambda_package.normalise(name) for name in json.loads(done.stdout)}
    assert "mangum" in imported
    assert imported & dropped == set()


# ---- infra/deploy_spa.py ----------------------------------------------------------


def test_upload_sets_each_files_cache_and_index_goes_last(tmp_path: Path) -> None:
    from api.server import static as web

    site = tmp_path / "site"
    for name in ("assets/index-abc.js", "assets/index-abc.css", "graphiql-assets/react.js",
                 "index.html", "tracker.js", "favicon.svg", ".vite/manifest.json"):  # fmt: skip
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x")
    config = tmp_path / "config.js"
    commands = deploy_spa.plan(site, "bucket", "E123", config)
    cache = {}
    for command in commands:
        if command[:2] == ["aws", "s3"]:
            cache[command[4].removeprefix("s3://bucket/")] = command[
                command.index("--cache-control") + 1
            ]
    assert cache == {
        "assets": web.IMMUTABLE,
        "graphiql-assets": "public, max-age=86400",
        "tracker.js": "public, max-age=300",
        "favicon.svg": "public, max-age=300",
        "config.js": "no-cache",
        "index.html": "no-cache",
    }
    uploaded = [c[4] for c in commands if c[:2] == ["aws", "s3"]]
    assert uploaded[-1] == "s3://bucket/index.html"
    assert "manifest" not in json.dumps(commands).replace("--exclude", "")
    invalidation = commands[-1]
    assert invalidation[:3] == ["aws", "cloudfront", "create-invalidation"]
    paths = invalidation[invalidation.index("--paths") + 1 : invalidation.index("--query")]
    assert paths == ["/index.html", "/config.js", "/tracker.js"]


def test_config_js_points_the_spa_at_its_own_origin() -> None:
    script = deploy_spa.config_js("prod", "abc123")
    assert script.startswith("// tracking prod abc123\n")
    settings = re.fullmatch(r"window\.__TRACKING_CONFIG__ = (.*);", script.splitlines()[1])
    assert settings
    assert json.loads(settings.group(1)) == {"apiUrl": "/graphql"}
