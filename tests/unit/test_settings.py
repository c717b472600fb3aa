import subprocess
import sys

import pytest

from api.settings import ConfigError, LogLevel, Stage, load_settings


def test_defaults(monkeypatch):
    for name in ("MONGODB_URI", "MONGODB_DB", "STAGE", "PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.mongodb_db == "tracking"
    assert settings.stage is Stage.DEV
    assert settings.port == 8000
    assert settings.log_level is LogLevel.INFO


def test_values_from_environment(monkeypatch):
    monkeypatch.setenv("MONGODB_URI", "mongodb+srv://cluster.example.net")
    monkeypatch.setenv("MONGODB_DB", "analytics")
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert (settings.mongodb_db, settings.stage, settings.port) == ("analytics", Stage.PROD, 9000)
    assert settings.log_level is LogLevel.DEBUG


@pytest.mark.parametrize(
    "name,value,fragment",
    [
        ("STAGE", "qa", "STAGE='qa'"),
        ("PORT", "http", "PORT='http'"),
        ("PORT", "70000", "PORT='70000'"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL='LOUD'"),
        ("MONGODB_URI", "postgres://x", "mongodb://"),
        ("MONGODB_DB", "a.b", "MONGODB_DB='a.b'"),
    ],
)
def test_bad_value_is_one_readable_line(monkeypatch, name, value, fragment):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("invalid configuration:")
    assert fragment in message


def test_server_start_with_bad_setting_prints_one_line_and_fails():
    result = subprocess.run(
        [sys.executable, "-c", "import api.main"],
        env={"STAGE": "nope", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "invalid configuration: STAGE='nope': Input should be 'dev', 'staging' or 'prod'"
    ]
