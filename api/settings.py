"""Configuration, read once from the environment and validated before anything starts."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, TypeVar, overload

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.events.documents import METADATA_MAX_BYTES, METADATA_MAX_DEPTH


class Stage(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    mongodb_uri: str = "mongodb://127.0.0.1:27017"
    # On Lambda (serverless.yml): the SSM SecureString parameters holding the
    # MongoDB URI, in place of MONGODB_URI, and the secret CloudFront sends
    # in X-Origin-Verify; api/lambda_handler.py reads both at cold start.
    mongodb_uri_parameter: str = ""
    origin_secret_parameter: str = ""
    mongodb_db: str = Field(default="tracking", min_length=1, max_length=63)
    stage: Stage = Stage.DEV
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = LogLevel.INFO
    # Fail fast when the database is away instead of hanging a request for 30 s.
    mongodb_timeout_ms: int = Field(default=5000, ge=100, le=60000)
    # Connections per process: a server worker runs many requests at once, a
    # Lambda container one (serverless.yml sets 5).
    mongodb_max_pool_size: int = Field(default=50, ge=1, le=500)

    # Ingestion limits (docs/ingestion.md).
    ingest_max_batch: int = Field(default=500, ge=1, le=5000)
    ingest_max_page_length: int = Field(default=2048, ge=16, le=2048)
    ingest_max_metadata_bytes: int = Field(default=8192, ge=256, le=METADATA_MAX_BYTES)
    ingest_max_metadata_depth: int = Field(default=5, ge=1, le=METADATA_MAX_DEPTH)
    ingest_max_future_hours: int = Field(default=24, ge=0, le=24 * 7)
    retention_days: int = Field(default=730, ge=1, le=3650)
    session_gap_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Origins (scheme://host[:port]) of the tracked websites allowed to send
    # events from a browser; comma-separated, "*" for any.
    track_origins: str = ""

    # A GraphQL operation slower than this is logged with its slowest spans.
    slow_operation_ms: int = Field(default=1000, ge=1)

    # Analytics.
    analytics_max_span_days: int = Field(default=366, ge=1, le=3660)
    # What one insight query may cost (api/insights/query.py, Limits).
    insights_max_days: int = Field(default=400, ge=1, le=3660)
    insights_max_points: int = Field(default=20_000, ge=100, le=1_000_000)
    insights_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # The analytical store (api/insights/store.py, docs/analytics.md): Parquet
    # files under <dir>/<database>, kept up to date by a sync every so many
    # seconds in each API process (0: none; the CLI or a schedule syncs).
    insights_dir: str = ".cache/insights"
    insights_sync_seconds: float = Field(default=10, ge=0, le=3600)
    # The customers' snapshot is rewritten when their count or latest
    # lastSeenAt changes, and at least this often (a profile edit moves neither).
    insights_customers_seconds: int = Field(default=300, ge=1)
    # In production the files are also in S3 (the writer uploads each one;
    # readers download what changed into insights_dir). Endpoint: for an
    # S3-compatible server other than AWS's.
    insights_s3_bucket: str = ""
    insights_s3_prefix: str = "insights"
    insights_s3_endpoint: str = ""

    # What one GraphQL request may ask (schema/limits.py, api/server/bodylimit.py, docs/api.md).
    # GraphiQL's introspection query is 7 deep and under 3,000 characters long.
    graphql_max_depth: int = Field(default=12, ge=7, le=100)
    # One full page (100 nodes) must always be possible.
    graphql_max_cost: int = Field(default=50_000, ge=100, le=10_000_000)
    graphql_max_aliases: int = Field(default=30, ge=0, le=1000)
    graphql_max_root_fields: int = Field(default=20, ge=1, le=1000)
    graphql_max_query_chars: int = Field(default=20_000, ge=4096, le=1_000_000)
    graphql_max_body_bytes: int = Field(default=1024 * 1024, ge=16 * 1024, le=64 * 1024 * 1024)

    # Access (docs/security.md).
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Send the session cookie only over HTTPS; off only for local http://.
    cookie_secure: bool | None = None
    # Origins of SPAs served from another host (e.g. a CDN), allowed to call
    # /graphql with credentials; comma-separated.
    cors_origins: str = ""
    # Introspection and GraphiQL default to on, except in prod.
    graphql_introspection: bool | None = None
    graphiql: bool | None = None
    # Single sign-on with bearer JWTs; all three of issuer, audience and
    # JWKS URL turn it on.
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_role_claim: str = "role"
    # Requests per minute; 0 turns a limit off.
    rate_limit_per_ip: int = Field(default=300, ge=0)
    rate_limit_per_key: int = Field(default=1200, ge=0)
    rate_limit_per_write_key: int = Field(default=6000, ge=0)
    # Failed sign-ins a minute from one client address on one account, and
    # from one address on any accounts (docs/security.md). Never per account
    # alone: that would let anyone lock a staff member out.
    rate_limit_sign_in: int = Field(default=10, ge=0)
    rate_limit_sign_in_per_ip: int = Field(default=30, ge=0)
    # The least time a failed sign-in takes to answer: slows a guesser, and
    # unknown email, wrong password and disabled account all take as long.
    sign_in_failure_ms: int = Field(default=1000, ge=0, le=10_000)
    # Client addresses come from X-Forwarded-For only from trusted proxies;
    # otherwise anyone could pick their own (api/auth/http.py client_ip). The
    # proxies' addresses or networks, comma-separated; true: whatever sent the
    # request is the proxy (Lambda behind API Gateway, where nothing else can).
    trust_forwarded_for: Annotated[bool | tuple[IPv4Network | IPv6Network, ...], NoDecode] = False

    @field_validator("mongodb_uri")
    @classmethod
    def _uri_scheme(cls, value: str) -> str:
        if not value.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    @field_validator("mongodb_db")
    @classmethod
    def _db_name(cls, value: str) -> str:
        if any(ch in value for ch in '/\\. "$'):
            raise ValueError('must not contain / \\ . space " or $')
        return value

    @field_validator("trust_forwarded_for", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("", "false", "0", "no", "off"):
            return False
        if value.strip().lower() in ("true", "1", "yes", "on"):
            return True
        networks = []
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                networks.append(ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network; use addresses and CIDRs"
                    " separated by commas, true or false"
                ) from None
        return tuple(networks) or False

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def allowed_origins(self) -> list[str]:
        return [origin.strip() for origin in self.track_origins.split(",") if origin.strip()]

    @property
    def staff_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def introspection_enabled(self) -> bool:
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return self.stage != Stage.PROD

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.stage != Stage.PROD

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.stage != Stage.DEV

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)


class ConfigError(Exception):
    """A setting is invalid; the message is one readable line."""


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        parts.append(f"{name}={item.get('input')!r}: {item['msg']}")
    return "invalid configuration: " + "; ".join(parts)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(describe(error)) from None


T = TypeVar("T")


@overload
def settings_or_exit() -> Settings: ...
@overload
def settings_or_exit(load: Callable[[], T]) -> T: ...


def settings_or_exit(load: Callable[[], object] = load_settings) -> object:
    """What ``load`` reads, or the process ends with the one readable line of
    its ConfigError, not a traceback: how every entry point starts."""
    try:
        return load()
    except ConfigError as error:
        raise SystemExit(str(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
