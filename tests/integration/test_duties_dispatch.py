"""Issue 5: the duties register (职责清单) refuses an appeal dispatch outside a unit's duties, naming the holder."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.appeals import actions, routing
from gongzhi.appeals.models import Appeal, AppealEvent, Assignment, EventKind
from gongzhi.audit.models import AuditEvent
from gongzhi.services import actions as services_actions
from gongzhi.services import dispatch_check
from tests.conftest import assert_error
from tests.integration.conftest import category, submit

pytestmark = pytest.mark.django_db


def test_the_services_app_registers_its_check_with_the_dispatcher():
    assert dispatch_check.dispatch_refusal in routing._checks


def test_a_dispatch_outside_the_units_duties_is_refused_naming_the_holder(svc, world, resident, dispatcher, api):
    appeal = submit(world, resident, code="UC04", text="5号楼顶私自加盖房屋。")
    assert appeal.status == "submitted"
    events = AppealEvent.objects.filter(appeal=appeal).count()
    audits = AuditEvent.objects.count()
    response = api(dispatcher).post(
        f"/appeals/{appeal.number}/dispatch", {"department_id": world.department.pk, "comment": "x"}
    )
    body = assert_error(response, 422, field="department")
    assert "和平街道综合行政执法队" in body["error"]["message"]
    assert "对违法建设的行政处罚" in body["error"]["message"]
    appeal.refresh_from_db()
    assert appeal.status == "submitted" and appeal.department_id is None
    assert not Assignment.objects.filter(appeal=appeal).exists()
    assert AppealEvent.objects.filter(appeal=appeal).count() == events
    assert AuditEvent.objects.count() == audits
    # The holder itself is accepted.
    ok = api(dispatcher).post(f"/appeals/{appeal.number}/dispatch", {"department_id": svc.departments["zfd"].pk})
    assert ok.status_code == 200, ok.content


def test_the_page_form_shows_the_refusal(svc, world, resident, dispatcher, client):
    appeal = submit(world, resident, code="UC04", text="楼顶加盖。")
    client.force_login(dispatcher)
    response = client.post(
        f"/appeals/{appeal.number}/act/dispatch/",
        {"dispatch-department": world.department.pk, "dispatch-comment": "", "dispatch-version": appeal.version},
    )
    assert response.status_code == 422
    assert "和平街道综合行政执法队" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "submitted"


def test_an_empty_register_never_blocks_dispatch(world, resident, dispatcher):
    appeal = submit(world, resident, code="UC04", text="楼顶加盖。")
    assert dispatch_check.dispatch_refusal(appeal, world.department) is None
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department)
    assert Appeal.objects.get(pk=appeal.pk).department == world.department


def test_a_category_no_duty_covers_is_not_blocked(svc, world, resident, dispatcher):
    appeal = submit(world, resident, code="UC02")  # rubbish: not in the register
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department)
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"


def test_a_duty_mapped_to_a_parent_category_covers_its_children(svc, world, resident, sysadmin):
    services_actions.duty_create(
        actor=sysadmin,
        unit=world.street,
        department=world.street_department,
        code="ZZ-CG-1",
        category_code="UC",
        name="市容管理",
        kind="duty",
        legal_basis="街道职责清单",
    )
    appeal = submit(world, resident, code="UC02")
    reason = dispatch_check.dispatch_refusal(appeal, world.department)
    assert reason and "和平街道城市管理科" in reason
    # Any department of the holding unit may be given the matter.
    assert dispatch_check.dispatch_refusal(appeal, svc.departments["zfd"]) is None


def test_a_refused_rule_dispatch_leaves_the_appeal_in_the_queue_with_the_reason(
    svc, world, resident, city_rule, dispatcher, client
):
    appeal = submit(world, resident, code="UC04", text="一楼住户搭建彩钢棚。")
    assert appeal.status == "submitted" and appeal.department_id is None
    note = AppealEvent.objects.get(appeal=appeal, kind=EventKind.DISPATCH_REFUSED)
    assert not note.is_public and "和平街道综合行政执法队" in note.comment
    client.force_login(dispatcher)
    assert appeal.number in client.get("/appeals/queue/").content.decode()
    page = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert 'data-testid="dispatch-refusals"' in page and "和平街道综合行政执法队" in page
    # Other matters under the same rule still dispatch automatically.
    assert submit(world, resident, code="UC02").status == "dispatched"


def test_the_register_is_cached_and_reloads_when_a_duty_changes(svc, world, resident, sysadmin):
    appeal = submit(world, resident, code="UC02")
    dispatch_check.dispatch_refusal(appeal, world.department)  # warm
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            dispatch_check.dispatch_refusal(appeal, world.department)
    assert len(queries) == 0
    services_actions.duty_create(
        actor=sysadmin,
        unit=world.street,
        department=world.street_department,
        code="ZZ-LJ-1",
        category_code="UC02",
        name="生活垃圾清运监管",
        kind="duty",
        legal_basis="街道职责清单",
    )
    assert "生活垃圾清运监管" in dispatch_check.dispatch_refusal(appeal, world.department)


def test_a_category_code_that_is_not_in_the_taxonomy_is_refused(svc, world, sysadmin):
    from gongzhi.lib.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        services_actions.duty_create(
            actor=sysadmin,
            unit=world.street,
            code="ZZ-X-1",
            category_code="NOPE9",
            name="x",
            kind="duty",
            legal_basis="x",
        )
    assert "category_code" in caught.value.fields
    assert category("UC04").code == "UC04"


def test_the_register_reloads_when_a_duty_is_updated_or_retired(svc, world, resident, sysadmin, api):
    """A refused dispatch becomes allowed after the mapping changes or the duty retires, and the other way round."""
    appeal = submit(world, resident, code="UC04", text="楼顶加盖。")
    duty = svc.duties["build_penalty"]  # UC04 → the street's enforcement team
    assert dispatch_check.dispatch_refusal(appeal, world.department)  # warm: refused
    # The mapping moves to another category: the dispatch is allowed at once.
    services_actions.duty_update(actor=sysadmin, duty=duty, category_code="UC02")
    assert dispatch_check.dispatch_refusal(appeal, world.department) is None
    rubbish = submit(world, resident, code="UC02")
    assert "对违法建设的行政处罚" in dispatch_check.dispatch_refusal(rubbish, world.department)
    # … and back through the API: refused again.
    assert api(sysadmin).patch(f"/services/duties/{duty.pk}", {"category_code": "UC04"}).status_code == 200
    assert dispatch_check.dispatch_refusal(rubbish, world.department) is None
    assert "和平街道综合行政执法队" in dispatch_check.dispatch_refusal(appeal, world.department)
    # Retired: no longer counts, the dispatch goes through.
    response = api(sysadmin).post(f"/services/duties/{duty.pk}/retire", {"reason": "划转区城管委"})
    assert response.status_code == 200, response.content
    assert dispatch_check.dispatch_refusal(appeal, world.department) is None
    actions.appeal_dispatch(actor=svc.world.users["dispatcher"], appeal=appeal, department=world.department)
    assert Appeal.objects.get(pk=appeal.pk).department == world.department


def test_a_scheduled_retirement_keeps_the_check_until_its_day(svc, world, resident, sysadmin, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    appeal = submit(world, resident, code="UC04", text="楼顶加盖。")
    duty = svc.duties["build_penalty"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services_actions.duty_retire(actor=sysadmin, duty=duty, reason="机构改革", effective_to=tomorrow)
    assert dispatch_check.dispatch_refusal(appeal, world.department)  # still in force today (and cached)
    # On the day itself the cached register is stale by date and reloads without the retired duty.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert dispatch_check.dispatch_refusal(appeal, world.department) is None
