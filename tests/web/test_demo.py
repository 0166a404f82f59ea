"""`manage.py demo` loads the demo district once (a second run adds nothing), sends nothing outside, keeps the
audit chain whole, and every demo sign-in reaches its desk with every panel on it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from gongzhi.notify.models import Delivery
from gongzhi.people.models import Resident
from gongzhi.units.models import Department, Unit
from gongzhi.web.demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db

HX_GET = re.compile(r'hx-get="([^"]+)"')


def _counts() -> dict[str, int]:
    """Rows per model of every Gongzhi app (what a second run must not change)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("gongzhi.") and not model._meta.label.startswith(("audit.", "notify."))
    }


def test_the_demo_loads_once_and_every_role_reaches_its_desk():
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    assert "Demo district ready." in printed
    assert f"password for every account: {DEMO_PASSWORD}" in printed
    first = _counts()

    # The district the issue describes.
    assert Resident.objects.count() >= 500
    assert Unit.objects.filter(kind="community").count() == 3 and Unit.objects.filter(kind="village").count() == 3
    assert Department.objects.count() >= 10
    # Synthetic residents get no SMS or e-mail.
    assert not Delivery.objects.exists()

    call_command("demo", no_logins=True, stdout=StringIO())
    assert _counts() == first, "a second run changed the data"
    call_command("audit_verify", stdout=StringIO())

    for username, _display, _role, _node in DEMO_USERS:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        page = client.get("/", follow=True)
        assert page.status_code == 200, (username, page.redirect_chain)
        desk = client.get("/desk/")
        assert desk.status_code == 200, username
        for url in HX_GET.findall(desk.content.decode()):
            panel = client.get(url.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
            assert panel.status_code == 200, (username, url)
