"""notify.send(): the one way actions tell people something happened.

In-app notifications are written inside the action's transaction (they are part of what
happened); outside channels (e-mail, SMS/WeChat) are queued and sent by a task after commit.
Titles and bodies are rendered in each recipient's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from gongzhi.lib import crypto, inserts
from gongzhi.notify.models import Delivery, Notification

# Set while synthetic data is loaded (the demo): nobody is behind its addresses, so nothing goes out.
_outside_channels_off: ContextVar[bool] = ContextVar("gongzhi_outside_channels_off", default=False)


@contextmanager
def outside_channels_off() -> Iterator[None]:
    """Write in-app notifications as usual but queue no e-mail or SMS (for loading synthetic data)."""
    token = _outside_channels_off.set(True)
    try:
        yield
    finally:
        _outside_channels_off.reset(token)


def _render(text: str | Promise, params: dict[str, Any] | None, language: str) -> str:
    with translation.override(language):
        rendered = str(text)
        if params:
            rendered = rendered % {k: (str(v) if isinstance(v, Promise) else v) for k, v in params.items()}
    return rendered


def send(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    params: dict[str, Any] | None = None,
    url: str = "",
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """Notify each distinct signed-in recipient in-app, and optionally by e-mail and SMS."""
    seen: set[int] = set()
    created: list[Notification] = []
    deliveries: list[Delivery] = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        language = getattr(user, "language", "zh-hans") or "zh-hans"
        note = Notification(
            recipient=user,
            kind=kind,
            title=_render(title, params, language)[:200],
            body=_render(body, params, language) if body else "",
            url=url,
        )
        created.append(note)
    inserts.insert(created)
    if _outside_channels_off.get():
        email = sms = False
    for note in created:
        user = note.recipient
        if email and user.email:
            deliveries.append(
                Delivery(
                    notification=note,
                    recipient=user,
                    channel=Delivery.Channel.EMAIL,
                    address_encrypted=crypto.encrypt(user.email),
                    subject=note.title,
                    body=note.body,
                )
            )
        if sms and user.mobile_encrypted:
            deliveries.append(
                Delivery(
                    notification=note,
                    recipient=user,
                    channel=Delivery.Channel.SMS,
                    address_encrypted=user.mobile_encrypted,
                    subject=note.title,
                    body=note.body,
                )
            )
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        ids = [d.pk for d in deliveries]

        def _enqueue() -> None:
            from gongzhi.notify.tasks import deliver

            for delivery_id in ids:
                deliver(delivery_id)

        transaction.on_commit(_enqueue)
    return created


def send_to_address(*, channel: str, address: str, subject: str, body: str) -> Delivery | None:
    """Queue a message to someone who does not sign in (a resident's mobile, an Open311 e-mail).

    Returns None, queuing nothing, while outside channels are off (synthetic data being loaded)."""
    if _outside_channels_off.get():
        return None
    delivery = Delivery.objects.create(
        channel=channel, address_encrypted=crypto.encrypt(address), subject=subject[:200], body=body
    )

    def _enqueue() -> None:
        from gongzhi.notify.tasks import deliver

        deliver(delivery.pk)

    transaction.on_commit(_enqueue)
    return delivery
