"""Start-up configuration: every bad value stops `django.setup()` with a message naming the variable.

Each case starts a fresh Python process (settings are read once per process), with var/ pointed at a
temporary directory so nothing of the developer's own var/ is touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 40
PRODUCTION = {
    "GONGZHI_ENV": "production",
    "GONGZHI_SECRET_KEY": "k3-Pq9vZ" * 7,
    "GONGZHI_FIELD_KEY": f"k1:{KEY}",
    "ALLOWED_HOSTS": "gongzhi.example.org",
}

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in %r}, default=str))"
)


def _env(tmp_path: Path, overrides: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GONGZHI_")
        and k not in {"DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "gongzhi.settings", "GONGZHI_VAR_DIR": str(tmp_path / "var")})
    env.update(overrides)
    return env


def start(tmp_path: Path, code: str = "import django; django.setup()", **overrides: str):
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(tmp_path, overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(tmp_path: Path, names: list[str], **overrides: str) -> dict:
    result = start(tmp_path, SHOW % (names,), **overrides)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_fresh_checkout_starts_without_any_configuration(tmp_path):
    values = settings_of(tmp_path, ["DEBUG", "TIME_ZONE", "LANGUAGE_CODE", "DATABASES", "SESSION_COOKIE_SECURE"])
    assert values["DEBUG"] is False
    assert values["TIME_ZONE"] == "Asia/Shanghai" and values["LANGUAGE_CODE"] == "zh-hans"
    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path / "var" / "gongzhi.db")
    assert values["SESSION_COOKIE_SECURE"] is False
    # The keys were generated into var/ for local use, readable by the owner only.
    for name in ("secret_key", "field_key"):
        path = tmp_path / "var" / name
        assert len(path.read_text().strip()) >= 32
        assert oct(path.stat().st_mode & 0o777) == "0o600"


BAD = [
    ("GONGZHI_ENV", {"GONGZHI_ENV": "staging"}, "GONGZHI_ENV must be one of"),
    ("GONGZHI_DEBUG", {"GONGZHI_DEBUG": "perhaps"}, "GONGZHI_DEBUG must be a boolean"),
    ("GONGZHI_DEBUG in production", {**PRODUCTION, "GONGZHI_DEBUG": "true"}, "GONGZHI_DEBUG must not be true"),
    ("GONGZHI_SECRET_KEY", {"GONGZHI_SECRET_KEY": "short"}, "GONGZHI_SECRET_KEY must be at least 32"),
    ("GONGZHI_FIELD_KEY", {"GONGZHI_FIELD_KEY": "short"}, "GONGZHI_FIELD_KEY must be at least 32"),
    ("GONGZHI_FIELD_KEY ids", {"GONGZHI_FIELD_KEY": f"a:{KEY},a:{KEY}x"}, "GONGZHI_FIELD_KEY has duplicate key ids"),
    ("GONGZHI_BLIND_INDEX_KEY", {"GONGZHI_BLIND_INDEX_KEY": "short"}, "GONGZHI_BLIND_INDEX_KEY must be at least 32"),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "a.example,,b.example"}, "ALLOWED_HOSTS must be a comma-separated list"),
    ("CSRF_TRUSTED_ORIGINS", {"CSRF_TRUSTED_ORIGINS": "gongzhi.example.org"}, "CSRF_TRUSTED_ORIGINS entries must"),
    ("DATABASE_URL", {"DATABASE_URL": "mysql://u@h/gongzhi"}, "DATABASE_URL must start with postgres://"),
    ("DATABASE_URL name", {"DATABASE_URL": "postgres://u@h:5432"}, "DATABASE_URL must name a database"),
    ("REDIS_URL", {"REDIS_URL": "http://cache:6379"}, "REDIS_URL must start with redis://"),
    (
        "GONGZHI_LOGIN_FAILURE_LIMIT",
        {"GONGZHI_LOGIN_FAILURE_LIMIT": "0"},
        "GONGZHI_LOGIN_FAILURE_LIMIT must be at least",
    ),
    (
        "GONGZHI_LOGIN_LOCKOUT_SECONDS",
        {"GONGZHI_LOGIN_LOCKOUT_SECONDS": "15m"},
        "GONGZHI_LOGIN_LOCKOUT_SECONDS must be",
    ),
    ("GONGZHI_TIME_ZONE", {"GONGZHI_TIME_ZONE": "Mars/Olympus"}, "GONGZHI_TIME_ZONE must be a time zone"),
    ("GONGZHI_MAX_BODY_BYTES", {"GONGZHI_MAX_BODY_BYTES": "10"}, "GONGZHI_MAX_BODY_BYTES must be at least"),
    ("GONGZHI_MAX_UPLOAD_BYTES", {"GONGZHI_MAX_UPLOAD_BYTES": "lots"}, "GONGZHI_MAX_UPLOAD_BYTES must be an integer"),
    ("GONGZHI_SESSION_SECONDS", {"GONGZHI_SESSION_SECONDS": "5"}, "GONGZHI_SESSION_SECONDS must be at least"),
    ("GONGZHI_HSTS_SECONDS", {**PRODUCTION, "GONGZHI_HSTS_SECONDS": "-1"}, "GONGZHI_HSTS_SECONDS must be at least"),
    ("GONGZHI_SSL_REDIRECT", {**PRODUCTION, "GONGZHI_SSL_REDIRECT": "sometimes"}, "GONGZHI_SSL_REDIRECT must be a"),
    ("GONGZHI_TASK_WORKERS", {"GONGZHI_TASK_WORKERS": "0"}, "GONGZHI_TASK_WORKERS must be at least"),
    ("GONGZHI_EMAIL_BACKEND", {"GONGZHI_EMAIL_BACKEND": "smtp"}, "GONGZHI_EMAIL_BACKEND must be a dotted"),
    (
        "GONGZHI_EMAIL_BACKEND import",
        {"GONGZHI_EMAIL_BACKEND": "django.core.mail.backends.carrier_pigeon.EmailBackend"},
        "GONGZHI_EMAIL_BACKEND cannot be imported",
    ),
    ("GONGZHI_FROM_EMAIL", {"GONGZHI_FROM_EMAIL": "nobody"}, "GONGZHI_FROM_EMAIL must be an e-mail address"),
    ("GONGZHI_EMAIL_PORT", {"GONGZHI_EMAIL_PORT": "70000"}, "GONGZHI_EMAIL_PORT must be at most 65535"),
    ("GONGZHI_SMS_SENDER", {"GONGZHI_SMS_SENDER": "gongzhi.notify.senders.Pigeon"}, "GONGZHI_SMS_SENDER cannot be"),
    ("GONGZHI_SMS_SENDER class", {"GONGZHI_SMS_SENDER": "logging.Logger"}, "GONGZHI_SMS_SENDER must name a class"),
    ("GONGZHI_BASE_URL", {"GONGZHI_BASE_URL": "gongzhi.example.org"}, "GONGZHI_BASE_URL must start with http"),
    ("GONGZHI_PDF_FONT", {"GONGZHI_PDF_FONT": "/nonexistent/font.ttf"}, "GONGZHI_PDF_FONT must name an existing file"),
    ("GONGZHI_LOG_LEVEL", {"GONGZHI_LOG_LEVEL": "LOUD"}, "GONGZHI_LOG_LEVEL must be one of"),
    (
        "GONGZHI_APPEAL_ESCALATION_HOURS",
        {"GONGZHI_APPEAL_ESCALATION_HOURS": "0"},
        "GONGZHI_APPEAL_ESCALATION_HOURS must be at least 1",
    ),
    ("GONGZHI_APPEAL_MAX_REOPENS", {"GONGZHI_APPEAL_MAX_REOPENS": "many"}, "GONGZHI_APPEAL_MAX_REOPENS must be an"),
    ("production secret", {**PRODUCTION, "GONGZHI_SECRET_KEY": ""}, "GONGZHI_SECRET_KEY is required"),
    ("production weak secret", {**PRODUCTION, "GONGZHI_SECRET_KEY": "s" * 60}, "GONGZHI_SECRET_KEY must be a random"),
    ("production short secret", {**PRODUCTION, "GONGZHI_SECRET_KEY": "k3-Pq9vZ" * 5}, "at least 50 characters"),
    ("production field key", {**PRODUCTION, "GONGZHI_FIELD_KEY": ""}, "GONGZHI_FIELD_KEY is required"),
    ("production hosts", {**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
]


@pytest.mark.parametrize(("case", "overrides", "message"), BAD, ids=[case for case, *_ in BAD])
def test_a_wrong_value_stops_start_up_naming_the_variable(tmp_path, case, overrides, message):
    result = start(tmp_path, **overrides)
    assert result.returncode != 0, f"{case}: started anyway"
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr, result.stderr[-1500:]


def test_an_unwritable_var_directory_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = start(tmp_path, GONGZHI_VAR_DIR=str(blocker / "var"))
    assert result.returncode != 0
    assert "GONGZHI_VAR_DIR: cannot create the directory" in result.stderr


def test_production_requires_https_cookies_and_hsts(tmp_path):
    values = settings_of(
        tmp_path,
        [
            "DEBUG",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_PROXY_SSL_HEADER",
            "SECURE_CONTENT_TYPE_NOSNIFF",
            "X_FRAME_OPTIONS",
            "ALLOWED_HOSTS",
            "CONTENT_SECURITY_POLICY",
        ],
        **PRODUCTION,
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == ["gongzhi.example.org"]
    assert "script-src 'self'" in values["CONTENT_SECURITY_POLICY"]
    assert "unsafe-inline" not in values["CONTENT_SECURITY_POLICY"]
    # Production never writes generated keys: they must come from the environment.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_answers_plain_http_with_a_redirect_and_hsts_over_https(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/api/v1/openapi.json', HTTP_HOST='gongzhi.example.org'); print(r.status_code, r.get('Location')); "
        "r = c.get('/api/v1/openapi.json', HTTP_HOST='gongzhi.example.org', HTTP_X_FORWARDED_PROTO='https'); "
        "print(r.status_code, r.get('Strict-Transport-Security'))"
    )
    result = start(tmp_path, code, **PRODUCTION)
    assert result.returncode == 0, result.stderr[-1500:]
    lines = result.stdout.strip().splitlines()[-2:]
    assert lines[0] == "301 https://gongzhi.example.org/api/v1/openapi.json"
    assert lines[1] == "200 max-age=31536000; includeSubDomains"


def test_tasks_use_sqlite_under_var_by_default_and_redis_when_configured(tmp_path):
    names = ["HUEY", "CACHES"]
    local = settings_of(tmp_path, names)
    assert local["HUEY"]["huey_class"] == "huey.SqliteHuey"
    assert local["HUEY"]["filename"] == str(tmp_path / "var" / "tasks.db")
    assert local["HUEY"]["immediate"] is False
    assert local["CACHES"]["default"]["BACKEND"].endswith("FileBasedCache")
    redis = settings_of(tmp_path, names, REDIS_URL="redis://127.0.0.1:6379/3")
    assert redis["HUEY"]["huey_class"] == "huey.PriorityRedisHuey"
    assert redis["HUEY"]["url"] == "redis://127.0.0.1:6379/3"
    assert redis["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert redis["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    code = "import django; django.setup(); from huey.contrib.djhuey import HUEY; print(type(HUEY).__name__)"
    result = start(tmp_path, code, REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.stdout.strip().splitlines()[-1] == "PriorityRedisHuey"


def test_test_mode_runs_tasks_immediately(tmp_path):
    assert settings_of(tmp_path, ["HUEY"], GONGZHI_ENV="test")["HUEY"]["immediate"] is True


def test_the_production_configuration_passes_djangos_deployment_checks(tmp_path):
    code = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = start(tmp_path, code, **PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]


def test_appeal_escalation_and_reopen_limits_come_from_the_environment(tmp_path):
    names = ["GONGZHI_APPEAL_ESCALATION_HOURS", "GONGZHI_APPEAL_MAX_REOPENS"]
    assert settings_of(tmp_path, names) == {names[0]: 24, names[1]: 2}
    assert settings_of(tmp_path, names, **{names[0]: "48", names[1]: "0"}) == {names[0]: 48, names[1]: 0}
