"""Settings come from MORROW_* variables; bad ones give one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from morrow.domain.errors import ConfigurationError
from morrow.settings import DEVELOPMENT_SECRET, Settings, default_data_dir, load_settings
from tests.cli_helpers import one_line_error, run_morrow


def test_it_defaults_to_an_sqlite_file_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MORROW_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{default_data_dir() / 'morrow.db'}"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_it_reads_the_morrow_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORROW_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    monkeypatch.setenv("MORROW_PORT", "8123")
    settings = load_settings()
    assert settings.database_url == "sqlite:////tmp/elsewhere.db"
    assert settings.port == 8123


def test_it_refuses_the_default_secret_in_production() -> None:
    with pytest.raises(ValueError, match="MORROW_SECRET_KEY must be set"):
        Settings(environment="production")
    assert Settings(environment="development").secret_key.get_secret_value() == DEVELOPMENT_SECRET
    assert Settings(environment="production", secret_key="s" * 40).environment == "production"
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(environment="production", secret_key=" " * 40)


def test_it_names_the_variable_when_a_value_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MORROW_PORT", "eighty")
    with pytest.raises(ConfigurationError, match=r"^MORROW_PORT: "):
        load_settings()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("definitely not a url", "is not a database URL"),
        ("mysql://user@localhost/morrow", "does not support"),
        ("postgresql+psycopg://nobody:secret@127.0.0.1:1/morrow", "cannot connect to"),
        ("sqlite:////proc/no-such-place/morrow.db", "cannot create the folder"),
    ],
)
def test_a_bad_database_url_is_one_line_not_a_traceback(url: str, expected: str) -> None:
    line = one_line_error(run_morrow("db", "upgrade", env={"MORROW_DATABASE_URL": url}))
    assert "MORROW_DATABASE_URL" in line
    assert expected in line
    assert "secret" not in line  # the password is never echoed


def test_production_without_a_secret_is_one_line(tmp_path: Path) -> None:
    env = {"MORROW_ENVIRONMENT": "production", "MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    line = one_line_error(run_morrow("db", "upgrade", env=env))
    assert line.startswith("morrow: MORROW_SECRET_KEY")
