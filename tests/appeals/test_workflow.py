"""The workflow from submission to closing, every move allowed and refused, returns, reopening and review."""

from __future__ import annotations

import itertools
import types

import pytest

from gongzhi.appeals import actions, workflow
from gongzhi.appeals.models import Appeal, AppealEvent, Assignment, Rating
from gongzhi.appeals.workflow import REPORTER, SYSTEM, TRANSITIONS, Status
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotAuthenticated
from gongzhi.notify.models import Notification
from tests.appeals.conftest import at, carry_to_resolved, png, submit

PARTIES = [
    "appeals.dispatch",
    "appeals.handle",
    "appeals.supervise",
    "appeals.coordinate",
    REPORTER,
    SYSTEM,
]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(Status.values, Status.values)))
def test_every_move_is_allowed_exactly_as_the_table_says(current, target):
    for party in PARTIES:
        appeal = types.SimpleNamespace(status=current)
        move = TRANSITIONS.get((current, target))
        if move is not None and party in move.parties:
            assert workflow.transition(appeal, target, actor=None, party=party) == current
            assert appeal.status == target
        else:
            with pytest.raises(InvalidTransition):
                workflow.transition(appeal, target, actor=None, party=party)
            assert appeal.status == current


def test_final_states_have_no_way_out():
    for state in workflow.FINAL:
        assert workflow.available_targets(state) == []


def test_the_role_table_names_real_roles_for_every_move(db):
    rows = workflow.role_table()
    assert len(rows) == len(TRANSITIONS)
    dispatch = next(r for r in rows if r["from"] == "submitted" and r["to"] == "dispatched")
    assert "派单员" in dispatch["who"] and "系统" in dispatch["who"]
    rate = next(r for r in rows if r["to"] == "rated")
    assert rate["who"] == ["诉求人"]


def test_the_status_column_is_backed_by_a_database_constraint(world, resident):
    from django.db import IntegrityError, transaction

    appeal = submit(world, resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(status="lost")


def test_an_appeal_goes_from_submission_to_closing(world, resident, dispatcher, handler, clock):
    clock.set(at(2026, 11, 23, 9))  # a Monday
    appeal = submit(world, resident)
    assert appeal.status == "submitted"

    clock.set(at(2026, 11, 23, 9, 30))
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department, comment="请尽快处理")
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.department == world.department
    assert appeal.first_dispatched_at == at(2026, 11, 23, 9, 30)
    assert appeal.response_due == at(2026, 11, 24, 9, 30)  # 24 hours
    assert appeal.resolution_due == at(2026, 12, 2, 9, 30)  # 7 working days

    clock.set(at(2026, 11, 23, 10))
    actions.appeal_accept(actor=handler, appeal=appeal)
    clock.set(at(2026, 11, 23, 11))
    actions.appeal_respond(actor=handler, appeal=appeal, comment="已电话联系，下午到现场。")
    appeal.refresh_from_db()
    assert appeal.status == "responded" and appeal.responded_at == at(2026, 11, 23, 11)
    assert appeal.responded_on_time is True

    clock.set(at(2026, 11, 24, 15))
    actions.appeal_complete(actor=handler, appeal=appeal, result="已清运并增加清运频次。", evidence=[png()])
    appeal.refresh_from_db()
    assert appeal.status == "resolved" and appeal.resolved_on_time is True and appeal.result

    clock.set(at(2026, 11, 25, 9))
    rating = actions.appeal_rate(
        actor=resident, appeal=appeal, resolved=True, satisfaction="satisfied", comment="很快"
    )
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.close_reason == "rated"
    assert rating.department == world.department and rating.round == 1

    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "dispatched",
        "accepted",
        "responded",
        "assignment_done",
        "resolved",
        "rated",
        "closed",
    ]
    titles = set(Notification.objects.filter(recipient=resident).values_list("kind", flat=True))
    assert {"appeals.submitted", "appeals.accepted", "appeals.responded", "appeals.resolved"} <= titles
    assert Notification.objects.filter(recipient=handler, kind="appeals.rated").exists()


def test_a_late_response_is_recorded_as_not_on_time(world, resident, dispatcher, handler, clock):
    clock.set(at(2026, 11, 23, 9))
    appeal = submit(world, resident)
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department)
    actions.appeal_accept(actor=handler, appeal=appeal)
    clock.set(at(2026, 11, 24, 12))
    actions.appeal_respond(actor=handler, appeal=appeal, comment="联系上了")
    appeal.refresh_from_db()
    assert appeal.responded_on_time is False


def test_the_handler_must_respond_before_resolving(world, resident, rule, handler):
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    with pytest.raises(InvalidTransition) as error:
        actions.appeal_complete(actor=handler, appeal=appeal, result="办好了", evidence=[png()])
    assert error.value.code == "respond_first"


def test_a_request_needs_evidence_to_be_resolved_but_an_enquiry_does_not(world, resident, rule, handler, dispatcher):
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="联系了")
    with pytest.raises(InvalidInput) as error:
        actions.appeal_complete(actor=handler, appeal=appeal, result="已处理")
    assert "evidence" in error.value.fields
    assert Appeal.objects.get(pk=appeal.pk).status == "responded"

    enquiry = submit(world, resident, code="OT01", text="请问垃圾分类怎么投放？", kind="enquiry")
    actions.appeal_dispatch(actor=dispatcher, appeal=enquiry, department=world.department)
    actions.appeal_accept(actor=handler, appeal=enquiry)
    actions.appeal_respond(actor=handler, appeal=enquiry, comment="已电话解答。")
    actions.appeal_complete(actor=handler, appeal=enquiry, result="已解答投放时间与分类方法。")
    assert Appeal.objects.get(pk=enquiry.pk).status == "resolved"


def test_evidence_uploaded_beforehand_can_be_named(world, resident, rule, handler, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="联系了")
    [photo] = actions.attachment_add(actor=handler, appeal=appeal, files=[png()], evidence=True)
    actions.appeal_complete(actor=handler, appeal=appeal, result="已清运", evidence_ids=[photo.pk])
    photo.refresh_from_db()
    assert photo.is_evidence and photo.event.kind == "assignment_done"


@pytest.mark.parametrize(
    ("who", "error"),
    [("community_worker", Forbidden), ("dispatcher", Forbidden), ("resident", Forbidden)],
)
def test_only_the_assigned_department_handles(world, resident, rule, who, error, request):
    appeal = submit(world, resident)
    with pytest.raises(error):
        actions.appeal_accept(actor=request.getfixturevalue(who), appeal=appeal)
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"


def test_a_handler_of_another_department_is_refused(world, resident, rule, utility_handler):
    appeal = submit(world, resident)
    with pytest.raises(Forbidden):
        actions.appeal_accept(actor=utility_handler, appeal=appeal)


def test_accepting_twice_is_an_invalid_transition(world, resident, rule, handler):
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    with pytest.raises(InvalidTransition):
        actions.appeal_accept(actor=handler, appeal=appeal)


def test_only_a_dispatcher_dispatches(world, resident, handler, community_worker, outsider):
    appeal = submit(world, resident)
    for actor in (handler, community_worker, resident):
        with pytest.raises(Forbidden):
            actions.appeal_dispatch(actor=actor, appeal=appeal, department=world.department)
    with pytest.raises(Forbidden):
        actions.appeal_dispatch(actor=outsider, appeal=appeal, department=world.department)
    assert Appeal.objects.get(pk=appeal.pk).status == "submitted"


def test_dispatching_an_already_dispatched_appeal_is_a_conflict(world, resident, rule, dispatcher):
    appeal = submit(world, resident)
    with pytest.raises(InvalidTransition) as error:
        actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.street_department)
    assert error.value.status == 409 and error.value.code == "already_dispatched"


def test_a_stale_page_gets_a_conflict(world, resident, dispatcher):
    appeal = submit(world, resident)
    version = appeal.version
    actions.appeal_note(actor=dispatcher, appeal=appeal, comment="先核实地址")
    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department, expected_version=version)
    with pytest.raises(Conflict):
        actions.appeal_redispatch(
            actor=dispatcher,
            appeal=appeal,
            department=world.street_department,
            reason="改派",
            expected_version=version,
        )


def test_a_return_sends_the_appeal_back_to_the_queue_with_its_reason(world, resident, rule, handler, dispatcher):
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_return(actor=handler, appeal=appeal, reason="该路段属于街道管辖，请派街道城管科。")
    appeal.refresh_from_db()
    assert appeal.status == "returned" and appeal.department is None and appeal.return_count == 1
    assert appeal.assignments.get().status == "returned"
    assert Notification.objects.filter(recipient=dispatcher, kind="appeals.returned").exists()
    event = AppealEvent.objects.get(appeal=appeal, kind="returned")
    assert event.comment.startswith("该路段") and event.is_public is False

    actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.street_department)
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.department == world.street_department


def test_a_return_needs_a_reason(world, resident, rule, handler):
    appeal = submit(world, resident)
    with pytest.raises(InvalidInput) as error:
        actions.appeal_return(actor=handler, appeal=appeal, reason="  ")
    assert "reason" in error.value.fields


def test_a_dispatcher_overrides_the_department_with_a_reason(world, resident, rule, dispatcher, handler):
    appeal = submit(world, resident)
    with pytest.raises(InvalidInput):
        actions.appeal_redispatch(actor=dispatcher, appeal=appeal, department=world.street_department, reason="")
    actions.appeal_redispatch(
        actor=dispatcher, appeal=appeal, department=world.street_department, reason="属地管理，街道直接处理"
    )
    appeal.refresh_from_db()
    assert appeal.department == world.street_department
    statuses = dict(appeal.assignments.values_list("department_id", "status"))
    assert statuses == {world.department.pk: "cancelled", world.street_department.pk: "pending"}
    assert Notification.objects.filter(recipient=handler, kind="appeals.redispatched").exists()


def test_a_dispatcher_rejects_what_is_not_a_governable_matter(world, resident, dispatcher):
    appeal = submit(world, resident, code="OT01", text="请帮我查一下彩票中奖号码。")
    with pytest.raises(InvalidInput):
        actions.appeal_reject(actor=dispatcher, appeal=appeal, reason="")
    actions.appeal_reject(actor=dispatcher, appeal=appeal, reason="不属于政府职责范围的事项。")
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.rejection_reason
    public = AppealEvent.objects.get(appeal=appeal, kind="rejected")
    assert public.is_public and "不属于" in public.comment
    with pytest.raises(InvalidTransition):
        actions.appeal_dispatch(actor=dispatcher, appeal=appeal, department=world.department)


def test_a_duplicate_is_merged_into_the_first_appeal(world, resident, dispatcher, clock):
    clock.set(at(2026, 11, 20, 9))
    first = submit(world, resident)
    clock.set(at(2026, 11, 20, 10))
    second = submit(world, resident)
    actions.appeal_merge(actor=dispatcher, appeal=second, into=first)
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first
    assert AppealEvent.objects.filter(appeal=first, kind="merged_in", is_public=False).exists()
    with pytest.raises(InvalidInput):
        actions.appeal_merge(actor=dispatcher, appeal=first, into=first)


def test_only_the_reporter_rates_and_only_once(world, resident, rule, dispatcher, handler, representative):
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    for other in (handler, dispatcher, representative):
        with pytest.raises(Forbidden):
            actions.appeal_rate(actor=other, appeal=appeal, resolved=True, satisfaction="satisfied")
    with pytest.raises(NotAuthenticated):
        actions.appeal_rate(actor=None, appeal=appeal, resolved=True, satisfaction="satisfied")
    with pytest.raises(InvalidInput):
        actions.appeal_rate(actor=resident, appeal=appeal, resolved=True, satisfaction="great")
    actions.appeal_rate(actor=resident, appeal=appeal, resolved=True, satisfaction="basic")
    with pytest.raises((Conflict, InvalidTransition)):
        actions.appeal_rate(actor=resident, appeal=appeal, resolved=True, satisfaction="satisfied")
    assert Rating.objects.filter(appeal=appeal).count() == 1


def test_an_appeal_cannot_be_rated_before_it_is_resolved(world, resident, rule):
    appeal = submit(world, resident)
    with pytest.raises(InvalidTransition):
        actions.appeal_rate(actor=resident, appeal=appeal, resolved=False, satisfaction="unsatisfied")


def test_an_anonymous_reporter_rates_with_the_mobile_they_gave(world, rule, dispatcher, handler):
    appeal = actions.appeal_submit(
        actor=None,
        channel="web",
        category="UC02",
        description="垃圾没人收。",
        unit=world.grid,
        contact={"mobile": "13912345678"},
    )
    carry_to_resolved(world, appeal, dispatcher=dispatcher, handler=handler)
    with pytest.raises(Forbidden):
        actions.appeal_rate(
            actor=None, appeal=appeal, resolved=True, satisfaction="satisfied", verified_mobile="13900000000"
        )
    actions.appeal_rate(
        actor=None, appeal=appeal, resolved=True, satisfaction="satisfied", verified_mobile="139-1234-5678"
    )
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"


def test_dissatisfaction_reopens_the_appeal_then_goes_to_supervisor_review(
    world, resident, rule, dispatcher, handler, supervisor, settings
):
    settings.GONGZHI_APPEAL_MAX_REOPENS = 1
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    actions.appeal_rate(actor=resident, appeal=appeal, resolved=False, satisfaction="unsatisfied", comment="没清干净")
    appeal.refresh_from_db()
    assert appeal.status == "reopened" and appeal.reopen_count == 1
    assert appeal.assignments.get().status == "accepted"

    actions.appeal_accept(actor=handler, appeal=appeal)
    actions.appeal_respond(actor=handler, appeal=appeal, comment="再次联系")
    actions.appeal_complete(actor=handler, appeal=appeal, result="彻底清理", evidence=[png()])
    appeal.refresh_from_db()
    assert appeal.status == "resolved"
    actions.appeal_rate(actor=resident, appeal=appeal, resolved=False, satisfaction="unsatisfied")
    appeal.refresh_from_db()
    assert appeal.status == "review"
    assert list(Rating.objects.filter(appeal=appeal).values_list("round", flat=True).order_by("round")) == [1, 2]
    assert Notification.objects.filter(recipient=supervisor, kind="appeals.review").exists()

    with pytest.raises(Forbidden):
        actions.appeal_review(actor=dispatcher, appeal=appeal, decision="close", comment="结案")
    with pytest.raises(InvalidInput):
        actions.appeal_review(actor=supervisor, appeal=appeal, decision="maybe", comment="?")
    actions.appeal_review(
        actor=supervisor, appeal=appeal, decision="close", comment="经核实已按标准处理，诉求超出政策范围。"
    )
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.close_reason == "reviewed"


def test_a_supervisor_can_order_the_work_redone(world, resident, rule, dispatcher, handler, supervisor, settings):
    settings.GONGZHI_APPEAL_MAX_REOPENS = 0
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    actions.appeal_rate(actor=resident, appeal=appeal, resolved=False, satisfaction="unsatisfied")
    actions.appeal_review(actor=supervisor, appeal=appeal, decision="reopen", comment="请重新现场核查。")
    appeal.refresh_from_db()
    assert appeal.status == "reopened"


def test_an_unrated_appeal_closes_after_seven_days(world, resident, rule, dispatcher, handler, clock):
    clock.set(at(2026, 11, 2, 9))
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    assert actions.appeal_close_unrated(appeal_id=appeal.pk, now=at(2026, 11, 8, 9)) is False
    assert actions.appeal_close_unrated(appeal_id=appeal.pk, now=at(2026, 11, 9, 9, 1)) is True
    assert actions.appeal_close_unrated(appeal_id=appeal.pk, now=at(2026, 11, 10, 9)) is False
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.close_reason == "not_rated"


def test_a_supervisor_closes_a_resolved_appeal_whose_reporter_cannot_be_reached(
    world, resident, rule, dispatcher, handler, supervisor
):
    appeal = carry_to_resolved(world, submit(world, resident), dispatcher=dispatcher, handler=handler)
    with pytest.raises(Forbidden):
        actions.appeal_close(actor=handler, appeal=appeal, comment="联系不上")
    actions.appeal_close(actor=supervisor, appeal=appeal, comment="三次回访均未接通。")
    assert Appeal.objects.get(pk=appeal.pk).close_reason == "not_rated"


def test_extensions_are_requested_by_the_lead_and_decided_by_the_dispatching_level(
    world, resident, rule, dispatcher, handler, clock
):
    clock.set(at(2026, 11, 23, 9))
    appeal = submit(world, resident)
    actions.appeal_accept(actor=handler, appeal=appeal)
    appeal.refresh_from_db()
    old_due = appeal.resolution_due
    with pytest.raises(InvalidInput):
        actions.extension_request(actor=handler, appeal=appeal, extra_workdays=40, reason="工程量大")
    extension = actions.extension_request(actor=handler, appeal=appeal, extra_workdays=3, reason="需协调物业")
    with pytest.raises(Conflict):
        actions.extension_request(actor=handler, appeal=appeal, extra_workdays=2, reason="再延")
    with pytest.raises(Forbidden):
        actions.extension_decide(actor=handler, extension=extension, approve=True)
    with pytest.raises(InvalidInput):
        actions.extension_decide(actor=dispatcher, extension=extension, approve=False, note="")
    actions.extension_decide(actor=dispatcher, extension=extension, approve=True)
    appeal.refresh_from_db()
    assert appeal.resolution_due == at(2026, 12, 7, 9)  # 2 Dec + 3 working days
    assert old_due == at(2026, 12, 2, 9)
    with pytest.raises(InvalidTransition):
        actions.extension_decide(actor=dispatcher, extension=extension, approve=False, note="再议")
    refused = actions.extension_request(actor=handler, appeal=appeal, extra_workdays=5, reason="还要等材料")
    actions.extension_decide(actor=dispatcher, extension=refused, approve=False, note="时限已延长过一次")
    appeal.refresh_from_db()
    assert appeal.resolution_due == at(2026, 12, 7, 9)
    assert AppealEvent.objects.filter(appeal=appeal, kind="extension_refused", is_public=False).exists()


def test_notes_are_internal_unless_marked_public(world, resident, rule, dispatcher):
    appeal = submit(world, resident)
    actions.appeal_note(actor=dispatcher, appeal=appeal, comment="已电话核实地址")
    with pytest.raises(Forbidden):
        actions.appeal_note(actor=resident, appeal=appeal, comment="我来加个备注")
    assert AppealEvent.objects.get(appeal=appeal, kind="note").is_public is False


def test_staff_see_the_contact_number_only_through_an_audited_reveal(world, rule, handler, representative):
    from gongzhi.audit.models import AuditEvent

    appeal = actions.appeal_submit(
        actor=None,
        channel="web",
        category="UC02",
        description="垃圾没人收。",
        unit=world.grid,
        contact={"mobile": "13912345678", "name": "王女士"},
    )
    assert actions.appeal_reveal_contact(actor=handler, appeal=appeal)["mobile"] == "13912345678"
    assert AuditEvent.objects.filter(action="appeals.contact_reveal", changes__mobile="139****5678").exists()
    with pytest.raises(Forbidden):
        actions.appeal_reveal_contact(actor=representative, appeal=appeal)


def test_the_reporter_chooses_whether_the_appeal_is_public(world, resident, dispatcher):
    appeal = submit(world, resident)
    actions.appeal_set_public(actor=resident, appeal=appeal, is_public=True)
    assert Appeal.objects.get(pk=appeal.pk).is_public
    with pytest.raises(Forbidden):
        actions.appeal_set_public(actor=dispatcher, appeal=appeal, is_public=False)


def test_bulk_dispatch_reports_each_appeal(world, resident, dispatcher):
    first = submit(world, resident, text="垃圾一")
    second = submit(world, resident, code="NO03", text="噪音二")
    actions.appeal_reject(actor=dispatcher, appeal=second, reason="重复")
    results = actions.appeal_bulk_dispatch(
        actor=dispatcher, appeals=[first, second], department=world.street_department, comment="批量"
    )
    assert [(r.number, r.ok) for r in results] == [(first.number, True), (second.number, False)]
    assert results[1].status == 409
    assert Assignment.objects.filter(appeal=first, department=world.street_department).exists()
