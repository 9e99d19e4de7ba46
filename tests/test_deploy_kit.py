"""The deployment kit (deploy/) agrees with the code: the upload limit is stated once,
the environment file passes `check --deploy`, every unit runs a command that exists."""

import re
from configparser import ConfigParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from peergroups.ops.services import task_queues
from tests.test_settings import run_check

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def env_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "peergroups.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def unit(name: str) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def test_the_proxys_body_limit_is_the_apps():
    conf = (DEPLOY / "nginx-peergroups.conf").read_text()
    (limit,) = re.findall(r"client_max_body_size\s+(\d+)m;", conf)
    assert int(limit) * 1024 * 1024 == settings.MAX_REQUEST_BYTES
    assert settings.RESOURCE_FILE_MAX_BYTES == settings.UPLOAD_MAX_BYTES
    assert settings.MAX_REQUEST_BYTES > settings.UPLOAD_MAX_BYTES


def test_the_proxy_sends_what_the_app_trusts():
    conf = (DEPLOY / "nginx-peergroups.conf").read_text()
    for header in ("Host $host", "X-Forwarded-Proto $scheme", "X-Forwarded-For", "X-Request-ID"):
        assert f"proxy_set_header {header}" in conf
    assert env_file()["BEHIND_PROXY"] == "1"


def test_every_variable_of_the_environment_file_is_one_we_read():
    documented = set(
        re.findall(r"^#? ?([A-Z_]+)=", (DEPLOY.parent / ".env.example").read_text(), re.M)
    )
    gunicorn = {"GUNICORN_BIND", "WEB_CONCURRENCY"}
    assert set(env_file()) - documented - gunicorn == set()


def test_the_environment_file_passes_check_deploy(tmp_path):
    env = env_file()
    env["SECRET_KEY"] = "kit-" + "Zq8vN3xW5yB7uR1tP4sK6mJ9hG2fD0cL" * 2
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env["STATIC_ROOT"] = str(tmp_path / "static")
    result = run_check("--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr


def test_there_is_a_worker_for_each_queue_and_a_nightly_backup():
    worker = unit("peergroups-worker@.service")["Service"]["ExecStart"]
    assert worker.endswith("manage.py worker --queue-name %i")
    doc = (DEPLOY / "peergroups-worker@.service").read_text()
    for queue in task_queues():
        assert f"peergroups-worker@{queue}" in doc
    backup = unit("peergroups-backup.service")["Service"]["ExecStart"]
    assert "manage.py backup /var/backups/peergroups/" in backup
    assert "backup" in get_commands()
    web = unit("peergroups-web.service")["Service"]
    assert web["ExecStart"].endswith("gunicorn peergroups.wsgi -c gunicorn.conf.py")
    assert web["EnvironmentFile"] == "/etc/peergroups/peergroups.env"


@pytest.mark.parametrize("name", sorted(p.name for p in DEPLOY.glob("*.service")))
def test_units_name_the_environment_file(name):
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == "/etc/peergroups/peergroups.env"
    assert service["User"] == "peergroups"
