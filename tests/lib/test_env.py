"""The strict environment readers: each bad value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongzhi.lib import env


@pytest.fixture
def setenv(monkeypatch):
    def set_(name: str, value: str | None) -> None:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    return set_


def test_env_str_strips_and_treats_blank_as_unset(setenv):
    setenv("GZ_T", "  abc ")
    assert env.env_str("GZ_T") == "abc"
    setenv("GZ_T", "   ")
    assert env.env_str("GZ_T", "d") == "d"
    setenv("GZ_T", None)
    assert env.env_str("GZ_T") is None


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("TRUE", True), ("yes", True), ("off", False), ("0", False)])
def test_env_bool_accepts_the_usual_spellings(setenv, raw, value):
    setenv("GZ_B", raw)
    assert env.env_bool("GZ_B", default=not value) is value


def test_env_bool_refuses_anything_else(setenv):
    setenv("GZ_B", "maybe")
    with pytest.raises(ImproperlyConfigured, match="GZ_B must be a boolean"):
        env.env_bool("GZ_B", default=False)


@pytest.mark.parametrize(
    ("raw", "message"), [("ten", "an integer, got .ten."), ("0", "at least 1, got 0"), ("101", "at most 100, got 101")]
)
def test_env_int_checks_type_and_bounds(setenv, raw, message):
    setenv("GZ_I", raw)
    with pytest.raises(ImproperlyConfigured, match=f"GZ_I must be {message}"):
        env.env_int("GZ_I", 5, minimum=1, maximum=100)


def test_env_int_reads_a_value_and_falls_back_to_the_default(setenv):
    setenv("GZ_I", " 42 ")
    assert env.env_int("GZ_I", 5) == 42
    setenv("GZ_I", None)
    assert env.env_int("GZ_I", 5) == 5


def test_env_choice(setenv):
    setenv("GZ_C", "staging")
    with pytest.raises(ImproperlyConfigured, match="GZ_C must be one of development, production"):
        env.env_choice("GZ_C", "development", ("development", "production"))
    setenv("GZ_C", "production")
    assert env.env_choice("GZ_C", "development", ("development", "production")) == "production"


def test_env_list(setenv):
    setenv("GZ_L", "a.example, b.example")
    assert env.env_list("GZ_L", []) == ["a.example", "b.example"]
    setenv("GZ_L", "a.example,,b")
    with pytest.raises(ImproperlyConfigured, match="GZ_L must be a comma-separated list"):
        env.env_list("GZ_L", [])


def test_env_dotted_path_email_timezone_and_file(setenv, tmp_path):
    setenv("GZ_P", "not a path")
    with pytest.raises(ImproperlyConfigured, match="GZ_P must be a dotted Python path"):
        env.env_dotted_path("GZ_P", "a.B")
    setenv("GZ_E", "nobody")
    with pytest.raises(ImproperlyConfigured, match="GZ_E must be an e-mail address"):
        env.env_email("GZ_E", "a@b")
    setenv("GZ_E", "共治 <gongzhi@example.org>")
    assert env.env_email("GZ_E", "a@b") == "共治 <gongzhi@example.org>"
    setenv("GZ_Z", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="GZ_Z must be a time zone"):
        env.env_timezone("GZ_Z", "Asia/Shanghai")
    setenv("GZ_F", str(tmp_path / "missing.ttf"))
    with pytest.raises(ImproperlyConfigured, match="GZ_F must name an existing file"):
        env.env_file("GZ_F")
    font = tmp_path / "font.ttf"
    font.write_bytes(b"x")
    setenv("GZ_F", str(font))
    assert env.env_file("GZ_F") == font


def test_writable_dir_creates_and_refuses(setenv, tmp_path):
    setenv("GZ_D", str(tmp_path / "a" / "b"))
    assert env.writable_dir("GZ_D", tmp_path).is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    setenv("GZ_D", str(blocker / "sub"))
    with pytest.raises(ImproperlyConfigured, match="GZ_D: cannot create the directory"):
        env.writable_dir("GZ_D", tmp_path)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "must start with postgres:// or sqlite://"),
        ("postgres://u@h:5432/", "must name a database"),
        ("postgres://u@h:99999/db", "invalid port"),
        ("postgres://u@h/db?conn_max_age=soon", "conn_max_age must be an integer"),
        ("postgres://u@h/db?server_side_binding=maybe", "server_side_binding must be true or false"),
        ("postgres://u@h/db?prepare_threshold=often", "prepare_threshold must be a count or none"),
    ],
)
def test_database_urls_are_checked(url, message):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        env.database_from_url("DATABASE_URL", url, sqlite_default=Path("x.db"))
    assert "DATABASE_URL" in str(caught.value)


def test_a_postgres_url_becomes_a_database_entry():
    entry = env.database_from_url(
        "DATABASE_URL",
        "postgresql://gz:p%40ss@db.internal:6432/gongzhi?conn_max_age=0&sslmode=require",
        sqlite_default=Path("x.db"),
    )
    assert entry["ENGINE"] == "django.db.backends.postgresql"
    assert (entry["NAME"], entry["USER"], entry["PASSWORD"], entry["HOST"], entry["PORT"]) == (
        "gongzhi",
        "gz",
        "p@ss",
        "db.internal",
        "6432",
    )
    assert entry["CONN_MAX_AGE"] == 0
    # Server-side parameter binding by default (prepared statements); a URL may turn it off.
    assert entry["OPTIONS"] == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    pooled = env.database_from_url(
        "DATABASE_URL", "postgres://gz@pooler/gongzhi?server_side_binding=false", sqlite_default=Path("x.db")
    )
    assert pooled["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": None}


def test_a_sqlite_url_uses_wal_mode(tmp_path):
    absolute = env.database_from_url("DATABASE_URL", f"sqlite:///{tmp_path}/g.db", sqlite_default=Path("x.db"))
    assert absolute["NAME"] == f"{tmp_path}/g.db"  # sqlite:////tmp/... (four slashes) is absolute
    assert "journal_mode=WAL" in absolute["OPTIONS"]["init_command"]
    relative = env.database_from_url("DATABASE_URL", "sqlite:///var/other.db", sqlite_default=Path("x.db"))
    assert relative["NAME"] == "var/other.db"
    assert env.database_from_url("DATABASE_URL", "sqlite://", sqlite_default=Path("d.db"))["NAME"] == "d.db"


@pytest.mark.parametrize("url", ["http://cache:6379", "redis://", "memcached://x"])
def test_redis_urls_are_checked(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.redis_from_url("REDIS_URL", url)


def test_a_redis_url_is_accepted():
    assert env.redis_from_url("REDIS_URL", "redis://127.0.0.1:6379/1").url == "redis://127.0.0.1:6379/1"
    assert env.redis_from_url("REDIS_URL", None) is None


def test_secrets_are_generated_once_into_var_and_reused(setenv, tmp_path):
    setenv("GZ_S", None)
    path = tmp_path / "secret"
    first = env.secret_from_env_or_file("GZ_S", path, required=False)
    assert len(first) >= 32
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert env.secret_from_env_or_file("GZ_S", path, required=False) == first


def test_secrets_are_required_in_production_and_must_be_long(setenv, tmp_path):
    setenv("GZ_S", None)
    with pytest.raises(ImproperlyConfigured, match="GZ_S is required when GONGZHI_ENV=production"):
        env.secret_from_env_or_file("GZ_S", tmp_path / "s", required=True)
    setenv("GZ_S", "short")
    with pytest.raises(ImproperlyConfigured, match="GZ_S must be at least 32 characters"):
        env.secret_from_env_or_file("GZ_S", tmp_path / "s", required=False)
    (tmp_path / "t").write_text("tiny\n")
    setenv("GZ_S", None)
    with pytest.raises(ImproperlyConfigured, match="used for GZ_S"):
        env.secret_from_env_or_file("GZ_S", tmp_path / "t", required=False)
