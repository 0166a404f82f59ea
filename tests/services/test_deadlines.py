"""Deadlines in working days (across National Day 2026 and into 2027), 容缺受理, and the overdue sweep."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from gongzhi.lib import workdays
from gongzhi.notify.models import Notification
from gongzhi.services import actions
from gongzhi.services.models import Application
from gongzhi.workdays.models import CalendarDay
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _grants_from_long_ago(world, svc):
    """The cast's grants start today; these tests travel in time, so let them start in 2020."""
    from gongzhi import access
    from gongzhi.people.models import RoleGrant
    from gongzhi.services.models import Duty

    RoleGrant.objects.update(valid_from=dt.date(2020, 1, 1))
    Duty.objects.update(effective_from=dt.date(2020, 1, 1))
    for user in world.users.values():
        access.forget(user)


def _at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _take(svc, worker, materials=("居民身份证", "户口簿", "一寸照片")) -> Application:
    return actions.application_submit(
        actor=worker,
        item=svc.items["elderly"],
        point=svc.doorstep,
        mode="direct",
        applicant_name="孙大爷",
        supplied_materials=list(materials),
    )


def test_five_working_days_across_national_day_2026(svc, community_worker, street_staff):
    with mock.patch("django.utils.timezone.now", return_value=_at(2026, 9, 29, 10, 0)):
        app = _take(svc, community_worker)
        app = actions.application_accept(actor=street_staff, application=app)
    # Sep 30, Oct 8, Oct 9, Oct 10 (a Saturday worked in exchange), Oct 12.
    assert timezone.localtime(app.deadline) == _at(2026, 10, 12, 10, 0)


def test_deadlines_into_2027_use_weekends_and_the_admin_table(svc, community_worker, street_staff):
    with mock.patch("django.utils.timezone.now", return_value=_at(2027, 1, 29, 10, 0)):  # a Friday
        app = _take(svc, community_worker)
        app = actions.application_accept(actor=street_staff, application=app)
    assert timezone.localtime(app.deadline) == _at(2027, 2, 5, 10, 0)

    CalendarDay.objects.create(date=dt.date(2027, 2, 1), is_workday=False, name="春节")
    workdays.clear_cache()
    with mock.patch("django.utils.timezone.now", return_value=_at(2027, 1, 29, 10, 0)):
        other = actions.application_accept(actor=street_staff, application=_take(svc, community_worker))
    assert timezone.localtime(other.deadline) == _at(2027, 2, 8, 10, 0)


def test_deferred_materials_need_a_due_date_and_block_completion_until_supplied(
    svc, api, community_worker, street_staff
):
    app = _take(svc, community_worker, materials=("居民身份证", "一寸照片"))  # 户口簿 may come later
    street = api(street_staff)
    assert_error(street.post(f"/services/applications/{app.pk}/accept", {}), 422, field="materials_due_on")
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    pending = street.post(f"/services/applications/{app.pk}/accept", {"materials_due_on": due}).json()
    assert pending["status"] == "accepted_pending" and pending["missing_deferrable"] == ["户口簿"]
    street.post(f"/services/applications/{app.pk}/start", {})
    assert_error(street.post(f"/services/applications/{app.pk}/complete", {}), 422, "materials_missing")
    supplied = api(community_worker).post(f"/services/applications/{app.pk}/supply", {"materials": ["户口簿"]}).json()
    assert supplied["missing_deferrable"] == [] and supplied["visits"] == 2
    assert street.post(f"/services/applications/{app.pk}/complete", {}).json()["status"] == "done"


def test_a_required_material_missing_blocks_acceptance(svc, api, community_worker, street_staff):
    app = _take(svc, community_worker, materials=("户口簿",))
    body = assert_error(
        api(street_staff).post(f"/services/applications/{app.pk}/accept", {}), 422, "materials_missing"
    )
    assert "居民身份证" in body["error"]["message"]
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_the_sweep_flags_overdue_work_once_and_escalates_a_working_day_later(svc, community_worker, street_staff):
    with mock.patch("django.utils.timezone.now", return_value=_at(2026, 11, 2, 9, 0)):  # Monday
        app = actions.application_accept(actor=street_staff, application=_take(svc, community_worker))
    assert timezone.localtime(app.deadline) == _at(2026, 11, 9, 9, 0)
    before = Notification.objects.filter(kind="services.overdue").count()
    assert actions.overdue_sweep(now=_at(2026, 11, 6, 9, 0)) == {"flagged": 0, "escalated": 0, "reminded": 0}
    assert actions.overdue_sweep(now=_at(2026, 11, 9, 12, 0)) == {"flagged": 1, "escalated": 0, "reminded": 0}
    assert actions.overdue_sweep(now=_at(2026, 11, 9, 13, 0)) == {"flagged": 0, "escalated": 0, "reminded": 0}
    assert actions.overdue_sweep(now=_at(2026, 11, 10, 10, 0)) == {"flagged": 0, "escalated": 1, "reminded": 0}
    app.refresh_from_db()
    assert app.overdue_at and app.escalated_at
    assert Notification.objects.filter(kind="services.overdue").count() > before
    assert list(app.events.filter(kind__in=["overdue", "escalated"]).values_list("kind", flat=True)) == [
        "overdue",
        "escalated",
    ]


def test_the_sweep_reminds_once_about_overdue_deferred_materials(svc, community_worker, street_staff):
    app = _take(svc, community_worker, materials=("居民身份证", "一寸照片"))
    actions.application_accept(actor=street_staff, application=app, materials_due_on=timezone.localdate())
    later = timezone.now() + dt.timedelta(days=2)
    assert actions.overdue_sweep(now=later)["reminded"] == 1
    assert actions.overdue_sweep(now=later)["reminded"] == 0
