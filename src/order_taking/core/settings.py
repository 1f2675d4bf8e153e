"""The one settings object: all configuration is read here, from ORDER_TAKING_* variables."""

from functools import lru_cache
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
    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="Larger request bodies get 413")
    demo_catalog: bool = Field(True, description="Load the demo catalog when the catalog is empty")
    embedded_worker: bool = Field(
        True, description="`serve` also processes confirmed lines in-process"
    )
    backend: str = Field(
        "order_taking.backend.builtin:CatalogBackend",
        description="module:attribute of the back end that creates orders",
    )
    worker_batch_size: int = Field(20, ge=1, le=1000)
    worker_poll_seconds: float = Field(1.0, gt=0)
    worker_lease_seconds: float = Field(
        60.0, gt=0, description="A claim older than this is retaken"
    )
    worker_concurrency: int = Field(
        16, ge=1, le=256, description="Lines sent to the back end at once"
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
