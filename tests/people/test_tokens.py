"""Bearer tokens: created with the secret shown once and stored hashed, used with the owner's grants,
revoked, expiring; and CSRF: required for session writes, not for bearer calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.people.actions import hash_token
from gongzhi.people.models import ApiToken
from tests.conftest import assert_error
from tests.factories import make_resident


def _bearer(secret: str) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _create(api, user, **body) -> tuple[dict, str]:
    response = api(user).post("/me/tokens", {"name": "12345热线对接", **body})
    assert response.status_code == 201, response.content
    data = response.json()
    return data, data["token"]


def test_a_token_is_shown_once_and_stored_only_as_a_hash(world, community_worker, api):
    data, secret = _create(api, community_worker)
    assert secret.startswith(f"gz_{data['prefix']}_") and len(secret) > 40
    row = ApiToken.objects.get(pk=data["id"])
    assert row.token_hash == hash_token(secret) and secret not in row.token_hash
    listed = api(community_worker).get("/me/tokens").json()
    assert [t["id"] for t in listed] == [row.pk] and "token" not in listed[0]
    event = AuditEvent.objects.latest("seq")
    assert event.action == "people.token_create" and secret not in str(event.changes)


def test_a_token_acts_with_its_owners_grants(world, community_worker, api):
    resident = make_resident(world.grid, "某居民")
    far = make_resident(world.outside_grid, "远方居民")
    _data, secret = _create(api, community_worker)
    client = _bearer(secret)
    me = client.get("/api/v1/me").json()
    assert me["username"] == "community_worker" and me["roles"] == ["community_worker"]
    assert client.get(f"/api/v1/residents/{resident.pk}").status_code == 200
    assert_error(client.get(f"/api/v1/residents/{far.pk}"), 404, "not_found")
    # Writes need no CSRF token with a bearer token.
    response = client.patch(
        f"/api/v1/residents/{resident.pk}", '{"notes": "经由接口"}', content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.latest("seq").actor == community_worker
    assert ApiToken.objects.get(prefix=secret.split("_")[1]).last_used_at is not None


@pytest.mark.parametrize(
    "secret",
    ["", "gz_", "gz_nothere_abc", "not-a-gongzhi-token", "gz_{prefix}_wrong-secret"],
)
def test_unknown_or_wrong_tokens_are_401(world, community_worker, api, secret):
    data, _secret = _create(api, community_worker)
    client = _bearer(secret.format(prefix=data["prefix"]))
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_a_revoked_token_stops_working(world, community_worker, api):
    data, secret = _create(api, community_worker)
    assert _bearer(secret).get("/api/v1/me").status_code == 200
    assert api(community_worker).delete(f"/me/tokens/{data['id']}").status_code == 204
    assert_error(_bearer(secret).get("/api/v1/me"), 401)
    assert_error(api(community_worker).delete(f"/me/tokens/{data['id']}"), 422, field="token")


def test_a_token_can_revoke_itself(world, community_worker, api):
    data, secret = _create(api, community_worker)
    response = _bearer(secret).delete(f"/api/v1/me/tokens/{data['id']}")
    assert response.status_code == 204
    assert_error(_bearer(secret).get("/api/v1/me"), 401)


def test_an_expired_token_stops_working(world, community_worker, api, monkeypatch):
    soon = timezone.now() + dt.timedelta(hours=1)
    _data, secret = _create(api, community_worker, expires_at=soon.isoformat())
    assert _bearer(secret).get("/api/v1/me").status_code == 200
    # The hour passes (the token's sign-in is cached per process: expiry must still hold at once).
    later = soon + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert_error(_bearer(secret).get("/api/v1/me"), 401)


def test_a_token_of_a_deactivated_user_stops_working(world, community_worker, api):
    _data, secret = _create(api, community_worker)
    type(community_worker).objects.filter(pk=community_worker.pk).update(is_active=False)
    assert_error(_bearer(secret).get("/api/v1/me"), 401)


def test_nobody_revokes_another_users_token(world, community_worker, community_head, api):
    data, secret = _create(api, community_worker)
    assert_error(api(community_head).delete(f"/me/tokens/{data['id']}"), 404)
    assert _bearer(secret).get("/api/v1/me").status_code == 200


def test_twenty_active_tokens_at_most(world, community_worker, api):
    for n in range(20):
        _create(api, community_worker, name=f"t{n}")
    assert_error(api(community_worker).post("/me/tokens", {"name": "one more"}), 422, "invalid_input", "name")


def test_the_tokens_page_shows_the_secret_once_and_revokes(world, community_worker, client):
    client.force_login(community_worker)
    page = client.post("/accounts/tokens/", {"name": "网页创建"}).content.decode()
    row = ApiToken.objects.get(user=community_worker)
    secret = page.split('data-testid="token-secret">')[1].split("<")[0]
    assert row.token_hash == hash_token(secret)
    assert secret not in client.get("/accounts/tokens/").content.decode()
    response = client.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.post("/accounts/tokens/", {"name": ""}).status_code == 400


# --- CSRF -------------------------------------------------------------------------------------------


@pytest.fixture
def browser(world, community_worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(community_worker)
    client.get("/desk/")  # the page sets the CSRF cookie
    return client


def test_session_writes_need_the_csrf_token(world, browser):
    before = AuditEvent.objects.count()
    response = browser.patch("/api/v1/me", '{"display_name": "x"}', content_type="application/json")
    assert_error(response, 403, "forbidden")
    assert AuditEvent.objects.count() == before
    token = browser.cookies["csrftoken"].value
    response = browser.patch(
        "/api/v1/me", '{"display_name": "x"}', content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_session_reads_need_no_csrf_token(world, browser):
    assert browser.get("/api/v1/me").status_code == 200


def test_html_forms_need_the_csrf_token(world, browser):
    response = browser.post("/accounts/profile/", {"display_name": "x", "language": "zh-hans"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    assert browser.post("/accounts/logout/").status_code == 403


def test_a_password_change_with_a_token_opens_no_session(world, community_worker, api):
    _data, secret = _create(api, community_worker)
    response = _bearer(secret).post(
        "/api/v1/me/password",
        '{"old_password": "correct-horse-battery", "new_password": "another-long-pass"}',
        content_type="application/json",
    )
    assert response.status_code == 204
    assert "sessionid" not in response.cookies
