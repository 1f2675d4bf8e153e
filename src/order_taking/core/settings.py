"""The one settings object: all configuration is read here, from ORDER_TAKING_* variables."""

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORDER_TAKING_", extra="ignore")

    database_url: str = Field(
        "sqlite:///order_taking.db",
        description="sqlite:///relative.db, sqlite:////absolute.db or postgresql://user@host:port/db",
    )
    time_zone: str = Field("Europe/Paris", description="Zone of every datetime the API returns")
    log_level: str = Field("INFO")
    log_format: Literal["text", "json"] = Field(
        "text", description="`text` for a person, `json` for one JSON object a line"
    )
    metrics: bool = Field(True, description="Serve Prometheus metrics at /metrics")
    redis_url: str = Field(
        "", description="redis://host:port/db holding the rate limits' counters (else the database)"
    )
    rate_limit_per_second: float = Field(
        50.0, ge=0, description="Requests a second allowed per token (or address); 0 turns it off"
    )
    rate_limit_burst: int = Field(200, ge=0, description="Requests allowed at once above the rate")
    auth_failure_per_second: float = Field(
        0.5, ge=0, description="Failed authentications a second allowed per address; 0: no limit"
    )
    auth_failure_burst: int = Field(
        10, ge=0, description="Failed authentications allowed at once per address"
    )
    database_pool_timeout_seconds: float = Field(
        3.0, gt=0, description="A request waiting longer for a connection gets 503"
    )
    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="Larger request bodies get 413")
    demo_catalog: bool = Field(True, description="Load the demo catalog when the catalog is empty")
    embedded_worker: bool = Field(
        True, description="`serve` also processes confirmed lines in-process"
    )
    backend: str = Field(
        "order_taking.backend.builtin:CatalogBackend",
        description="module:attribute of the back end that creates orders",
    )
    # Half the concurrency: a worker holds two claims in flight, claiming the next while the
    # last is answered and recorded (measured: +40-60% lines/s over 16 in flight, claims of 20).
    worker_batch_size: int = Field(32, ge=1, le=1000)
    worker_poll_seconds: float = Field(1.0, gt=0)
    worker_lease_seconds: float = Field(
        60.0, gt=0, description="A claim older than this is retaken"
    )
    worker_concurrency: int = Field(
        64, ge=1, le=256, description="Lines sent to the back end at once"
    )
    token_cache_seconds: float = Field(
        1.0,
        ge=0,
        le=1,
        description="How long an API process trusts a bearer token it has checked (at most 1 s, "
        "so that a revoked token is refused by every process within that); 0 checks each request",
    )
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_max_seconds: float = Field(600.0, gt=0)
    webhook_allow_private_networks: bool = Field(
        False,
        description="Also allow http and loopback or private addresses as hub callbacks "
        "(development and tests only)",
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, description="A webhook POST not answered within this is retried"
    )
    webhook_lease_seconds: float = Field(
        60.0, gt=0, description="A claimed delivery older than this is retaken (> the timeout)"
    )
    webhook_concurrency: int = Field(
        64, ge=1, le=1024, description="Webhook POSTs a worker has in flight at once"
    )
    webhook_batch_size: int = Field(
        200, ge=1, le=5000, description="Deliveries (and events to relay) a worker takes at once"
    )
    event_retention_days: float = Field(
        30.0, gt=0, description="Events (and their deliveries) older than this are purged"
    )
    idempotency_key_hours: float = Field(
        24.0, gt=0, description="How long an Idempotency-Key and its response are kept"
    )
    realm: str = Field(
        "order-taking",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Realm of the built-in issuer: its token endpoint is "
        "/auth/realms/{realm}/protocol/openid-connect/token",
    )
    access_token_seconds: int = Field(300, ge=10, description="Lifetime of a built-in access token")
    refresh_token_seconds: int = Field(
        1800, ge=10, description="Lifetime of a built-in refresh token (each is used once)"
    )
    sign_in_burst_per_username: int = Field(
        10, ge=1, description="Password attempts a username makes at once before being refused"
    )
    sign_in_rate_per_username: float = Field(
        0.1, gt=0, description="Password attempts a second a username regains after its burst"
    )
    sign_in_burst_per_address: int = Field(
        30, ge=1, description="Password attempts one address makes at once before being refused"
    )
    sign_in_rate_per_address: float = Field(
        0.5, gt=0, description="Password attempts a second an address regains after its burst"
    )
    oidc_issuer: str = Field(
        "",
        description="External OpenID Connect issuer whose JWTs are accepted, exactly as in their "
        "`iss`, e.g. https://sso.example/auth/realms/covage (empty: none)",
    )
    oidc_audience: str = Field(
        "", description="`aud` the external issuer's tokens must hold (empty: not checked)"
    )
    oidc_client_claim: str = Field(
        "client_code", description="Claim of an external token naming the client's code"
    )
    oidc_operator_role: str = Field(
        "order-taking-operator",
        description="Role in `realm_access.roles` of an external token that makes an operator",
    )
    oidc_timeout_seconds: float = Field(
        5.0, gt=0, description="Time allowed to fetch the external issuer's discovery and keys"
    )
    backoffice_idle_minutes: float = Field(
        30.0, gt=0, description="A back-office session unused this long ends: sign in again"
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
