"""The one Settings object (pydantic-settings, `MORROW_` prefix), built once at the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from morrow.domain.errors import ConfigurationError

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


def default_data_dir() -> Path:
    return user_data_path("morrow", appauthor=False)


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'morrow.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MORROW_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=default_database_url)
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    alert_webhook_url: str | None = None

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError("MORROW_SECRET_KEY must be set to a long random value when MORROW_ENVIRONMENT=production")
        if self.environment == "production" and len(self.secret_key.get_secret_value().strip()) < 32:
            raise ValueError("MORROW_SECRET_KEY must be at least 32 characters in production")
        return self


def load_settings() -> Settings:
    """Settings from the environment; a `ConfigurationError` in one line instead of a traceback."""
    import pydantic

    try:
        return Settings()
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        if field:
            message = f"MORROW_{field.upper()}: {message}"
        raise ConfigurationError(message, field=field or None) from None
