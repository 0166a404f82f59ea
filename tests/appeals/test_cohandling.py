"""一件事 (parallel assignments, one status for the resident) and 吹哨报到 (summons and check-ins)."""

from __future__ import annotations

import pytest

from gongzhi.appeals import actions, tasks
from gongzhi.appeals.models import Appeal, AppealEvent, Assignment, WhistleSummons
from gongzhi.lib.errors import Forbidden, InvalidInput, InvalidTransition
from gongzhi.notify.models import Notification
from tests.appeals.conftest import at, png, submit


def test_one_matter_is_split_and_resolved_only_when_every_department_is_done(
    world, resident, community_worker, handler, street_handler, utility_handler
):
    appeal = submit(
        world, resident, code="HO03", text="老旧小区改造后路面塌陷、路灯不亮、电线乱拉，请多部门一起解决。"
    )
    actions.appeal_split(
        actor=community_worker,
        appeal=appeal,
        lead=world.department,
        assisting=[world.street_department, world.utility],
        comment="一件事联办",
        tasks={world.utility.pk: "整理架空线路"},
    )
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.department == world.department
    roles = dict(Assignment.objects.filter(appeal=appeal).values_list("department_id", "role"))
    assert roles == {world.department.pk: "lead", world.street_department.pk: "assist", world.utility.pk: "assist"}
    assert Assignment.objects.get(appeal=appeal, department=world.utility).task == "整理架空线路"
    assert Notification.objects.filter(recipient=utility_handler, kind="appeals.assist").exists()

    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_accept(actor=street_handler, appeal=appeal)
    actions.appeal_accept(actor=utility_handler, appeal=appeal)
    # An assisting department may finish before the lead has contacted the resident.
    actions.appeal_complete(actor=street_handler, appeal=appeal, result="路面已修补。")
    with pytest.raises(Forbidden):
        actions.appeal_respond(actor=utility_handler, appeal=appeal, comment="我来联系")
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已联系居民说明联办安排。")
    actions.appeal_complete(actor=handler, appeal=appeal, result="路灯已修复。", evidence=[png()])
    appeal.refresh_from_db()
    assert appeal.status == "responded"  # the utility is still working

    actions.appeal_complete(actor=utility_handler, appeal=appeal, result="线路已规整入管。")
    appeal.refresh_from_db()
    assert appeal.status == "resolved" and appeal.result == "路灯已修复。"
    resolved = AppealEvent.objects.get(appeal=appeal, kind="resolved")
    assert resolved.data["assignments"] == 3 and resolved.actor is None
    # The resident sees one appeal and one timeline, with each department's public step.
    public = list(AppealEvent.objects.filter(appeal=appeal, is_public=True).values_list("kind", flat=True))
    assert public.count("assignment_done") == 3 and public[-1] == "resolved"


def test_a_split_adds_assistants_to_an_appeal_already_being_handled(world, resident, rule, street_staff, handler):
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    with pytest.raises(InvalidInput) as error:
        actions.appeal_split(
            actor=street_staff, appeal=appeal, lead=world.utility, assisting=[world.street_department]
        )
    assert "lead" in error.value.fields
    actions.appeal_split(actor=street_staff, appeal=appeal, lead=world.department, assisting=[world.street_department])
    appeal.refresh_from_db()
    assert appeal.status == "accepted"
    assert appeal.assignments.filter(role="assist").count() == 1


@pytest.mark.parametrize(
    ("assisting", "field"),
    [([], "assisting"), (["department"], "assisting")],
)
def test_a_split_needs_distinct_assistants(world, resident, street_staff, assisting, field):
    appeal = submit(world, resident)
    with pytest.raises(InvalidInput) as error:
        actions.appeal_split(
            actor=street_staff,
            appeal=appeal,
            lead=world.department,
            assisting=[getattr(world, name) for name in assisting],
        )
    assert field in error.value.fields
    assert not Assignment.objects.exists()


def test_handlers_and_residents_cannot_split(world, resident, rule, handler):
    appeal = submit(world, resident)
    for actor in (handler, resident):
        with pytest.raises(Forbidden):
            actions.appeal_split(actor=actor, appeal=appeal, lead=world.department, assisting=[world.utility])


def test_a_whistle_summons_departments_who_check_in_on_time_or_late(
    world, resident, rule, street_staff, handler, utility_handler, street_handler, clock
):
    clock.set(at(2026, 11, 23, 14))
    appeal = submit(world, resident, code="UC04", text="小区里有人违规加盖二层，多部门需联合执法。")
    whistle = actions.whistle_blow(
        actor=street_staff,
        appeal=appeal,
        departments=[world.utility, world.street_department],
        reason="违建涉及电力线路，请到现场联合处置",
        place="光明社区3号楼",
    )
    assert whistle.minutes == 30 and whistle.due_at == at(2026, 11, 23, 14, 30) and whistle.unit == world.street
    assert Notification.objects.filter(recipient=utility_handler, kind="appeals.whistle").exists()

    clock.set(at(2026, 11, 23, 14, 20))
    on_time = WhistleSummons.objects.get(whistle=whistle, department=world.utility)
    actions.whistle_check_in(actor=utility_handler, summons=on_time, note="已到现场")
    clock.set(at(2026, 11, 23, 14, 45))
    late = WhistleSummons.objects.get(whistle=whistle, department=world.street_department)
    actions.whistle_check_in(actor=street_handler, summons=late)
    statuses = dict(WhistleSummons.objects.values_list("department_id", "status"))
    assert statuses == {world.utility.pk: "on_time", world.street_department.pk: "late"}
    assert (
        AppealEvent.objects.get(appeal=appeal, kind="checked_in", department=world.street_department).data[
            "late_minutes"
        ]
        == 15
    )
    # Summoned departments stay on the appeal until done: each has an assisting assignment.
    assert set(appeal.assignments.filter(role="assist").values_list("department_id", flat=True)) == {
        world.utility.pk,
        world.street_department.pk,
    }
    with pytest.raises(InvalidTransition):
        actions.whistle_check_in(actor=utility_handler, summons=on_time)


def test_a_department_that_does_not_check_in_is_recorded_as_missed(
    world, resident, rule, street_staff, utility_handler, supervisor, clock
):
    clock.set(at(2026, 11, 23, 14))
    appeal = submit(world, resident)
    whistle = actions.whistle_blow(
        actor=street_staff, appeal=appeal, departments=[world.utility], reason="现场处置", minutes=15
    )
    assert tasks.watch_deadlines(now=at(2026, 11, 23, 14, 14))["missed_check_ins"] == 0
    assert tasks.watch_deadlines(now=at(2026, 11, 23, 14, 16))["missed_check_ins"] == 1
    summons = WhistleSummons.objects.get(whistle=whistle)
    assert summons.status == "missed"
    assert Notification.objects.filter(recipient=supervisor, kind="appeals.check_in_missed").exists()
    assert Notification.objects.filter(recipient=street_staff, kind="appeals.check_in_missed").exists()
    clock.set(at(2026, 11, 23, 16))
    actions.whistle_check_in(actor=utility_handler, summons=summons)
    summons.refresh_from_db()
    assert summons.status == "late"


def test_only_the_summoned_department_checks_in(world, resident, rule, street_staff, handler):
    appeal = submit(world, resident)
    whistle = actions.whistle_blow(actor=street_staff, appeal=appeal, departments=[world.utility], reason="现场处置")
    with pytest.raises(Forbidden):
        actions.whistle_check_in(actor=handler, summons=whistle.summonses.get())


@pytest.mark.parametrize(("minutes", "field"), [(2, "minutes"), (5000, "minutes"), ("abc", "minutes")])
def test_a_whistle_checks_its_time(world, resident, rule, street_staff, minutes, field):
    appeal = submit(world, resident)
    with pytest.raises(InvalidInput) as error:
        actions.whistle_blow(
            actor=street_staff, appeal=appeal, departments=[world.utility], reason="x", minutes=minutes
        )
    assert field in error.value.fields


def test_no_whistle_on_a_finished_appeal_or_by_a_handler(world, resident, dispatcher, handler, rule):
    appeal = submit(world, resident)
    with pytest.raises(Forbidden):
        actions.whistle_blow(actor=handler, appeal=appeal, departments=[world.utility], reason="x")
    rejected = submit(world, resident, code="OT01", text="请问几点了")
    actions.appeal_reject(actor=dispatcher, appeal=rejected, reason="非政务事项")
    with pytest.raises(InvalidTransition):
        actions.whistle_blow(actor=dispatcher, appeal=rejected, departments=[world.utility], reason="x")
    assert Appeal.objects.get(pk=rejected.pk).whistles.count() == 0
