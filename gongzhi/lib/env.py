"""Strict readers for configuration from the environment.

Every reader fails loudly with ImproperlyConfigured naming the variable, so a typo in a
deployment stops start-up instead of silently running with a default.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or default when unset or empty."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; accept 1/0, true/false, yes/no, on/off."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return an integer variable within the given bounds."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {number}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return a variable that must be one of the given choices."""
    value = env_str(name, default) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name} must be a comma-separated list without empty items, got {value!r}")
    return items


_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$|^[^<>]*<[^@\s<>]+@[^@\s<>]+>$")


def env_dotted_path(name: str, default: str) -> str:
    """Return a dotted Python path (a class to import later), e.g. gongzhi.notify.senders.OutboxSender."""
    value = env_str(name, default) or default
    if not _DOTTED.match(value):
        raise ImproperlyConfigured(f"{name} must be a dotted Python path such as package.module.Class, got {value!r}")
    return value


def env_email(name: str, default: str) -> str:
    """Return an e-mail address ("a@b" or "Name <a@b>")."""
    value = env_str(name, default) or default
    if not _EMAIL.match(value):
        raise ImproperlyConfigured(f"{name} must be an e-mail address such as gongzhi@example.org, got {value!r}")
    return value


def env_timezone(name: str, default: str) -> str:
    """Return an IANA time zone name such as Asia/Shanghai."""
    value = env_str(name, default) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a time zone name such as Asia/Shanghai, got {value!r}") from None
    return value


def env_file(name: str) -> Path | None:
    """Return the path of an existing file named by the variable, or None when unset."""
    value = env_str(name)
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise ImproperlyConfigured(f"{name} must name an existing file, got {value!r}")
    return path


def writable_dir(name: str, default: Path) -> Path:
    """Return a directory from the variable (or the default), created if needed; fail if it cannot be written."""
    value = env_str(name)
    path = Path(value).expanduser() if value is not None else default
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: cannot create the directory {str(path)!r} ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(f"{name}: the directory {str(path)!r} is not writable")
    return path


def database_from_url(name: str, url: str, *, sqlite_default: Path) -> dict:
    """Return a Django DATABASES entry for a postgres:// or sqlite:// URL."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        dbname = unquote(parsed.path.lstrip("/"))
        if not dbname:
            raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host:5432/gongzhi")
        try:
            port = parsed.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port in {url!r}") from None
        options: dict[str, Any] = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        conn_max_age = options.pop("conn_max_age", "60")
        # Parameters travel apart from the statement (no quoting in Python) and psycopg prepares a statement
        # from its fifth use (no parse and plan each time): ?server_side_binding=false turns both off, e.g.
        # behind PgBouncer in transaction mode; ?prepare_threshold=N|none tunes the second.
        binding = str(options.pop("server_side_binding", "true")).lower()
        if binding not in _TRUE | _FALSE - {""}:
            raise ImproperlyConfigured(f"{name}: server_side_binding must be true or false, got {binding!r}")
        options["server_side_binding"] = binding in _TRUE
        threshold = str(options.pop("prepare_threshold", "5" if binding in _TRUE else "none")).lower()
        if threshold in {"none", "off", "false"}:
            options["prepare_threshold"] = None
        elif threshold.isdigit():
            options["prepare_threshold"] = int(threshold)
        else:
            raise ImproperlyConfigured(f"{name}: prepare_threshold must be a count or none, got {threshold!r}")
        try:
            max_age = int(conn_max_age)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: conn_max_age must be an integer, got {conn_max_age!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": dbname,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": f"test_{dbname}"},
        }
    if scheme == "sqlite":
        # As everywhere else: sqlite:///relative/path.db and sqlite:////absolute/path.db.
        raw_path = unquote(parsed.netloc + parsed.path) if parsed.netloc else unquote(parsed.path[1:])
        path = Path(raw_path) if raw_path else sqlite_default
        return sqlite_database(path)
    raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite://, got {url!r}")


def sqlite_database(path: Path) -> dict:
    """Return a SQLite entry in WAL mode with a busy timeout suited to a web server and a worker."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
            ),
        },
    }


@dataclass(frozen=True)
class RedisUrl:
    url: str


def redis_from_url(name: str, url: str | None) -> RedisUrl | None:
    """Validate a redis:// URL."""
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must start with redis://, rediss:// or unix://, got {url!r}")
    if parsed.scheme != "unix" and not parsed.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, e.g. redis://127.0.0.1:6379/0")
    return RedisUrl(url)


def secret_from_env_or_file(name: str, path: Path, *, required: bool, nbytes: int = 32) -> str:
    """Return a secret from the environment, or from a generated file under var/ for local use."""
    value = env_str(name)
    if value is not None:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long")
        return value
    if required:
        raise ImproperlyConfigured(f"{name} is required when GONGZHI_ENV=production")
    if path.exists():
        stored = path.read_text().strip()
        if len(stored) < 32:
            raise ImproperlyConfigured(
                f"{path} (used for {name}) is shorter than 32 characters; delete it to regenerate"
            )
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generated + "\n")
    return generated
