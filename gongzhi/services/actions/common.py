"""Helpers shared by the services actions: numbering, acting roles, recipients."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi import access
from gongzhi.people.models import RoleGrant, User
from gongzhi.services.models import Sequence
from gongzhi.services.workflow import APPLICANT

# Crockford's base32 alphabet: no I, L, O, U (nothing to misread on paper).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 20 symbols × 5 bits = 100 bits of randomness


def next_number(prefix: str, *, width: int = 6, dated: bool = True) -> str:
    """Return the next number for a prefix: SQ20261125000001 (daily) or a yearly series."""
    now = timezone.localtime()
    stamp = now.strftime("%Y%m%d") if dated else now.strftime("%Y")
    key = f"{prefix}{stamp}"
    with transaction.atomic():
        row = Sequence.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Sequence.objects.create(key=key, value=0)
            except IntegrityError:
                row = Sequence.objects.select_for_update().get(key=key)
            row = Sequence.objects.select_for_update().get(pk=row.pk)
        row.value += 1
        row.save(update_fields=["value"])
    return f"{key}{row.value:0{width}d}"


def verification_code() -> str:
    """Return an unguessable verification code (100 random bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def acting_roles(actor: Any, perm: str, obj: Any) -> set[str]:
    """Return the roles through which the actor holds `perm` on obj, plus APPLICANT when it is theirs."""
    held = access.roles_covering(actor, perm, obj)
    if getattr(obj, "applicant_id", None) and obj.applicant_id == getattr(actor, "pk", None):
        held.add(APPLICANT)
    return held


def staff_of(unit: Any = None, department: Any = None, roles: set[str] | frozenset[str] | None = None) -> list[User]:
    """Return users with an active grant at exactly this unit or department (for notifications)."""
    qs = RoleGrant.objects.active()
    if department is not None:
        qs = qs.filter(department=department)
    elif unit is not None:
        qs = qs.filter(unit=unit)
    else:
        return []
    if roles:
        qs = qs.filter(role__in=list(roles))
    return list(User.objects.filter(pk__in=qs.values("user_id"), is_active=True))
