"""The database refuses kinds, decisions and statuses outside their choices, whatever code writes them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from gongzhi.services import actions
from gongzhi.services.models import (
    ApplicationEvent,
    CaseEvent,
    CertificateRequest,
    EnforcementCase,
    ServiceMaterial,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforcement_case(svc, world):
    return actions.case_register(
        actor=world.users["street_staff"],
        unit=world.community,
        team=svc.departments["zfd"],
        source="patrol",
        law_area="市容环境",
        summary="早市占道经营",
        location="光明路口",
        party_name="流动摊贩",
    )


@pytest.fixture
def desk_application(svc, world):
    return actions.application_submit(
        actor=world.users["community_worker"],
        item=svc.items["elderly"],
        point=svc.doorstep,
        mode="direct",
        applicant_name="王五",
    )


def _refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_a_material_form_outside_the_choices_is_refused(svc):
    item = svc.items["food"]
    _refused(lambda: ServiceMaterial.objects.create(item=item, name="照片", form="photo"))


def test_an_enforcement_decision_outside_the_choices_is_refused(svc, enforcement_case):
    _refused(lambda: EnforcementCase.objects.filter(pk=enforcement_case.pk).update(decision="warning"))


def test_a_case_past_the_decision_without_a_decision_is_refused(svc, enforcement_case):
    _refused(lambda: EnforcementCase.objects.filter(pk=enforcement_case.pk).update(status="decided"))


def test_a_case_event_with_an_unknown_status_is_refused(svc, enforcement_case):
    _refused(lambda: CaseEvent.objects.create(case=enforcement_case, to_status="archived"))


def test_an_application_event_with_an_unknown_status_is_refused(svc, desk_application):
    _refused(lambda: ApplicationEvent.objects.create(application=desk_application, kind="status", to_status="lost"))


def test_a_redirect_kind_outside_the_choices_is_refused(svc, world):
    _refused(
        lambda: CertificateRequest.objects.create(
            unit=world.community,
            requested="无犯罪记录证明",
            outcome="redirected",
            redirect_kind="elsewhere",
            go_to="派出所",
            reason="不属于社区",
            recorded_by=world.users["community_worker"],
        )
    )
