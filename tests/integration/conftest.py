"""Fixtures for the links between apps: the services world (duties register) and appeals helpers."""

from __future__ import annotations

import pytest

from gongzhi.appeals import actions as appeal_actions
from gongzhi.appeals import routing
from gongzhi.appeals.models import Appeal, Category, RoutingRule
from tests.services.conftest import ServicesWorld, build_services


@pytest.fixture
def svc(world) -> ServicesWorld:
    return build_services(world)


@pytest.fixture(autouse=True)
def _fresh_rules():
    from django.utils import translation

    translation.activate("zh-hans")
    routing.rules_changed()
    yield
    routing.rules_changed()
    translation.activate("zh-hans")


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def submit(world, actor, *, code: str = "UC02", text: str = "小区门口垃圾桶满了三天没人清运。", **kw) -> Appeal:
    kw.setdefault("unit", world.grid)
    kw.setdefault("channel", "web")
    return appeal_actions.appeal_submit(actor=actor, category=category(code), description=text, **kw)


@pytest.fixture
def city_rule(world) -> RoutingRule:
    """City-management appeals in the street go to the district city-management commission."""
    rule = RoutingRule.objects.create(category=category("UC"), unit=world.street, department=world.department)
    routing.rules_changed()
    return rule
