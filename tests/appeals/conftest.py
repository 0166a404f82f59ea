"""Fixtures for appeals: a routing rule, a clock, and helpers that carry an appeal through its workflow."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.appeals import actions, routing
from gongzhi.appeals.models import Appeal, Category, RoutingRule
from gongzhi.people.roles import Role
from tests.conftest import drop_number_sequences, ensure_taxonomy  # noqa: F401 - used from here by other tests
from tests.factories import UserFactory, grant

TZ = dt.timezone(dt.timedelta(hours=8))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(*args: int) -> dt.datetime:
    """Return an aware Asia/Shanghai moment: at(2026, 9, 30, 10) is 30 Sep 2026 10:00 in Beijing."""
    return dt.datetime(*args, tzinfo=TZ)


class Clock:
    """A settable 'now' for django.utils.timezone (actions read the time only through it)."""

    def __init__(self) -> None:
        self.now: dt.datetime | None = None

    def set(self, moment: dt.datetime) -> None:
        if self.now is None:
            # Grants made "today" would not hold yet on an earlier frozen day.
            from gongzhi.people.models import RoleGrant

            RoleGrant.objects.update(valid_from=dt.date(2020, 1, 1))
        self.now = moment

    def advance(self, **delta: Any) -> dt.datetime:
        assert self.now is not None
        self.now = self.now + dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: clock.now or real())
    return clock


@pytest.fixture(autouse=True)
def _chinese():
    """Start in Chinese: a request with an English cookie leaves the thread's language switched."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _fresh_rules():
    routing.rules_changed()
    yield
    routing.rules_changed()


def category(code: str) -> Category:
    return Category.objects.get(code=code)


@pytest.fixture
def rule(world) -> RoutingRule:
    """City-management appeals in the street go to the district city-management commission (the handler's)."""
    rule = RoutingRule.objects.create(category=category("UC"), unit=world.street, department=world.department)
    routing.rules_changed()
    return rule


@pytest.fixture
def utility_handler(world):
    user = UserFactory(username="utility_handler", display_name="供电公司承办人")
    grant(user, Role.DEPARTMENT_HANDLER, world.utility)
    return user


@pytest.fixture
def street_handler(world):
    user = UserFactory(username="street_handler", display_name="城管科承办人")
    grant(user, Role.DEPARTMENT_HANDLER, world.street_department)
    return user


def png(name: str = "photo.png") -> actions.Upload:
    return actions.Upload(name=name, content=PNG)


def submit(
    world, resident, *, code: str = "UC02", text: str = "小区门口垃圾桶满了三天没人清运，气味很大。", **kw
) -> Appeal:
    kw.setdefault("unit", world.grid)
    kw.setdefault("channel", "web")
    return actions.appeal_submit(actor=resident, category=category(code), description=text, **kw)


def carry_to_resolved(world, appeal: Appeal, *, dispatcher, handler) -> Appeal:
    """Dispatch (unless a rule did), accept, respond and complete: the appeal ends resolved."""
    appeal.refresh_from_db()
    if appeal.status == "submitted":
        actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已电话联系居民，约定今天下午处理。")
    actions.appeal_complete(actor=handler, appeal=appeal, result="已安排清运车辆清运完毕。", evidence=[png()])
    appeal.refresh_from_db()
    return appeal


def xlsx_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
