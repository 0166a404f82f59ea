"""Issuing, revoking and checking Open311 API keys (a key is shown once; only its hash is kept)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.open311.models import ApiKey
from gongzhi.units.models import Unit

KEY_PREFIX = "o311_"  # a public marker that tells keys apart from other secrets


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor: Any, name: str, unit: Unit) -> tuple[ApiKey, str]:
    """Issue a key for a client application; return it with the secret (shown only now)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(fields={"name": _("请填写不超过100个字的名称。")})
    if unit.valid_to is not None:
        raise InvalidInput(fields={"unit": _("该单位已撤销。")})
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(30)}"
    key = ApiKey.objects.create(
        name=name,
        unit=unit,
        prefix=prefix,
        key_hash=_hash(secret),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor, action="open311.api_key_create", target=key, unit=unit, changes={"name": name, "prefix": prefix}
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor: Any, prefix: str) -> ApiKey:
    key = ApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if key is None:
        raise NotFound()
    if key.revoked_at is not None:
        raise InvalidInput(fields={"prefix": _("该密钥已撤销。")})
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record(actor=actor, action="open311.api_key_revoke", target=key, unit=key.unit, changes={"prefix": prefix})
    return key


def api_key_check(secret: str) -> ApiKey | None:
    """Return the active key matching a secret, or None."""
    if not secret or not secret.startswith(KEY_PREFIX):
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = ApiKey.objects.select_related("unit").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.key_hash, _hash(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
