"""Intake: numbers, channels, validation, attachments, idempotency, duplicates and automatic dispatch."""

from __future__ import annotations

import pytest

from gongzhi.appeals import actions, routing
from gongzhi.appeals.models import Appeal, AppealAttachment, AppealEvent, RoutingRule
from gongzhi.audit.models import AuditEvent
from gongzhi.lib.errors import Forbidden, InvalidInput, NotAuthenticated
from gongzhi.notify.models import Delivery, Notification
from tests.appeals.conftest import at, category, png, submit


def test_a_resident_submits_and_gets_a_yearly_number(world, resident, clock):
    clock.set(at(2026, 11, 25, 9))
    first = submit(world, resident)
    second = submit(world, resident, code="NO03", text="楼上每天夜里装修，噪音很大影响休息。")
    assert first.number == "2026-000001" and second.number == "2026-000002"
    assert first.status == "submitted" and first.reporter == resident and first.reporter_key == f"u:{resident.pk}"
    assert first.unit_path == world.grid.path
    assert AppealEvent.objects.filter(appeal=first, kind="submitted", is_public=True).exists()
    assert Notification.objects.filter(recipient=resident, kind="appeals.submitted").count() == 2
    assert AuditEvent.objects.filter(action="appeals.submit", target_id=str(first.pk)).exists()


def test_numbers_restart_each_year(world, resident, clock):
    clock.set(at(2026, 12, 31, 23, 30))
    assert submit(world, resident).number == "2026-000001"
    clock.set(at(2027, 1, 1, 0, 10))
    assert submit(world, resident, text="新年第一天路灯不亮了，晚上很黑。", code="TR01").number == "2027-000001"
    assert submit(world, resident, text="路灯还是不亮。", code="TR01").number == "2027-000002"


def test_the_unit_defaults_to_the_residents_household_or_register_unit(world, resident):
    appeal = actions.appeal_submit(
        actor=resident, channel="web", category=category("UC01"), description="楼道里堆满了杂物，存在安全隐患。"
    )
    assert appeal.unit == world.grid


def test_anonymous_web_submission_needs_a_contact_and_encrypts_it(world):
    with pytest.raises(InvalidInput) as error:
        actions.appeal_submit(
            actor=None, channel="web", category="UC01", description="路边垃圾很多。", unit=world.grid
        )
    assert "contact.mobile" in error.value.fields
    appeal = actions.appeal_submit(
        actor=None,
        channel="web",
        category="UC01",
        description="路边垃圾很多，请派人清扫。",
        unit=world.grid,
        contact={"name": "王女士", "mobile": "139 1234 5678"},
    )
    assert appeal.reporter is None and appeal.contact_name == "王女士"
    assert "13912345678" not in appeal.contact_mobile_encrypted
    assert appeal.contact_mobile == "13912345678" and appeal.contact_mobile_masked == "139****5678"
    assert appeal.reporter_key.startswith("m:")
    # The resident gets the number by SMS, since they have no inbox.
    assert Delivery.objects.filter(channel="sms").count() == 1


def test_staff_take_a_phone_call_for_a_unit_in_their_reach(world, community_worker):
    appeal = actions.appeal_submit(
        actor=community_worker,
        channel="phone",
        category="UT01",
        description="三号楼停水一整天了，老人没法做饭。",
        unit=world.grid,
        contact={"name": "李大爷", "mobile": "13700001234"},
    )
    assert appeal.entered_by == community_worker and appeal.reporter is None
    assert appeal.channel == "phone"


def test_staff_cannot_take_an_appeal_for_a_unit_outside_their_reach(world, community_worker):
    with pytest.raises(Forbidden):
        actions.appeal_submit(
            actor=community_worker,
            channel="phone",
            category="UT01",
            description="停水了。",
            unit=world.outside_grid,
            contact={"mobile": "13700001234"},
        )
    assert not Appeal.objects.exists()


def test_a_resident_cannot_use_a_staff_channel(world, resident):
    with pytest.raises(Forbidden):
        submit(world, resident, channel="walk_in")


def test_staff_channels_need_a_signed_in_actor(world):
    with pytest.raises(NotAuthenticated):
        actions.appeal_submit(actor=None, channel="phone", category="UT01", description="停水", unit=world.grid)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "ZZ99"}, "category"),
        ({"category": "UC"}, "category"),
        ({"description": "字" * 4001}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "<script>alert(1)</script>垃圾"}, "description"),
        ({"description": "垃圾&nbsp;很多"}, "description"),
        ({"latitude": "91", "longitude": "116"}, "latitude"),
        ({"latitude": "39.9"}, "longitude"),
        ({"kind": "rant"}, "kind"),
        ({"contact": {"mobile": "12345"}}, "contact.mobile"),
        ({"address": "x" * 201}, "address"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, resident, changes, field):
    data = {"category": "UC01", "description": "路边垃圾很多。", "unit": world.grid, **changes}
    with pytest.raises(InvalidInput) as error:
        actions.appeal_submit(actor=resident, channel="web", **data)
    assert field in error.value.fields
    assert not Appeal.objects.exists()


def test_a_retired_category_cannot_be_chosen(world, resident, district_admin):
    actions.category_retire(actor=district_admin, category=category("UC03"))
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, code="UC03")
    assert "category" in error.value.fields


def test_a_description_of_exactly_4000_characters_is_accepted(world, resident):
    assert len(submit(world, resident, text="字" * 4000).description) == 4000


def test_category_attributes_are_checked_and_normalized(world, resident):
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, code="PM02", text="电梯停运了。")
    assert "attributes.trapped" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, code="PM02", text="电梯停运了。", attributes={"trapped": "maybe"})
    assert "attributes.trapped" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, code="PM02", text="电梯停运了。", attributes={"trapped": "no", "colour": "red"})
    assert "attributes.colour" in error.value.fields
    appeal = submit(
        world, resident, code="PS03", text="楼道里有人飞线充电。", attributes={"location_kind": ["window", "corridor"]}
    )
    assert appeal.attributes == {"location_kind": ["corridor", "window"]}


def test_attachments_are_checked_by_their_content_and_stored(world, resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = submit(world, resident, attachments=[png("现场.png")])
    stored = AppealAttachment.objects.get(appeal=appeal)
    assert stored.content_type == "image/png" and stored.original_name == "现场.png"
    assert (tmp_path / stored.file.name).exists() and stored.event.kind == "submitted"


def test_a_forbidden_file_type_is_refused_even_with_an_image_name(world, resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = actions.Upload(name="photo.jpg", content=b"MZ\x90\x00 this is an executable")
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, attachments=[fake])
    assert "attachments" in error.value.fields
    assert not Appeal.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_an_oversized_file_is_refused(world, resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGZHI_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(InvalidInput):
        submit(world, resident, attachments=[actions.Upload("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000)])
    assert not Appeal.objects.exists()


def test_an_idempotency_key_never_makes_a_second_appeal(world, resident):
    first = submit(world, resident, idempotency_key="retry-1")
    again = submit(world, resident, idempotency_key="retry-1")
    assert again.pk == first.pk and again.replayed is True and first.replayed is False
    assert Appeal.objects.count() == 1


def test_the_same_key_with_different_content_is_refused(world, resident):
    submit(world, resident, idempotency_key="retry-2")
    with pytest.raises(InvalidInput) as error:
        submit(world, resident, idempotency_key="retry-2", text="完全不同的诉求内容。")
    assert error.value.code == "idempotency_key_reused"
    assert Appeal.objects.count() == 1


def test_keys_are_per_caller(world, resident, grid_worker):
    submit(world, resident, idempotency_key="k")
    other = actions.appeal_submit(
        actor=grid_worker,
        channel="grid_patrol",
        category="UC01",
        description="巡查发现路边堆放建筑垃圾。",
        unit=world.grid,
        idempotency_key="k",
    )
    assert Appeal.objects.count() == 2 and other.channel == "grid_patrol"


def test_a_similar_appeal_by_the_same_reporter_is_flagged_as_a_likely_duplicate(world, resident, clock):
    clock.set(at(2026, 11, 20, 9))
    first = submit(world, resident, text="小区门口垃圾桶满了三天没人清运，气味很大。")
    clock.set(at(2026, 11, 23, 9))
    second = submit(world, resident, text="小区门口的垃圾桶已经满了好几天，没人清运，气味大。")
    unrelated = submit(world, resident, text="绿化带里有个大坑，小孩容易摔倒，请尽快填平。")
    assert second.likely_duplicate_of == first
    assert unrelated.likely_duplicate_of is None
    assert AppealEvent.objects.filter(appeal=second, kind="duplicate_flagged", is_public=False).exists()


def test_a_similar_appeal_after_seven_days_is_not_a_duplicate(world, resident, clock):
    clock.set(at(2026, 11, 1, 9))
    submit(world, resident)
    clock.set(at(2026, 11, 9, 9))
    assert submit(world, resident).likely_duplicate_of is None


def test_exactly_one_best_rule_dispatches_at_once(world, resident, rule, handler):
    appeal = submit(world, resident)
    assert appeal.status == "dispatched" and appeal.department == world.department
    assert appeal.response_due and appeal.resolution_due
    assert appeal.assignments.get().via_rule == rule
    assert AppealEvent.objects.filter(appeal=appeal, kind="auto_dispatched").exists()
    assert Notification.objects.filter(recipient=handler, kind="appeals.dispatched").exists()


def test_a_more_specific_rule_wins_over_a_broader_one(world, resident, rule):
    RoutingRule.objects.create(category=category("UC02"), unit=world.community, department=world.street_department)
    routing.rules_changed()
    assert submit(world, resident).department == world.street_department


def test_a_higher_priority_wins_over_specificity(world, resident, rule):
    RoutingRule.objects.create(category=category("UC02"), unit=world.community, department=world.street_department)
    rule.priority = 5
    rule.save()
    routing.rules_changed()
    assert submit(world, resident).department == world.department


def test_two_equally_good_rules_leave_the_appeal_in_the_queue(world, resident, rule):
    RoutingRule.objects.create(category=category("UC"), unit=world.street, department=world.street_department)
    routing.rules_changed()
    appeal = submit(world, resident)
    assert appeal.status == "submitted" and appeal.department is None


def test_no_matching_rule_leaves_the_appeal_in_the_queue(world, resident, rule):
    assert submit(world, resident, code="SS01", text="医保报销比例怎么算？").status == "submitted"


def test_a_dispatch_check_can_refuse_a_department_and_the_next_rule_is_tried(world, resident, rule):
    RoutingRule.objects.create(
        category=category("UC02"), unit=world.street, department=world.street_department, priority=-1
    )
    routing.rules_changed()

    def duties(appeal, department):
        return "不在该部门职责清单内" if department.pk == world.department.pk else None

    routing.register_dispatch_check(duties)
    try:
        assert submit(world, resident).department == world.street_department
    finally:
        routing.unregister_dispatch_check(duties)


def test_a_likely_duplicate_waits_for_a_dispatcher_even_with_a_rule(world, resident, rule, clock):
    clock.set(at(2026, 11, 20, 9))
    submit(world, resident)
    clock.set(at(2026, 11, 20, 10))
    second = submit(world, resident)
    assert second.status == "submitted" and second.likely_duplicate_of is not None
