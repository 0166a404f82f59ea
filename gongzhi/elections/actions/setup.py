"""Setting an election up: bodies, the election itself, the voter roll."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.deliberation.models import Body, BodyLevel, BodyMember
from gongzhi.elections.actions._common import (
    ADULT_AGE,
    MAX_SEATS,
    S,
    _election_day,
    _event,
    _lock,
    _reason,
    _url,
    _voter_users,
    turnout_fraction_from_settings,
)
from gongzhi.elections.actions.nominations import _requalify
from gongzhi.elections.models import (
    Election,
    ElectionEvent,
    ElectorateKind,
    Nomination,
    NominationStatus,
    ProxyAuthorization,
    RollEntry,
)
from gongzhi.elections.workflow import transition
from gongzhi.lib.errors import Conflict, InvalidInput, InvalidTransition
from gongzhi.notify.service import send
from gongzhi.people.models import Resident, User
from gongzhi.units.models import Unit

EDITABLE_IN_DRAFT = (
    "title",
    "description",
    "seats",
    "term_start",
    "term_end",
    "electorate",
    "electorate_body",
    "nomination_threshold",
    "body_nominations",
    "competitive",
    "proxy_limit",
    "nominations_close_at",
    "voting_starts_at",
    "voting_ends_at",
)
# Once the roll is frozen, only the description and the calendar may still move (a postponement).
EDITABLE_WHILE_NOMINATING = ("description", "nominations_close_at", "voting_starts_at", "voting_ends_at")


# --- bodies (for elections of bodies the deliberation app has not created yet) -------------------


@transaction.atomic
def body_ensure(*, actor: Any, unit: Unit, name: str, level: str, **rules: Any) -> Body:
    """Return the body of this unit with this name (or, failing that, of this level), creating it if none.

    Deliberation owns bodies; elections only creates one when an election needs a body that does not
    exist yet (the demo, a first election). Creating is idempotent and looks the body up first.
    """
    access.check(actor, "elections.certify", unit)
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise InvalidInput(fields={"name": _("请填写不超过120个字的名称。")})
    if level not in BodyLevel.values:
        raise InvalidInput(fields={"level": _("未知的议事机构层级。")})
    existing = Body.objects.filter(unit=unit, name=name).first() or (
        Body.objects.filter(unit=unit, level=level, is_active=True).order_by("id").first()
    )
    if existing is not None:
        return existing
    allowed = {f.name for f in Body._meta.get_fields()} - {"id", "unit", "name", "level", "parent", "members"}
    unknown = set(rules) - allowed
    if unknown:
        raise InvalidInput(fields={key: _("未知字段。") for key in unknown})
    body = Body.objects.create(unit=unit, name=name, level=level, **rules)
    record(actor=actor, action="elections.body_create", target=body, unit=unit, changes={"name": name, "level": level})
    return body


# --- setting up ----------------------------------------------------------------------------------


def _validate(election: Election, actor: Any, errors: dict[str, str], *, creating: bool) -> None:
    now = timezone.now()
    election.title = " ".join((election.title or "").split())
    if not election.title:
        errors["title"] = _("请填写选举名称。")
    elif len(election.title) > 120:
        errors["title"] = _("名称不能超过120个字。")
    if not isinstance(election.seats, int) or not 1 <= election.seats <= MAX_SEATS:
        errors["seats"] = _("应选名额应在1到%(n)s之间。") % {"n": MAX_SEATS}
    if election.term_start and election.term_end and election.term_end <= election.term_start:
        errors["term_end"] = _("任期结束日期应晚于开始日期。")
    if election.electorate not in ElectorateKind.values:
        errors["electorate"] = _("未知的选民范围。")
    elif election.electorate == ElectorateKind.BODY_MEMBERS:
        if election.electorate_body is None:
            errors["electorate_body"] = _("请选择选民所在的议事机构。")
        elif not access.can(actor, "elections.manage", election.electorate_body):
            errors["electorate_body"] = _("找不到该议事机构。")
    else:
        election.electorate_body = None
    if not 1 <= (election.nomination_threshold or 0) <= 1000:
        errors["nomination_threshold"] = _("联名人数应在1到1000之间。")
    if election.proxy_limit is None or not 0 <= election.proxy_limit <= 10:
        errors["proxy_limit"] = _("每人最多接受委托数应在0到10之间。")
    starts, ends, closes = election.voting_starts_at, election.voting_ends_at, election.nominations_close_at
    naive = False
    for field, value in (("voting_starts_at", starts), ("voting_ends_at", ends), ("nominations_close_at", closes)):
        if value is not None and timezone.is_naive(value):
            errors[field] = _("请给出带时区的时间。")
            naive = True
    if naive:
        return
    if starts is None:
        errors["voting_starts_at"] = _("请填写投票开始时间。")
    if ends is None:
        errors["voting_ends_at"] = _("请填写投票结束时间。")
    if starts and ends:
        if ends <= starts:
            errors["voting_ends_at"] = _("投票结束时间应晚于开始时间。")
        elif ends <= now:
            errors["voting_ends_at"] = _("投票结束时间应晚于现在。")
        if creating and starts <= now:
            errors["voting_starts_at"] = _("投票开始时间应晚于现在。")
    if closes is not None and starts is not None and closes > starts:
        errors["nominations_close_at"] = _("提名截止时间不能晚于投票开始时间。")


@transaction.atomic
def election_create(
    *,
    actor: Any,
    body: Body,
    title: str,
    seats: int,
    term_start: dt.date,
    term_end: dt.date,
    electorate: str,
    voting_starts_at: dt.datetime,
    voting_ends_at: dt.datetime,
    nominations_close_at: dt.datetime | None = None,
    electorate_body: Body | None = None,
    nomination_threshold: int = 10,
    body_nominations: bool = True,
    competitive: bool = True,
    proxy_limit: int | None = None,
    description: str = "",
) -> Election:
    """Prepare an election of a body's seats (a draft: the roll is built when nominations open)."""
    access.check(actor, "elections.manage", body)
    if not body.is_active:
        raise InvalidInput(fields={"body": _("该议事机构已停用。")})
    numerator, denominator = turnout_fraction_from_settings()
    election = Election(
        unit=body.unit,
        body=body,
        title=title,
        description=(description or "").strip(),
        seats=seats,
        term_start=term_start,
        term_end=term_end,
        electorate=electorate,
        electorate_body=electorate_body,
        nomination_threshold=nomination_threshold,
        body_nominations=body_nominations,
        competitive=competitive,
        proxy_limit=getattr(settings, "ELECTION_PROXY_LIMIT", 3) if proxy_limit is None else proxy_limit,
        turnout_numerator=numerator,
        turnout_denominator=denominator,
        nominations_close_at=nominations_close_at,
        voting_starts_at=voting_starts_at,
        voting_ends_at=voting_ends_at,
        created_by=actor,
    )
    errors: dict[str, str] = {}
    _validate(election, actor, errors, creating=True)
    if errors:
        raise InvalidInput(fields=errors)
    election.save()
    _event(election, ElectionEvent.Kind.CREATED, actor)
    record(
        actor=actor,
        action="elections.create",
        target=election,
        unit=election.unit,
        changes={
            "body": body.pk,
            "seats": seats,
            "electorate": electorate,
            "voting": [voting_starts_at, voting_ends_at],
            "term": [term_start, term_end],
        },
    )
    return election


@transaction.atomic
def election_update(*, actor: Any, election: Election, **data: Any) -> Election:
    """Change an election: anything while a draft; only the calendar and description once nominating."""
    election = _lock(election)
    access.check(actor, "elections.manage", election)
    if election.status == S.DRAFT:
        editable = EDITABLE_IN_DRAFT
    elif election.status == S.NOMINATING:
        editable = EDITABLE_WHILE_NOMINATING
    else:
        raise InvalidTransition(_("投票开始后不能再修改选举。"))
    unknown = set(data) - set(EDITABLE_IN_DRAFT)
    if unknown:
        raise InvalidInput(fields={name: _("未知字段。") for name in unknown})
    frozen = set(data) - set(editable)
    if frozen:
        raise InvalidInput(fields={name: _("选民名单确定后不能再修改此项。") for name in frozen})
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "description":
            value = (value or "").strip()
        if getattr(election, name) != value:
            changes[name] = [getattr(election, name), value]
            setattr(election, name, value)
    errors: dict[str, str] = {}
    _validate(election, actor, errors, creating=election.status == S.DRAFT and "voting_starts_at" in changes)
    if (
        election.status == S.NOMINATING
        and "voting_starts_at" in changes
        and election.voting_starts_at <= timezone.now()
    ):
        errors["voting_starts_at"] = _("投票开始时间应晚于现在。")
    if errors:
        raise InvalidInput(fields=errors)
    if changes:
        election.save()
        _event(election, ElectionEvent.Kind.UPDATED, actor, ", ".join(sorted(changes)))
        record(actor=actor, action="elections.update", target=election, changes=changes)
    return election


def _adult_on(day: dt.date) -> dt.date:
    """Return the latest birth date of someone at least 18 on `day`."""
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February
        return day.replace(year=day.year - ADULT_AGE, day=28)


def _present(qs: Any, day: dt.date) -> Any:
    return qs.filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day))


def _roll_candidates(election: Election) -> list[RollEntry]:
    """Return the unsaved roll entries the electorate rule gives on election day (in a stable order)."""
    day = _election_day(election)
    entries: list[RollEntry] = []
    if election.electorate == ElectorateKind.BODY_MEMBERS:
        members = (
            BodyMember.objects.current(day)
            .filter(body=election.electorate_body, votes=True)
            .select_related("user")
            .order_by("user_id")
        )
        seen: set[int] = set()
        residents = {
            r.user_id: r
            for r in Resident.objects.filter(user_id__in=[m.user_id for m in members]).select_related("unit")
        }
        for member in members:
            if member.user_id in seen or not member.user.is_active:
                continue
            seen.add(member.user_id)
            resident = residents.get(member.user_id)
            entries.append(
                RollEntry(
                    election=election,
                    name=resident.name if resident else member.user.name,
                    user=member.user,
                    resident=resident,
                    household_id=resident.household_id if resident else None,
                    unit=resident.unit if resident else election.unit,
                )
            )
        return entries
    adults = _present(
        Resident.objects.filter(unit__path__startswith=election.unit.path, birth_date__lte=_adult_on(day)), day
    ).select_related("unit")
    if election.electorate == ElectorateKind.ADULT_RESIDENTS:
        chosen = list(adults.order_by("unit__path", "household_id", "id"))
    else:
        # One voter per household: the head when adult and present, otherwise the eldest adult member.
        # A resident without a household counts as a household of one.
        by_household: dict[int, Resident] = {}
        singles: list[Resident] = []
        for resident in adults.order_by("birth_date", "id"):
            if resident.household_id is None:
                singles.append(resident)
                continue
            current = by_household.get(resident.household_id)
            if current is None or (resident.relation == "head" and current.relation != "head"):
                by_household[resident.household_id] = resident
        chosen = sorted([*by_household.values(), *singles], key=lambda r: (r.unit.path, r.household_id or 0, r.pk))
    for resident in chosen:
        entries.append(
            RollEntry(
                election=election,
                name=resident.name,
                resident=resident,
                user_id=resident.user_id,
                household_id=resident.household_id,
                unit=resident.unit,
            )
        )
    return entries


@transaction.atomic
def election_open(*, actor: Any, election: Election) -> Election:
    """Freeze the voter roll from the register and open nominations."""
    election = _lock(election)
    transition(election, S.NOMINATING, actor=actor)
    now = timezone.now()
    if election.voting_ends_at <= now:
        raise InvalidInput(fields={"voting_ends_at": _("投票结束时间已过，请先修改投票时间。")})
    entries = _roll_candidates(election)
    if not entries:
        raise InvalidInput(_("按选民范围没有符合条件的选民，不能确定选民名单。"), code="empty_roll")
    for number, entry in enumerate(entries, start=1):
        entry.number = number
    RollEntry.objects.bulk_create(entries, batch_size=1000)
    election.roll_frozen_at = now
    election.voters_count = len(entries)
    election.save()
    _event(election, ElectionEvent.Kind.ROLL_FROZEN, actor, _("选民%(n)s人") % {"n": len(entries)})
    record(actor=actor, action="elections.open", target=election, changes={"voters": len(entries)})
    send(
        recipients=_voter_users(election),
        kind="elections.opened",
        title=gettext_lazy("%(title)s：选民名单已公布，开始提名候选人"),
        params={"title": election.title},
        url=_url(election),
    )
    return election


# --- the roll ------------------------------------------------------------------------------------


def _roll_editable(election: Election) -> None:
    if election.status != S.NOMINATING or timezone.now() >= election.voting_starts_at:
        raise InvalidTransition(_("选民名单只能在提名阶段、投票开始前调整。"), code="roll_locked")


@transaction.atomic
def roll_add(
    *, actor: Any, election: Election, reason: str, resident: Resident | None = None, user: User | None = None
) -> RollEntry:
    """Add a voter the register missed (or put back one removed), with the reason, before voting starts."""
    election = _lock(election)
    access.check(actor, "elections.manage", election)
    _roll_editable(election)
    reason = _reason(reason)
    day = _election_day(election)
    if election.electorate == ElectorateKind.BODY_MEMBERS:
        if user is None:
            raise InvalidInput(fields={"user": _("请选择议事机构成员。")})
        if not BodyMember.objects.current(day).filter(body=election.electorate_body, user=user, votes=True).exists():
            raise InvalidInput(fields={"user": _("此人不是该议事机构有表决权的成员。")})
        resident = Resident.objects.filter(user=user).select_related("unit").first()
        existing = RollEntry.objects.filter(election=election, user=user).select_for_update().first()
    else:
        if resident is None:
            raise InvalidInput(fields={"resident": _("请选择居民。")})
        errors = {}
        if not resident.unit.path.startswith(election.unit.path):
            errors["resident"] = _("该居民不在本选举单位。")
        elif resident.age_on(day) < ADULT_AGE:
            errors["resident"] = _("该居民在选举日未满十八周岁。")
        elif resident.moved_out_on is not None and resident.moved_out_on <= day:
            errors["resident"] = _("该居民已迁出。")
        if errors:
            raise InvalidInput(fields=errors)
        user = resident.user
        existing = RollEntry.objects.filter(election=election, resident=resident).select_for_update().first()
        if election.electorate == ElectorateKind.HOUSEHOLDS and resident.household_id:
            clash = RollEntry.objects.filter(
                election=election, household_id=resident.household_id, status=RollEntry.Status.ACTIVE
            ).exclude(pk=existing.pk if existing else None)
            if clash.exists():
                raise Conflict(_("该户已有一名选民在册（每户一名）。"), code="household_on_roll")
    now = timezone.now()
    if existing is not None:
        if existing.is_active:
            raise Conflict(_("此人已在选民名单上。"), code="already_on_roll")
        existing.status = RollEntry.Status.ACTIVE
        existing.reason = reason
        existing.changed_by = actor
        existing.changed_at = now
        existing.user = existing.user or user
        existing.save()
        entry = existing
    else:
        number = (RollEntry.objects.filter(election=election).aggregate(m=Max("number"))["m"] or 0) + 1
        entry = RollEntry.objects.create(
            election=election,
            number=number,
            name=resident.name if resident else user.name,
            resident=resident,
            user=user,
            household_id=resident.household_id if resident else None,
            unit=resident.unit if resident else election.unit,
            source=RollEntry.Source.ADDED,
            reason=reason,
            changed_by=actor,
            changed_at=now,
        )
    election.voters_count = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).count()
    election.save(update_fields=["voters_count", "updated_at"])
    _event(election, ElectionEvent.Kind.ROLL_ADDED, actor, f"{entry.number} {entry.name}：{reason}")
    record(
        actor=actor,
        action="elections.roll_add",
        target=election,
        changes={"number": entry.number, "name": entry.name, "reason": reason},
    )
    return entry


@transaction.atomic
def roll_remove(*, actor: Any, entry: RollEntry, reason: str) -> RollEntry:
    """Take a voter off the roll with the reason (death, moved away, listed twice) before voting starts."""
    election = _lock(entry.election)
    access.check(actor, "elections.manage", election)
    _roll_editable(election)
    reason = _reason(reason)
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_active:
        raise Conflict(_("此人已不在选民名单上。"), code="not_on_roll")
    entry.status = RollEntry.Status.REMOVED
    entry.reason = reason
    entry.changed_by = actor
    entry.changed_at = timezone.now()
    entry.save()
    # A removed voter can neither stand, nor hold or give a proxy; their signatures no longer count.
    Nomination.objects.filter(
        election=election,
        nominee=entry,
        status__in=[NominationStatus.COLLECTING, NominationStatus.QUALIFIED, NominationStatus.ACCEPTED],
    ).update(status=NominationStatus.REJECTED, reason=_("被提名人已移出选民名单：%(r)s") % {"r": reason})
    ProxyAuthorization.objects.filter(Q(principal=entry) | Q(proxy=entry), revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor, revoke_reason=_("已移出选民名单")
    )
    for nomination in Nomination.objects.filter(
        election=election, status=NominationStatus.QUALIFIED, supports__supporter=entry
    ):
        _requalify(nomination)
    election.voters_count = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).count()
    election.save(update_fields=["voters_count", "updated_at"])
    _event(election, ElectionEvent.Kind.ROLL_REMOVED, actor, f"{entry.number} {entry.name}：{reason}")
    record(
        actor=actor,
        action="elections.roll_remove",
        target=election,
        changes={"number": entry.number, "name": entry.name, "reason": reason},
    )
    return entry


@transaction.atomic
def roll_export_record(*, actor: Any, election: Election) -> None:
    """Record that someone exported the roll (an export is a disclosure, even with masked numbers)."""
    access.check(actor, "elections.roll_export", election)
    record(actor=actor, action="elections.roll_export", target=election)
