"""Settings read the environment and refuse values they cannot use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from peergroups.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, parse_database_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfiguredEnv, match="DEBUG"):
        env_bool("DEBUG", False)


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, value in [("1", True), ("yes", True), ("Off", False), ("0", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not value) is value


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "five-eight-seven")
    with pytest.raises(ImproperlyConfiguredEnv, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 587)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example , b.example,,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_postgres_url_becomes_a_database_entry():
    entry = parse_database_url("postgres://pg:s%40cret@db.internal:6543/peergroups?sslmode=require")
    assert entry["ENGINE"] == "django.db.backends.postgresql"
    assert (entry["USER"], entry["PASSWORD"], entry["HOST"], entry["PORT"]) == (
        "pg",
        "s@cret",
        "db.internal",
        "6543",
    )
    assert entry["NAME"] == "peergroups"
    assert entry["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c jit=off -c statement_timeout=30000",
        "connect_timeout": "5",
    }


def test_postgres_runs_without_jit_unless_the_url_says():
    assert parse_database_url("postgres://pg@db/p")["OPTIONS"]["options"].startswith("-c jit=off")
    url = "postgres://pg@db/p?options=-c%20jit%3Don"
    assert parse_database_url(url)["OPTIONS"]["options"] == "-c jit=on"


def test_postgres_connections_time_out_unless_the_url_says():
    """A database that accepts and never answers must not hang a request for minutes."""
    entry = parse_database_url("postgres://pg@db/p", connect_timeout=3, statement_timeout_ms=9000)
    assert entry["OPTIONS"]["connect_timeout"] == "3"
    assert "-c statement_timeout=9000" in entry["OPTIONS"]["options"]
    entry = parse_database_url("postgres://pg@db/p?connect_timeout=20")
    assert entry["OPTIONS"]["connect_timeout"] == "20"


def test_sqlite_url_turns_on_wal_and_a_busy_timeout():
    entry = parse_database_url("sqlite:////tmp/x.sqlite3")
    assert entry["NAME"] == "/tmp/x.sqlite3"
    assert "journal_mode=WAL" in entry["OPTIONS"]["init_command"]
    assert entry["OPTIONS"]["timeout"] > 0


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://"])
def test_unusable_database_urls_are_refused(url):
    with pytest.raises(ImproperlyConfiguredEnv, match="DATABASE_URL"):
        parse_database_url(url)


def run_check(*args: str, **env) -> subprocess.CompletedProcess:
    # Playwright's fixtures leave DJANGO_ALLOW_ASYNC_UNSAFE set in this process; a real
    # deployment has no such variable (check --deploy refuses it).
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_stops_start_up_with_the_variable_named():
    result = run_check(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


# The production environment the README documents (a strong key, real host names).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "ALLOWED_HOSTS": "groups.example.org",
    "BASE_URL": "https://groups.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://groups.example.org",
    "BEHIND_PROXY": "1",
    "EMAIL_HOST": "smtp.example.org",
}


def test_check_deploy_is_clean_with_the_documented_production_env():
    result = run_check("--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_e_mail_would_only_be_printed():
    """DEBUG=0 without EMAIL_HOST: every invitation and reset link would go to the log."""
    production = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_HOST"}
    result = run_check("--deploy", **production)
    assert result.returncode != 0
    assert "peergroups.E001" in result.stderr and "EMAIL_HOST" in result.stderr


@pytest.mark.parametrize(
    "key", ["x", "short-but-not-empty", "a" * 60, "django-insecure-" + "q1w2e3r4t5" * 5]
)
def test_production_refuses_a_weak_secret_key(key):
    result = run_check(**{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
