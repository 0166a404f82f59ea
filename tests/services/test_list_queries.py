"""Lists cost the same number of queries however many rows they show (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.access import forget
from gongzhi.services import actions

pytestmark = pytest.mark.django_db


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _grow(svc, community_worker, world, n: int) -> None:
    for i in range(n):
        actions.application_submit(
            actor=community_worker,
            item=svc.items["elderly" if i % 2 else "legal"],
            point=svc.doorstep,
            mode="direct",
            applicant_name=f"居民{i}",
        )
        actions.certificate_issue(
            actor=community_worker,
            unit=world.community,
            ctype=svc.cert_types["residence"],
            holder_name=f"居民{i}",
            purpose="子女入学",
            content="该居民居住于光明路。",
            evidence="房屋租赁合同",
        )
        actions.case_register(
            actor=world.users["street_staff"],
            unit=world.community,
            team=svc.departments["zfd"],
            source="patrol",
            law_area="市容环境",
            summary=f"占道经营{i}",
            location="光明路口",
            party_name=f"摊贩{i}",
        )


LISTS = [
    ("community_worker", "/api/v1/services/applications?limit=50"),
    ("community_worker", "/api/v1/services/certificates?limit=50"),
    ("street_staff", "/api/v1/services/cases?limit=50"),
    ("district_admin", "/api/v1/services/duties"),
    ("community_worker", "/services/work/"),
    ("community_worker", "/services/certificates/"),
    ("street_staff", "/services/enforcement/"),
]


@pytest.mark.parametrize(("who", "url"), LISTS)
def test_a_list_does_not_query_once_per_row(svc, world, community_worker, who, url):
    user = world.users[who]
    _grow(svc, community_worker, world, 2)
    forget(user)
    few = _queries(lambda: _page(user).get(url))
    _grow(svc, community_worker, world, 6)
    forget(user)
    many = _queries(lambda: _page(user).get(url))
    assert many == few, (url, few, many)
