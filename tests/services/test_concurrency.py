"""Two desks acting on one application at the same moment: one wins, the other gets a clear 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongzhi.lib.errors import InvalidTransition
from gongzhi.services import actions
from gongzhi.services.models import Application
from tests.factories import UserFactory, grant

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_staff_accepting_at_once_one_gets_409(transactional_db, svc, world, community_worker, street_staff):
    from gongzhi.people.roles import Role

    colleague = UserFactory(username="street_colleague")
    grant(colleague, Role.STREET_STAFF, world.street)
    app = actions.application_submit(
        actor=community_worker,
        item=svc.items["elderly"],
        point=svc.doorstep,
        mode="direct",
        applicant_name="钱大妈",
        supplied_materials=["居民身份证", "户口簿", "一寸照片"],
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user) -> None:
        try:
            barrier.wait(timeout=10)
            actions.application_accept(actor=user, application=Application.objects.get(pk=app.pk))
            outcomes.append("ok")
        except InvalidTransition as exc:
            outcomes.append(f"{exc.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (street_staff, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["409", "ok"]
    app.refresh_from_db()
    assert app.status == "accepted"
    assert app.events.filter(to_status="accepted").count() == 1
