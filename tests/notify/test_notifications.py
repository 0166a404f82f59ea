"""Notifications: in-app in each recipient's language, e-mail and SMS through the outbox with retries,
a pluggable SMS sender, and the inbox in the API and pages."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.utils.translation import gettext_lazy as _

from gongzhi.lib import crypto
from gongzhi.notify import tasks
from gongzhi.notify.models import Delivery, Notification
from gongzhi.notify.service import outside_channels_off, send, send_to_address
from gongzhi.people import actions
from gongzhi.people.models import User
from tests.conftest import assert_error
from tests.factories import UserFactory

SENT: list[dict] = []


class RecordingSender:
    """A stand-in SMS gateway that keeps what it was asked to send."""

    def send(self, *, address: str, subject: str, body: str) -> None:
        SENT.append({"address": address, "subject": subject, "body": body})


class FlakySender:
    """Fails the first two times, then works (a gateway that comes back)."""

    calls = 0

    def send(self, *, address: str, subject: str, body: str) -> None:
        FlakySender.calls += 1
        if FlakySender.calls <= 2:
            raise RuntimeError("gateway timeout")
        SENT.append({"address": address, "subject": subject, "body": body})


@pytest.fixture(autouse=True)
def _reset():
    SENT.clear()
    FlakySender.calls = 0


@pytest.fixture
def people_(world):
    zh = world.users["community_worker"]
    en = world.users["community_head"]
    actions.profile_update(actor=zh, email="wu@example.org", mobile="13700000001")
    actions.profile_update(actor=en, email="zhou@example.org", mobile="13700000002", language="en")
    return User.objects.get(pk=zh.pk), User.objects.get(pk=en.pk)


def test_in_app_notifications_are_written_in_each_recipients_language(world, people_):
    zh, en = people_
    created = send(
        recipients=[zh, en, zh, None],
        kind="register.saved",
        title=_("已登记居民“%(name)s”。"),
        params={"name": "王五"},
        url="/people/residents/",
    )
    assert len(created) == 2
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles["community_worker"] == "已登记居民“王五”。"
    assert titles["community_head"] == "Registered resident “王五”."


def test_inactive_users_are_not_notified(world, people_):
    zh, _en = people_
    User.objects.filter(pk=zh.pk).update(is_active=False)
    assert send(recipients=[User.objects.get(pk=zh.pk)], kind="k", title="x") == []


def test_email_goes_through_the_outbox_after_commit(world, people_, django_capture_on_commit_callbacks):
    zh, en = people_
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh, en], kind="k", title=_("已保存。"), body="正文", email=True)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert sorted(m.to[0] for m in mail.outbox) == ["wu@example.org", "zhou@example.org"]
    assert {m.subject for m in mail.outbox} == {"已保存。", "Saved."}
    deliveries = Delivery.objects.filter(channel="email")
    assert all(d.status == "sent" and d.attempts == 1 and d.sent_at for d in deliveries)
    # Addresses are kept encrypted in the outbox.
    assert all("example.org" not in d.address_encrypted for d in deliveries)


def test_a_failed_email_is_retried_by_the_periodic_task(
    world, people_, django_capture_on_commit_callbacks, monkeypatch
):
    zh, _en = people_
    calls = {"n": 0}
    real = tasks.send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh], kind="k", title="通知", email=True)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "connection lost")
    from gongzhi.schedule import retry_failed_deliveries

    assert retry_failed_deliveries.call_local() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1
    assert retry_failed_deliveries.call_local() == 0


@override_settings(GONGZHI_SMS_SENDER="tests.notify.test_notifications.RecordingSender")
def test_sms_goes_to_the_pluggable_sender_with_the_decrypted_number(
    world, people_, django_capture_on_commit_callbacks
):
    zh, en = people_
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh, en], kind="k", title=_("已保存。"), body="请查看", sms=True)
    assert sorted(s["address"] for s in SENT) == ["13700000001", "13700000002"]
    assert {s["subject"] for s in SENT} == {"已保存。", "Saved."}
    assert Delivery.objects.filter(channel="sms", status="sent").count() == 2


@override_settings(GONGZHI_SMS_SENDER="tests.notify.test_notifications.FlakySender")
def test_sms_retries_until_the_gateway_answers_and_gives_up_after_five_attempts(
    world, people_, django_capture_on_commit_callbacks
):
    zh, _en = people_
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh], kind="k", title="通知", sms=True)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    tasks.retry_failed()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2
    tasks.retry_failed()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and len(SENT) == 1
    tasks.deliver(delivery.pk)  # idempotent: a sent message is never sent twice
    assert len(SENT) == 1


@override_settings(GONGZHI_SMS_SENDER="gongzhi.notify.senders.FailingSender")
def test_a_message_is_given_up_after_the_last_attempt(world, people_, django_capture_on_commit_callbacks):
    zh, _en = people_
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh], kind="k", title="通知", sms=True)
    for _attempt in range(10):
        tasks.retry_failed()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", tasks.MAX_ATTEMPTS)
    assert delivery.last_error == "gateway unavailable"
    assert tasks.retry_failed() == 0


def test_people_without_an_address_get_no_outside_message(world, django_capture_on_commit_callbacks):
    user = UserFactory(username="plain", email="")
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[user], kind="k", title="通知", email=True, sms=True)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert not Delivery.objects.exists()


@override_settings(GONGZHI_SMS_SENDER="tests.notify.test_notifications.RecordingSender")
def test_a_message_to_someone_who_does_not_sign_in(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = send_to_address(channel="sms", address="13600000000", subject="您的诉求已受理", body="编号123")
    assert SENT == [{"address": "13600000000", "subject": "您的诉求已受理", "body": "编号123"}]
    assert crypto.decrypt(Delivery.objects.get(pk=delivery.pk).address_encrypted) == "13600000000"


def test_while_synthetic_data_loads_only_in_app_notices_are_written(
    world, people_, django_capture_on_commit_callbacks
):
    zh, en = people_
    with django_capture_on_commit_callbacks(execute=True), outside_channels_off():
        send(recipients=[zh, en], kind="k", title=_("已保存。"), email=True, sms=True)
        assert send_to_address(channel="sms", address="13600000000", subject="演示", body="演示") is None
    assert Notification.objects.filter(kind="k").count() == 2
    assert not Delivery.objects.exists() and mail.outbox == [] and SENT == []
    # Outside the block messages go out again.
    with django_capture_on_commit_callbacks(execute=True):
        send(recipients=[zh], kind="k", title=_("已保存。"), email=True)
    assert len(mail.outbox) == 1


# --- the inbox ------------------------------------------------------------------------------------------


@pytest.fixture
def inbox(world, community_worker):
    notes = [
        Notification.objects.create(recipient=community_worker, kind="k", title=f"通知{n}", url="/people/residents/")
        for n in range(3)
    ]
    Notification.objects.create(recipient=world.users["community_head"], kind="k", title="别人的")
    return notes


def test_the_api_lists_marks_and_counts(world, community_worker, inbox, api):
    client = api(community_worker)
    body = client.get("/me/notifications").json()
    assert [n["title"] for n in body["items"]] == ["通知2", "通知1", "通知0"] and body["unread"] == 3
    page = client.get("/me/notifications", {"limit": 2}).json()
    rest = client.get("/me/notifications", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [n["title"] for n in rest["items"]] == ["通知0"]
    assert client.post(f"/me/notifications/{inbox[0].pk}/read").json()["read_at"]
    assert client.get("/me/notifications", {"unread": True}).json()["unread"] == 2
    assert client.post("/me/notifications/read-all").json() == {"marked": 2}
    assert client.get("/me/notifications", {"unread": True}).json()["items"] == []
    other = Notification.objects.get(title="别人的")
    assert_error(client.post(f"/me/notifications/{other.pk}/read"), 404)
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_the_notifications_page_opens_and_marks(world, community_worker, inbox, client):
    client.force_login(community_worker)
    html = client.get("/desk/").content.decode()
    assert '<span class="badge text-bg-danger">3' in html
    assert "通知2" in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{inbox[1].pk}/open/")
    assert response["Location"] == "/people/residents/"
    assert Notification.objects.get(pk=inbox[1].pk).read_at is not None
    assert "通知1" not in client.get("/notifications/", {"unread": "1"}).content.decode()
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=community_worker, read_at__isnull=True).exists()


def test_opening_a_notification_never_redirects_off_site(world, community_worker, client):
    note = Notification.objects.create(recipient=community_worker, kind="k", title="x", url="//evil.example/")
    client.force_login(community_worker)
    assert client.post(f"/notifications/{note.pk}/open/")["Location"] == "/notifications/"


def test_a_backslash_url_is_not_taken_for_a_local_one(world, community_worker, client):
    note = Notification.objects.create(recipient=community_worker, kind="k", title="x", url="/\\evil.example/")
    client.force_login(community_worker)
    assert client.post(f"/notifications/{note.pk}/open/")["Location"] == "/notifications/"
