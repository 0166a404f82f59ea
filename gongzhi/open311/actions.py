"""Taking an Open311 service request: it becomes an appeal (channel open311) in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appeals.actions.intake import appeal_submit
from gongzhi.appeals.models import Appeal, Channel, Kind
from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput
from gongzhi.open311.models import ApiKey, Submission

MAX_DESCRIPTION = 4000


@transaction.atomic
def service_request_submit(
    *,
    api_key: ApiKey,
    service_code: str,
    description: str,
    attributes: dict[str, Any],
    latitude: Any = None,
    longitude: Any = None,
    address_string: str = "",
    address_id: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    device_id: str = "",
    account_id: str = "",
    media_url: str = "",
    idempotency_key: str | None = None,
) -> Appeal:
    """Create the appeal for a service request sent with a valid API key, and remember how it came."""
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            fields={
                "description": _("描述不能超过%(n)s字（现为%(len)s字）。")
                % {"n": MAX_DESCRIPTION, "len": len(description)}
            }
        )
    for field, value, limit in (
        ("device_id", device_id, 100),
        ("account_id", account_id, 100),
        ("media_url", media_url, 500),
    ):
        if len(value) > limit:
            raise InvalidInput(fields={field: _("内容过长（最多%(n)s字）。") % {"n": limit}})
    if media_url and not media_url.startswith(("http://", "https://")):
        raise InvalidInput(fields={"media_url": _("媒体地址应以 http:// 或 https:// 开头。")})
    address = address_string.strip()
    if not address and address_id:
        address = _("地址编号：%(id)s") % {"id": address_id.strip()}
    name = (
        f"{last_name.strip()}{first_name.strip()}"
        if _is_chinese(last_name + first_name)
        else " ".join(p for p in (first_name.strip(), last_name.strip()) if p)
    )
    contact = {"name": name[:60], "mobile": phone.strip(), "email": email.strip()}
    appeal = appeal_submit(
        actor=None,
        channel=Channel.OPEN311,
        category=service_code,
        description=description.strip(),
        unit=api_key.unit,
        kind=Kind.REQUEST,
        address=address,
        latitude=latitude,
        longitude=longitude,
        attributes=attributes,
        contact=contact if any(contact.values()) else None,
        idempotency_key=f"open311:{api_key.prefix}:{idempotency_key}" if idempotency_key else None,
    )
    _submission, created = Submission.objects.get_or_create(
        appeal=appeal,
        defaults={"api_key": api_key, "device_id": device_id, "account_id": account_id, "media_url": media_url},
    )
    if created:
        record(
            actor=f"open311:{api_key.name}",
            action="open311.service_request",
            target=appeal,
            unit=appeal.unit,
            changes={"api_key": api_key.prefix, "device_id": device_id, "account_id": account_id},
        )
    return appeal


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
