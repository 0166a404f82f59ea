"""Every read of the register, users, grants and tokens goes through the access scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.pagination import Page, keyset_page, keyset_page_by_keys
from gongzhi.people.models import ApiToken, Household, Resident, ResidentTag, ResidentTagKind, RoleGrant, User
from gongzhi.units.models import Unit


def residents_visible(actor: Any, perm: str = "residents.view") -> QuerySet[Resident]:
    return access.scope(actor, perm, Resident.objects.all())


def access_resident(actor: Any, pk: Any, perm: str = "residents.view") -> Resident:
    qs = Resident.objects.select_related("unit", "household").prefetch_related("tags")
    return access.get_or_404(actor, perm, qs, pk=pk)


def resident_filter(
    actor: Any,
    *,
    unit: Unit | None = None,
    name: str = "",
    tag: str = "",
    household: int | None = None,
    gender: str = "",
    age_min: int | None = None,
    age_max: int | None = None,
    include_moved_out: bool = False,
    identity_number: str = "",
    mobile: str = "",
    today: dt.date | None = None,
) -> QuerySet[Resident]:
    """Return the scoped register with the list filters applied (not yet ordered)."""
    from gongzhi.people.actions import identity_lookup, mobile_lookup

    qs = residents_visible(actor)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if name.strip():
        qs = qs.filter(name__contains=name.strip())
    if tag:
        if tag not in ResidentTagKind.values:
            raise InvalidInput(fields={"tag": _("未知的标签。")})
        qs = qs.filter(pk__in=ResidentTag.objects.filter(tag=tag).values("resident_id"))
    if household is not None:
        qs = qs.filter(household_id=household)
    if gender:
        qs = qs.filter(gender=gender)
    day = today or timezone.localdate()
    if age_min is not None:
        qs = qs.filter(birth_date__lte=_years_before(day, age_min))
    if age_max is not None:
        qs = qs.filter(birth_date__gt=_years_before(day, age_max + 1))
    if not include_moved_out:
        qs = qs.filter(moved_out_on__isnull=True)
    if identity_number.strip():
        qs = qs.filter(identity_index=identity_lookup(identity_number))
    if mobile.strip():
        qs = qs.filter(mobile_index=mobile_lookup(mobile))
    return qs


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# A register page's ids come either by walking the id index until a page is full (best when the scope is
# most of the register) or from the scope's units through the (unit, id) index (time bounded by the
# scope's size). Residents are usually imported community by community, so a street's ids sit together
# and PostgreSQL, which assumes they are spread evenly, may walk half the table for a street's first
# page (bench/people_residents.py). Scopes under this share of all units therefore take the second way.
WALK_ID_INDEX_SHARE = 0.25


def _walks_the_id_index(actor: Any, unit: Unit | None) -> bool:
    """Return whether the actor's scope (or the filtered unit) covers a large share of all units."""
    if unit is not None:
        tops = [unit.path]
    elif access.is_global(actor, "residents.view"):
        return True
    else:
        tops = access.units_for(actor, "residents.view")
    if not tops:
        return False  # own rows only
    inside = Q()
    for path in tops:
        inside |= Q(path__startswith=path)
    counts = Unit.objects.order_by().aggregate(total=Count("pk"), inside=Count("pk", filter=inside))
    return counts["inside"] >= counts["total"] * WALK_ID_INDEX_SHARE


def resident_page(actor: Any, *, after: str | None = None, limit: int | None = None, **filters: Any) -> Page:
    def rows(pks: list[int]) -> QuerySet[Resident]:
        return (
            Resident.objects.filter(pk__in=pks)
            .select_related("unit", "household")
            .prefetch_related(Prefetch("tags", queryset=ResidentTag.objects.order_by("tag")))
        )

    qs = resident_filter(actor, **filters)
    order = "id"
    if not _walks_the_id_index(actor, filters.get("unit")):
        # Ordering by id + 0 (the same values, so cursors stay valid) takes the id index out of play.
        qs = qs.annotate(key=F("id") + 0)
        order = "key"
    # The page is cut on ids alone, then its 50 rows are loaded: a district-wide scope sorts ids from the
    # partial (unit, id) index instead of 100,000 joined rows.
    return keyset_page_by_keys(qs, order=(order,), after=after, limit=limit, fetch=rows)


def households_visible(actor: Any, perm: str = "residents.view") -> QuerySet[Household]:
    return access.scope(actor, perm, Household.objects.select_related("unit"))


def access_household(actor: Any, pk: Any, perm: str = "residents.view") -> Household:
    return access.get_or_404(actor, perm, Household.objects.select_related("unit"), pk=pk)


def household_page(
    actor: Any, *, unit: Unit | None = None, text: str = "", after: str | None = None, limit: int | None = None
) -> Page:
    qs = households_visible(actor)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if text.strip():
        qs = qs.filter(Q(number__startswith=text.strip()) | Q(address__contains=text.strip()))
    return keyset_page(qs, order=("id",), after=after, limit=limit)


def household_members(actor: Any, household: Household) -> QuerySet[Resident]:
    return residents_visible(actor).filter(household=household).order_by("relation", "birth_date")


def grants_visible(actor: Any, perm: str = "grants.view") -> QuerySet[RoleGrant]:
    return access.scope(actor, perm, RoleGrant.objects.select_related("user", "unit", "department", "organization"))


def access_grant(actor: Any, pk: Any) -> RoleGrant:
    return access.get_or_404(
        actor, "grants.view", RoleGrant.objects.select_related("user", "unit", "department", "organization"), pk=pk
    )


def grants_of_user(actor: Any, user: User) -> QuerySet[RoleGrant]:
    return grants_visible(actor).filter(user=user).order_by("-revoked_at", "role")


def users_visible(actor: Any) -> QuerySet[User]:
    return access.scope(actor, "users.view", User.objects.all())


def access_user(actor: Any, pk: Any) -> User:
    return access.get_or_404(actor, "users.view", User.objects.all(), pk=pk)


def user_search(actor: Any, text: str, limit: int = 20) -> list[User]:
    from gongzhi.lib.validators import looks_like_mobile
    from gongzhi.people.actions import mobile_lookup

    qs = users_visible(actor)
    text = text.strip()
    if looks_like_mobile(text):
        qs = qs.filter(mobile_index=mobile_lookup(text))
    elif text:
        qs = qs.filter(Q(username__icontains=text) | Q(display_name__icontains=text))
    return list(qs.order_by("username")[:limit])


def my_grants(actor: Any) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.active().filter(user=actor).select_related("unit", "department", "organization")


def my_tokens(actor: Any) -> QuerySet[ApiToken]:
    return access.scope(actor, "tokens.manage", ApiToken.objects.all()).order_by("-created_at")


def access_token(actor: Any, pk: Any) -> ApiToken:
    return access.get_or_404(actor, "tokens.manage", ApiToken.objects.all(), pk=pk)
