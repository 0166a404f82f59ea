"""Deliver queued e-mail and SMS/WeChat messages, with retries."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from huey.contrib.djhuey import db_task

from gongzhi.lib import crypto
from gongzhi.notify.models import Delivery

MAX_ATTEMPTS = 5


@db_task(retries=3, retry_delay=60)
def deliver(delivery_id: int) -> None:
    """Send one queued message; idempotent (a sent message is never sent twice)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status == Delivery.Status.SENT or delivery.attempts >= MAX_ATTEMPTS:
            return
        delivery.attempts += 1
        address = crypto.decrypt(delivery.address_encrypted)
        try:
            if delivery.channel == Delivery.Channel.EMAIL:
                send_mail(delivery.subject, delivery.body or delivery.subject, settings.DEFAULT_FROM_EMAIL, [address])
            else:
                sender = import_string(settings.GONGZHI_SMS_SENDER)()
                sender.send(address=address, subject=delivery.subject, body=delivery.body)
        except Exception as exc:  # a gateway failure must not lose the message
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = str(exc)[:300]
            delivery.save(update_fields=["attempts", "status", "last_error"])
            return
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at"])


def retry_failed() -> int:
    """Queue every failed delivery that still has attempts left; return how many."""
    ids = list(
        Delivery.objects.filter(status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        deliver(delivery_id)
    return len(ids)
