"""The named cast and shared fixtures.

Every test gets a small district (``world``): two streets, communities and grids, three departments
and the cast — a district admin, a street dispatcher, a department handler, a community worker, a
grid worker, a resident and an outsider from the other street (plus a few more roles). Tests reach
them as fixtures (``dispatcher``, ``outsider``...) or as ``world.<name>``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongzhi import access
from gongzhi.lib import workdays
from tests.factories import World, build_world


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Start every test with empty per-process caches (permission table stays; calendar table reloads)."""
    workdays.clear_cache()
    from django.core.cache import cache

    from gongzhi.appeals import routing
    from gongzhi.people import authcache
    from gongzhi.services import dispatch_check
    from gongzhi.units import queries as units_queries

    cache.clear()
    routing.forget_local()
    authcache.forget_local()
    units_queries.forget_local()
    dispatch_check.forget_local()
    yield
    workdays.clear_cache()


def ensure_taxonomy() -> None:
    """Seed the default taxonomy again after a transactional test flushed the tables (migrations seeded it once)."""
    from importlib import import_module

    from django.apps import apps

    from gongzhi.appeals import routing
    from gongzhi.appeals.models import Category

    if not Category.objects.exists():
        import_module("gongzhi.appeals.migrations.0002_default_taxonomy").seed(apps, None)
    routing.rules_changed()


def drop_number_sequences() -> None:
    """Forget the per-year number sequences a committed test made (PostgreSQL keeps them across flushes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE 'appeals_number_%%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """A transactional test starts from flushed tables: seed the appeal categories every app refers to."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_taxonomy()
    yield
    if transactional:
        drop_number_sequences()


def pytest_collection_modifyitems(config, items):
    """Skip tests marked @pytest.mark.postgres unless the suite runs on PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def world(db) -> World:
    return build_world()


def _cast(name: str):
    @pytest.fixture
    def fixture(world: World):
        user = world.users[name]
        access.forget(user)
        return user

    fixture.__name__ = name
    return fixture


sysadmin = _cast("sysadmin")
district_admin = _cast("district_admin")
street_staff = _cast("street_staff")
dispatcher = _cast("dispatcher")
supervisor = _cast("supervisor")
handler = _cast("handler")
community_head = _cast("community_head")
community_worker = _cast("community_worker")
grid_worker = _cast("grid_worker")
representative = _cast("representative")
resident = _cast("resident")
outsider = _cast("outsider")


class ApiClient(Client):
    """A test client speaking JSON to /api/v1/, signed in as a user (or anonymous)."""

    def __init__(self, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if user is not None:
            self.force_login(user)

    def _json(self, method: str, path: str, data: Any = None, **extra: Any):
        body = json.dumps(data) if data is not None else ""
        return getattr(super(), method)(self._url(path), data=body, content_type="application/json", **extra)

    @staticmethod
    def _url(path: str) -> str:
        if path.startswith("/api/"):
            return path
        return "/api/v1" + (path if path.startswith("/") else f"/{path}")

    def get(self, path: str, data: Any = None, **extra: Any):  # type: ignore[override]
        return super().get(self._url(path), data=data, **extra)

    def post(self, path: str, data: Any = None, **extra: Any):  # type: ignore[override]
        return self._json("post", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any):  # type: ignore[override]
        return self._json("patch", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any):  # type: ignore[override]
        return self._json("put", path, data, **extra)

    def delete(self, path: str, data: Any = None, **extra: Any):  # type: ignore[override]
        return self._json("delete", path, data, **extra)


@pytest.fixture
def api():
    """Return a factory: api(user) is a JSON client for /api/v1 signed in as that user (None = anonymous)."""

    def make(user: Any = None) -> ApiClient:
        return ApiClient(user)

    return make


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """Assert the one error shape: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    if field is not None:
        assert field in body["error"]["fields"], body
    return body
