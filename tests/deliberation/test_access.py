"""The access matrix: for every endpoint, the outsider (staff of another street) gets 404, a too-small role gets
403 (or 404 where the object is not visible to them), a visitor gets 401 on non-public endpoints, and nothing is
written by a refused request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.deliberation.models import Consultation, Contest
from tests.deliberation.conftest import photo

TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

# name, method, path, payload, too-small role, its status (None: skip), public (anonymous may read)
ENDPOINTS = [
    ("body list", "get", "/deliberation/bodies", None, None, None, False),
    (
        "body create",
        "post",
        "/deliberation/bodies",
        {"unit_id": "{unit}", "name": "新机构", "level": "courtyard"},
        "community_worker",
        403,
        False,
    ),
    ("body detail", "get", "/deliberation/bodies/{body}", None, "resident", 404, False),
    ("body update", "patch", "/deliberation/bodies/{body}", {"notice_days": 5}, "community_worker", 403, False),
    ("member list", "get", "/deliberation/bodies/{body}/members", None, "resident", 404, False),
    (
        "member add",
        "post",
        "/deliberation/bodies/{body}/members",
        {"user_id": "{user}"},
        "community_worker",
        403,
        False,
    ),
    ("member end", "post", "/deliberation/members/{member}/end", {}, "community_worker", 403, False),
    ("queue", "get", "/deliberation/bodies/{body}/queue", None, "representative", 403, False),
    ("demand list", "get", "/deliberation/bodies/{body}/demands", None, "resident", 404, False),
    ("demand open", "post", "/deliberation/bodies/{body}/demands", {"subject": "x"}, "community_worker", 403, False),
    ("demand sign", "post", "/deliberation/demands/{demand}/sign", None, "community_worker", 403, False),
    ("demand withdraw", "post", "/deliberation/demands/{demand}/withdraw", None, "community_worker", 403, False),
    ("topic manage list", "get", "/deliberation/topics/manage", None, None, None, False),
    (
        "topic propose",
        "post",
        "/deliberation/topics",
        {"body_id": "{body}", "title": "t", "description": "d"},
        None,
        None,
        False,
    ),
    (
        "topic on behalf",
        "post",
        "/deliberation/topics/on-behalf",
        {"body_id": "{body}", "title": "t", "description": "d", "source": "government", "source_detail": "街道"},
        "representative",
        403,
        False,
    ),
    ("topic detail (screening)", "get", "/deliberation/topics/{submitted}", None, "resident", 404, 404),
    ("topic cosign", "post", "/deliberation/topics/{collecting}/cosign", None, None, None, False),
    (
        "topic screen",
        "post",
        "/deliberation/topics/{submitted}/screen",
        {"decision": "accept"},
        "representative",
        403,
        False,
    ),
    (
        "topic party screen",
        "post",
        "/deliberation/topics/{submitted}/party-screen",
        {"approve": True},
        "community_worker",
        403,
        False,
    ),
    ("meeting list", "get", "/deliberation/meetings", None, None, None, False),
    (
        "meeting create",
        "post",
        "/deliberation/meetings",
        {
            "body_id": "{body}",
            "kind": "consultation",
            "title": "会",
            "starts_at": "2030-01-01T09:00:00+08:00",
            "place": "室",
        },
        "representative",
        403,
        False,
    ),
    ("meeting detail (draft)", "get", "/deliberation/meetings/{draft_meeting}", None, "resident", 404, False),
    ("meeting quorum", "get", "/deliberation/meetings/{meeting}/quorum", None, "resident", 404, False),
    (
        "meeting add item",
        "post",
        "/deliberation/meetings/{draft_meeting}/items",
        {"title": "事项"},
        "representative",
        403,
        False,
    ),
    (
        "meeting invite",
        "post",
        "/deliberation/meetings/{draft_meeting}/invitees",
        {"kind": "expert", "name": "专家"},
        "representative",
        403,
        False,
    ),
    ("meeting notice", "post", "/deliberation/meetings/{draft_meeting}/notice", {}, "representative", 403, False),
    ("meeting open", "post", "/deliberation/meetings/{draft_meeting}/open", None, "representative", 403, False),
    (
        "meeting cancel",
        "post",
        "/deliberation/meetings/{draft_meeting}/cancel",
        {"reason": "x"},
        "representative",
        403,
        False,
    ),
    ("meeting close", "post", "/deliberation/meetings/{meeting}/close", {}, "representative", 403, False),
    (
        "attendance",
        "post",
        "/deliberation/meetings/{meeting}/attendance",
        {"user_id": "{user}"},
        "representative",
        403,
        False,
    ),
    ("checkin", "post", "/deliberation/meetings/{meeting}/checkin", {"code": "123456"}, "resident", 404, False),
    (
        "roundtable issue",
        "post",
        "/deliberation/meetings/{meeting}/roundtable-issues",
        {"title": "t", "text": "x", "raised_by": "y"},
        "representative",
        403,
        False,
    ),
    ("item detail", "get", "/deliberation/items/{item}", None, "resident", 404, False),
    ("item minutes", "post", "/deliberation/items/{extra}/minutes", {"minutes": "记录"}, "representative", 403, False),
    ("item open vote", "post", "/deliberation/items/{extra}/open-vote", {}, "representative", 403, False),
    ("vote", "post", "/deliberation/items/{extra}/votes", {"choice": "for"}, "community_worker", 403, False),
    ("item close vote", "post", "/deliberation/items/{extra}/close-vote", None, "representative", 403, False),
    (
        "item consensus",
        "post",
        "/deliberation/items/{extra}/consensus",
        {"consensus": "x"},
        "representative",
        403,
        False,
    ),
    ("item defer", "post", "/deliberation/items/{extra}/defer", {"reason": "x"}, "representative", 403, False),
    (
        "legal review",
        "post",
        "/deliberation/resolutions/{resolution}/legal-review",
        {"approve": True, "opinion": "x"},
        "community_worker",
        403,
        False,
    ),
    ("revise", "post", "/deliberation/resolutions/{resolution}/revise", {"text": "x"}, "representative", 403, False),
    (
        "commitment add",
        "post",
        "/deliberation/resolutions/{resolution}/commitments",
        {"title": "t", "deadline": TOMORROW, "owner_department_id": "{department}"},
        "representative",
        403,
        False,
    ),
    ("commitments mine", "get", "/deliberation/commitments", None, None, None, False),
    ("supervision", "get", "/deliberation/supervision", None, None, None, False),
    (
        "commitment review",
        "post",
        "/deliberation/commitments/{commitment}/review",
        {"accept": True},
        "community_worker",
        403,
        False,
    ),
    ("post", "post", "/deliberation/resolutions/{resolution}/post", {"days": 7}, "representative", 403, False),
    ("objection", "post", "/deliberation/resolutions/{resolution}/objections", {"text": "x"}, None, None, False),
    (
        "open evaluation",
        "post",
        "/deliberation/resolutions/{resolution}/open-evaluation",
        None,
        "representative",
        403,
        False,
    ),
    ("evaluation", "post", "/deliberation/resolutions/{resolution}/evaluations", {"score": 5}, None, None, False),
    ("resolution close", "post", "/deliberation/resolutions/{resolution}/close", None, "representative", 403, False),
    ("consultation manage list", "get", "/deliberation/consultations/manage", None, None, None, False),
    (
        "consultation create",
        "post",
        "/deliberation/consultations",
        {"unit_id": "{unit}", "title": "t", "closes_on": "2030-01-01", "sections": [{"text": "x"}]},
        "representative",
        403,
        False,
    ),
    (
        "consultation open",
        "post",
        "/deliberation/consultations/{consultation}/open",
        None,
        "representative",
        403,
        False,
    ),
    (
        "comment enter",
        "post",
        "/deliberation/consultations/{consultation}/comments/entered",
        {"channel": "paper", "author_name": "x", "text": "x"},
        "representative",
        403,
        False,
    ),
    (
        "comment moderate",
        "post",
        "/deliberation/comments/{comment}/moderate",
        {"publish": True},
        "representative",
        404,
        False,
    ),
    (
        "comment reply",
        "post",
        "/deliberation/comments/{comment}/reply",
        {"kind": "adopted", "reply": "x"},
        "representative",
        404,
        False,
    ),
    (
        "consultation close",
        "post",
        "/deliberation/consultations/{consultation}/close",
        None,
        "representative",
        403,
        False,
    ),
    (
        "consultation report",
        "post",
        "/deliberation/consultations/{consultation}/report",
        {"report": "x"},
        "representative",
        403,
        False,
    ),
    ("inquiries to answer", "get", "/deliberation/inquiries/to-answer", None, None, None, False),
    ("inquiry reply", "post", "/deliberation/inquiries/{inquiry}/reply", {"reply": "x"}, "representative", 403, False),
    (
        "inquiry escalate",
        "post",
        "/deliberation/inquiries/{inquiry}/escalate",
        {"reason": "x"},
        "representative",
        403,
        False,
    ),
    (
        "contest create",
        "post",
        "/deliberation/contests",
        {"unit_id": "{unit}", "title": "t", "criteria": [{"name": "a", "weight": "1"}]},
        "representative",
        403,
        False,
    ),
    (
        "contest judge",
        "post",
        "/deliberation/contests/{contest}/judges",
        {"user_id": "{user}"},
        "representative",
        403,
        False,
    ),
    ("contest open", "post", "/deliberation/contests/{contest}/open", None, "representative", 403, False),
    ("contest judging", "post", "/deliberation/contests/{contest}/judging", None, "representative", 403, False),
    ("contest award", "post", "/deliberation/contests/{contest}/award", None, "representative", 403, False),
    (
        "contribution",
        "post",
        "/deliberation/pitches/{pitch}/contributions",
        {"contributor": "x", "amount": "10"},
        "representative",
        403,
        False,
    ),
    ("scores", "post", "/deliberation/pitches/{pitch}/scores", {"scores": {}}, "representative", 403, False),
    # Public reads: anyone, including visitors.
    ("public topics", "get", "/deliberation/topics", None, None, None, True),
    ("public topic", "get", "/deliberation/topics/{published}", None, None, None, True),
    ("public resolutions", "get", "/deliberation/resolutions", None, None, None, True),
    ("public resolution", "get", "/deliberation/resolutions/{resolution}", None, None, None, True),
    ("public consultations", "get", "/deliberation/consultations", None, None, None, True),
    ("public consultation", "get", "/deliberation/consultations/{consultation}", None, None, None, True),
    ("public inquiries", "get", "/deliberation/inquiries", None, None, None, True),
    ("public inquiry", "get", "/deliberation/inquiries/{inquiry}", None, None, None, True),
    ("public contests", "get", "/deliberation/contests", None, None, None, True),
    ("public contest", "get", "/deliberation/contests/{contest}", None, None, None, True),
]

# Objects that everybody may read (a collecting proposal, a resolution being carried out, an open consultation,
# an inquiry, an open contest): the outsider sees them, so acting on them is refused with 403, not 404.
PUBLIC_OBJECTS = {
    "topic cosign", "legal review", "revise", "commitment add", "commitment review", "post", "objection",
    "open evaluation", "evaluation", "resolution close", "consultation open", "comment enter", "consultation close",
    "consultation report", "inquiry reply", "inquiry escalate", "contest judge", "contest open", "contest judging",
    "contest award", "contribution", "scores",
}  # fmt: skip

# Endpoints addressing one object: the outsider gets 404 on them (403 on public objects).
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if "{" in e[2] and e[6] is not True]


def _fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _call(client, method, path, payload, ids):
    path = _fill(path, ids)
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, _fill(payload, ids) if payload is not None else None)


@pytest.mark.parametrize(
    ("name", "method", "path", "payload", "small", "small_status", "public"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_a_visitor_is_refused_except_on_public_reads(
    scene, api, name, method, path, payload, small, small_status, public
):
    response = _call(api(), method, path, payload, scene)
    if public == 404:  # a public endpoint, but this object is not public yet
        assert response.status_code == 404, response.content
    elif public:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 401, (name, response.status_code)


@pytest.mark.parametrize(
    ("name", "method", "path", "payload", "small", "small_status", "public"),
    OBJECT_ENDPOINTS,
    ids=[e[0] for e in OBJECT_ENDPOINTS],
)
def test_an_outsider_gets_404_and_nothing_is_written(
    scene, api, outsider, name, method, path, payload, small, small_status, public
):
    before = AuditEvent.objects.count()
    response = _call(api(outsider), method, path, payload, scene)
    expected = 403 if name in PUBLIC_OBJECTS else 404
    assert response.status_code == expected, (name, response.status_code, response.content[:300])
    assert AuditEvent.objects.count() == before


SMALL = [e for e in ENDPOINTS if e[4]]


@pytest.mark.parametrize(
    ("name", "method", "path", "payload", "small", "small_status", "public"), SMALL, ids=[e[0] for e in SMALL]
)
def test_a_too_small_role_is_refused_and_nothing_is_written(
    scene, api, world, name, method, path, payload, small, small_status, public
):
    before = AuditEvent.objects.count()
    response = _call(api(world.users[small]), method, path, payload, scene)
    assert response.status_code == small_status, (name, response.status_code, response.content[:300])
    assert AuditEvent.objects.count() == before


def test_lists_of_an_outsider_are_empty(scene, api, outsider):
    client = api(outsider)
    assert client.get("/deliberation/bodies").json() == []
    assert client.get("/deliberation/topics/manage").json()["items"] == []
    assert client.get("/deliberation/meetings").json() == []
    assert client.get("/deliberation/consultations/manage").json() == []
    assert client.get("/deliberation/inquiries/to-answer").json() == []
    assert client.get("/deliberation/supervision").json() == []


def test_the_public_topic_list_does_not_show_topics_in_screening(scene, api):
    ids = {t["id"] for t in api().get("/deliberation/topics").json()["items"]}
    assert scene["published"] in ids and scene["collecting"] in ids
    assert scene["submitted"] not in ids


def test_the_public_topic_list_keeps_its_query_count(scene, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api().get("/deliberation/topics?limit=50")
    assert response.status_code == 200


def test_a_department_handler_closes_its_commitment_with_evidence(scene, api, handler):
    from tests.deliberation.conftest import upload

    assert (
        upload(
            handler, f"/deliberation/commitments/{scene['commitment']}/close", {"note": "done", "evidence": photo()}
        ).status_code
        == 200
    )
    assert Contest.objects.count() == 1 and Consultation.objects.count() == 1


def test_lists_keep_their_query_counts(scene, api, world, django_assert_max_num_queries):
    staff = api(world.users["community_head"])
    with django_assert_max_num_queries(12):
        assert staff.get(f"/deliberation/bodies/{scene['body']}/queue?limit=50").status_code == 200
    with django_assert_max_num_queries(10):
        assert staff.get("/deliberation/topics/manage?limit=50").status_code == 200
    with django_assert_max_num_queries(10):
        assert api().get("/deliberation/inquiries?limit=50").status_code == 200
    with django_assert_max_num_queries(10):
        assert staff.get("/deliberation/meetings").status_code == 200
