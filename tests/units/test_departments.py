"""Departments (bodies that handle work, with a jurisdiction) and organizations (party tree and others)."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.lib.errors import Forbidden, InvalidInput
from gongzhi.units import actions
from gongzhi.units.models import Department, DepartmentKind, Organization, OrganizationKind, Unit


def _department(actor, unit, **kwargs):
    data = {"name": "和平街道综合执法队", "kind": DepartmentKind.ENFORCEMENT, "code": "S-ZFD", **kwargs}
    return actions.department_create(actor=actor, unit=unit, **data)


def test_a_department_belongs_to_a_unit_and_by_default_handles_its_subtree(world, district_admin):
    department = _department(district_admin, world.street)
    assert department.jurisdiction == world.street
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.unit_id) == ("units.department_create", world.street.pk)


def test_a_departments_jurisdiction_may_be_narrower_than_its_unit(world, district_admin):
    department = _department(district_admin, world.street, jurisdiction=world.community)
    assert department.jurisdiction == world.community


def test_a_departments_jurisdiction_never_reaches_above_its_unit(world, district_admin):
    for jurisdiction in (world.district, world.other_street, world.outside_community):
        with pytest.raises(InvalidInput) as caught:
            _department(district_admin, world.street, jurisdiction=jurisdiction)
        assert "jurisdiction" in caught.value.fields
    assert not Department.objects.filter(code="S-ZFD").exists()


def test_department_codes_are_unique_and_required(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _department(district_admin, world.street, code=world.department.code)
    assert "code" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        _department(district_admin, world.street, code="  ")
    assert "code" in caught.value.fields


def test_unknown_department_kinds_are_refused(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _department(district_admin, world.street, kind="ministry")
    assert "kind" in caught.value.fields


def test_a_closed_unit_gets_no_new_department(world, district_admin):
    for grid in (world.grid, world.other_grid):
        actions.unit_close(actor=district_admin, unit=grid)
    with pytest.raises(InvalidInput) as caught:
        _department(district_admin, world.street, jurisdiction=Unit.objects.get(pk=world.grid.pk))
    assert "jurisdiction" in caught.value.fields


def test_only_admins_create_departments(world, street_staff, community_head):
    for actor in (street_staff, community_head):
        with pytest.raises(Forbidden):
            _department(actor, world.street)


def test_updating_a_department_checks_the_same_rules(world, district_admin):
    department = actions.department_update(
        actor=district_admin, department=world.street_department, name="城市管理办公室", is_active=False
    )
    assert (department.name, department.is_active) == ("城市管理办公室", False)
    with pytest.raises(InvalidInput) as caught:
        actions.department_update(
            actor=district_admin, department=world.street_department, jurisdiction=world.district
        )
    assert "jurisdiction" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.department_update(actor=district_admin, department=world.street_department, code="X")
    assert "code" in caught.value.fields
    assert Department.objects.get(pk=world.street_department.pk).jurisdiction == world.street


def _org(actor, unit, kind, parent=None, name="组织", **kwargs):
    return actions.organization_create(actor=actor, unit=unit, name=name, kind=kind, parent=parent, **kwargs)


def test_party_organizations_form_their_own_tree(world, district_admin):
    committee = _org(district_admin, world.street, OrganizationKind.PARTY_WORKING_COMMITTEE, name="党工委")
    party = _org(district_admin, world.community, OrganizationKind.PARTY_COMMITTEE, committee, name="社区党委")
    branch = _org(district_admin, world.community, OrganizationKind.PARTY_BRANCH, party, name="第一支部")
    group = _org(district_admin, world.grid, OrganizationKind.PARTY_GROUP, branch, name="第一小组")
    assert [o.name for o in Organization.objects.get_ancestors(group)] == ["党工委", "社区党委", "第一支部"]
    assert group.is_party and not _org(district_admin, world.street, OrganizationKind.ENTERPRISE).is_party


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        (OrganizationKind.PARTY_GROUP, None),
        (OrganizationKind.PARTY_GROUP, OrganizationKind.PARTY_COMMITTEE),
        (OrganizationKind.PARTY_WORKING_COMMITTEE, OrganizationKind.PARTY_COMMITTEE),
        (OrganizationKind.SOCIAL_ORGANIZATION, OrganizationKind.PARTY_BRANCH),
        (OrganizationKind.STATIONED_UNIT, OrganizationKind.ENTERPRISE),
    ],
)
def test_an_organization_only_sits_under_the_kinds_allowed(world, district_admin, kind, parent_kind):
    parent = _org(district_admin, world.street, parent_kind, name="上级") if parent_kind else None
    count = Organization.objects.count()
    with pytest.raises(InvalidInput) as caught:
        _org(district_admin, world.community, kind, parent)
    assert "parent" in caught.value.fields
    assert Organization.objects.count() == count


def test_credit_codes_are_checked(world, district_admin):
    with pytest.raises(InvalidInput) as caught:
        _org(district_admin, world.street, OrganizationKind.ENTERPRISE, credit_code="12345")
    assert "credit_code" in caught.value.fields
    org = _org(district_admin, world.street, OrganizationKind.ENTERPRISE, credit_code="91110105mA01ABCD2x")
    assert org.credit_code == "91110105MA01ABCD2X"


def test_street_staff_manage_organizations_in_their_street_only(world, street_staff):
    _org(street_staff, world.community, OrganizationKind.SOCIAL_ORGANIZATION, name="志愿者协会")
    with pytest.raises(Forbidden):
        _org(street_staff, world.outside_community, OrganizationKind.SOCIAL_ORGANIZATION)


def test_a_closed_unit_gets_no_new_organization(world, district_admin):
    actions.unit_close(actor=district_admin, unit=world.outside_grid)
    with pytest.raises(InvalidInput) as caught:
        _org(district_admin, Unit.objects.get(pk=world.outside_grid.pk), OrganizationKind.SOCIAL_ORGANIZATION)
    assert "unit" in caught.value.fields


def test_updating_an_organization_refuses_fields_it_does_not_own(world, district_admin):
    org = _org(district_admin, world.street, OrganizationKind.SOCIAL_ORGANIZATION)
    with pytest.raises(InvalidInput) as caught:
        actions.organization_update(actor=district_admin, organization=org, kind=OrganizationKind.ENTERPRISE)
    assert "kind" in caught.value.fields
    org = actions.organization_update(actor=district_admin, organization=org, name=" 阳光志愿者协会 ")
    assert org.name == "阳光志愿者协会"
