"""Helpers shared by the deliberation actions: contextual roles, membership, numbering, cleaning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.deliberation.models import Body, BodyMember, MemberRole
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.people.models import Resident, User
from gongzhi.units.models import Unit


def user_of(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def roles_of(actor: Any, *extra: str) -> set[str]:
    """Return the actor's platform roles plus contextual ones (member, proposer, owner, system)."""
    if actor == "system":
        return {"system", *extra}
    return {str(r) for r in access.roles(actor)} | set(extra)


def current_members(body: Body, *, voting: bool = True, on: dt.date | None = None):
    qs = BodyMember.objects.current(on).filter(body=body)
    if voting:
        qs = qs.filter(votes=True)
    return qs


def voting_member_ids(body: Body) -> set[int]:
    return set(current_members(body).values_list("user_id", flat=True))


def is_member(actor: Any, body: Body, *, voting: bool = True) -> bool:
    user = user_of(actor)
    return user is not None and current_members(body, voting=voting).filter(user=user).exists()


def is_legal_adviser(actor: Any, body: Body) -> bool:
    user = user_of(actor)
    return (
        user is not None
        and current_members(body, voting=False).filter(user=user, role=MemberRole.LEGAL_ADVISER).exists()
    )


def conveners(body: Body) -> list[User]:
    """Return the people who call the body's meetings: its chair and secretary (or all members if none)."""
    seats = current_members(body, voting=False).select_related("user")
    chosen = [s.user for s in seats if s.role in (MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.SECRETARY)]
    return chosen or [s.user for s in seats]


def belongs_to(actor: Any, unit: Unit) -> bool:
    """Return whether the actor lives or works in the unit (a resident of it, or a grant on or above it)."""
    user = user_of(actor)
    if user is None:
        return False
    for grant in access.grants(user):
        if grant.is_global:
            return True
        path = grant.unit_path or ""
        if path and (path.startswith(unit.path) or unit.path.startswith(path)):
            return True
    return Resident.objects.filter(user=user, unit__path__startswith=unit.path, moved_out_on__isnull=True).exists()


def assign_number(obj: Any, prefix: str) -> None:
    """Give a row its public number (prefix, year, id) once it has an id."""
    year = timezone.localdate().year
    obj.number = f"{prefix}{year}{obj.pk:06d}"
    obj.save(update_fields=["number"])


def clean_text(value: str | None, field: str, *, required: bool = True, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(fields={field: _("此项必填。")})
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(fields={field: _("不能超过%(n)s个字。") % {"n": max_length}})
    return text


def unit_managers(unit: Unit, roles: Iterable[str]) -> list[User]:
    """Return the people holding one of the roles on the unit or above it (to notify them)."""
    from gongzhi.people.models import RoleGrant

    prefixes = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=list(roles))
        .filter(Q(unit__path__in=prefixes) | Q(department__jurisdiction__path__in=prefixes))
    )
    return list(User.objects.filter(pk__in=grants.values("user_id"), is_active=True))


def lock(model: Any, obj: Any) -> Any:
    try:
        return model.objects.select_for_update().get(pk=obj.pk)
    except model.DoesNotExist:
        raise NotFound() from None
