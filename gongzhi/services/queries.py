"""Every read of services goes through access.scope / access.get_or_404 (public catalogue reads excepted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.lib.errors import InvalidInput, NotFound
from gongzhi.lib.pagination import Page, keyset_page
from gongzhi.services.models import (
    Application,
    Appointment,
    Bundle,
    BundleTemplate,
    Certificate,
    CertificateRequest,
    CertificateType,
    Duty,
    EnforcementCase,
    FinanceLog,
    ListingStatus,
    ParcelDirection,
    ParcelLog,
    ProduceListing,
    Rating,
    RedirectGuide,
    RequestOutcome,
    Satisfaction,
    ServiceItem,
    ServicePoint,
)
from gongzhi.services.workflow import ApplicationStatus
from gongzhi.units.models import Department, Unit

# --- duties register: the query other apps use --------------------------------------------------


@dataclass(frozen=True)
class DutyHolder:
    """The answer to "does this unit hold this duty, and if not, who does?"."""

    holds: bool
    duty: Duty | None  # the unit's own entry when it holds the duty
    holder: Duty | None  # the entry of the unit (or department) that holds it, when one is registered

    @property
    def holder_name(self) -> str:
        return self.holder.holder_name if self.holder else ""

    @property
    def holder_unit(self) -> Unit | None:
        return self.holder.unit if self.holder else None

    @property
    def holder_department(self) -> Any:
        return self.holder.department if self.holder else None


def active_duties(on: dt.date | None = None) -> QuerySet[Duty]:
    """Return the duties in force on a day (effective_from <= day < effective_to; retired ones drop out)."""
    day = on or timezone.localdate()
    return Duty.objects.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))


def duty_holder(unit: Unit, code: str, *, on: dt.date | None = None) -> DutyHolder:
    """Return whether `unit` holds the duty with this matter or category code, and who holds it if not.

    The nearest holder up the tree wins (a street's duty before the district's); failing that, any
    registered holder (a department elsewhere in the district).
    """
    code = (code or "").strip()
    if not code:
        return DutyHolder(False, None, None)
    rows = active_duties(on).filter(Q(code=code) | Q(category_code=code)).select_related("unit", "department")
    own = [d for d in rows if d.unit_id == unit.pk]
    if own:
        return DutyHolder(True, own[0], own[0])
    ancestors = {unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)}
    above = sorted((d for d in rows if d.unit.path in ancestors), key=lambda d: -len(d.unit.path))
    if above:
        return DutyHolder(False, None, above[0])
    anywhere = sorted(rows, key=lambda d: (len(d.unit.path), d.unit.path))
    return DutyHolder(False, None, anywhere[0] if anywhere else None)


def duties_visible(actor: Any) -> QuerySet[Duty]:
    return access.scope(actor, "services.duties_view", Duty.objects.select_related("unit", "department"))


DUTY_STATES = ("current", "retired", "all")


def duty_list(
    actor: Any,
    *,
    unit: Unit | None = None,
    kind: str = "",
    source: str = "",
    text: str = "",
    state: str = "current",
) -> QuerySet:
    """Return the register rows the actor may see: current (in force or not yet), retired, or all."""
    qs = duties_visible(actor)
    today = timezone.localdate()
    if state == "current":
        qs = qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=today))
    elif state == "retired":
        qs = qs.filter(effective_to__lte=today)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if source:
        qs = qs.filter(source=source)
    if text.strip():
        qs = qs.filter(Q(name__icontains=text.strip()) | Q(code__startswith=text.strip()))
    return qs.order_by("unit__path", "code")


def access_duty(actor: Any, pk: Any) -> Duty:
    qs = Duty.objects.select_related("unit", "department", "delegated_from")
    return access.get_or_404(actor, "services.duties_view", qs, pk=pk)


# --- catalogue and points (public information) --------------------------------------------------


def catalogue_for(unit: Unit) -> QuerySet[ServiceItem]:
    """Return the active items whose catalogue covers the unit (its own and its ancestors')."""
    paths = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return (
        ServiceItem.objects.filter(is_active=True, owner_unit__path__in=paths)
        .select_related("owner_unit", "finish_department")
        .order_by("category", "code")
    )


def item_public(pk: Any) -> ServiceItem:
    item = (
        ServiceItem.objects.filter(pk=pk, is_active=True)
        .select_related("owner_unit", "finish_department")
        .prefetch_related("materials")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def points_near(unit: Unit) -> QuerySet[ServicePoint]:
    """Return active points at the unit, above it (street/township centre) and below it."""
    paths = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return (
        ServicePoint.objects.filter(is_active=True)
        .filter(Q(unit__path__in=paths) | Q(unit__path__startswith=unit.path))
        .select_related("unit")
        .order_by("-unit__depth", "name")
    )


def point_public(pk: Any) -> ServicePoint:
    point = ServicePoint.objects.filter(pk=pk, is_active=True).select_related("unit").first()
    if point is None:
        raise NotFound()
    return point


def points_visible(actor: Any, perm: str = "services.intake") -> QuerySet[ServicePoint]:
    return access.scope(actor, perm, ServicePoint.objects.select_related("unit")).filter(is_active=True)


def access_point(actor: Any, pk: Any, perm: str = "services.stats") -> ServicePoint:
    return access.get_or_404(actor, perm, ServicePoint.objects.select_related("unit"), pk=pk)


def bundle_templates_for(unit: Unit) -> QuerySet[BundleTemplate]:
    paths = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return BundleTemplate.objects.filter(is_active=True, owner_unit__path__in=paths).prefetch_related("items")


# --- applications -------------------------------------------------------------------------------

_APP_RELATED = ("item", "point", "unit", "handling_unit", "handling_department", "taken_by", "bundle")


def applications_visible(actor: Any) -> QuerySet[Application]:
    return access.scope(actor, "services.view", Application.objects.select_related(*_APP_RELATED))


def _visible_or_taken(actor: Any, qs: QuerySet, pk: Any, *, taker: str) -> Any:
    """Return the row in the actor's reach, or the one they took at a point they still serve, or raise NotFound.

    Any point takes any application (全岗通) and routes it to where it is finished, which may lie outside the
    taker's own reach (a resident of another street at this desk): the taker still follows what they took.
    """
    try:
        return access.get_or_404(actor, "services.view", qs, pk=pk)
    except NotFound:
        taken = qs.filter(pk=pk, **{taker: actor}, point__in=points_visible(actor).values("pk")).first()
        if taken is None:
            raise
        return taken


def access_application(actor: Any, pk: Any) -> Application:
    """Return an application the actor may see: in their reach, or one they took at a point they still serve."""
    return _visible_or_taken(actor, Application.objects.select_related(*_APP_RELATED), pk, taker="taken_by")


def access_appointment(actor: Any, pk: Any) -> Appointment:
    """Return a 陪办 appointment of an application the actor may see, or raise NotFound."""
    return access.get_or_404(actor, "services.view", Appointment.objects.select_related("application", "staff"), pk=pk)


@dataclass
class ApplicationFilters:
    point: int | None = None
    status: str = ""
    mode: str = ""
    item: int | None = None
    unit: Unit | None = None
    overdue: bool = False
    text: str = ""
    mine: bool = False


def application_list(actor: Any, filters: ApplicationFilters) -> QuerySet[Application]:
    qs = applications_visible(actor)
    if filters.mine:
        qs = qs.filter(applicant=actor)
    if filters.point:
        qs = qs.filter(point_id=filters.point)
    if filters.status == "open":
        qs = qs.filter(status__in=ApplicationStatus.open_values())
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.mode:
        qs = qs.filter(mode=filters.mode)
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.unit is not None:
        qs = qs.filter(Q(unit__path__startswith=filters.unit.path) | Q(handling_unit=filters.unit))
    if filters.overdue:
        qs = qs.filter(status__in=ApplicationStatus.open_values(), deadline__lt=timezone.now())
    if filters.text.strip():
        text = filters.text.strip()
        qs = qs.filter(Q(number__startswith=text.upper()) | Q(applicant_name__startswith=text))
    return qs


def application_page(actor: Any, filters: ApplicationFilters, *, after: str | None, limit: int | None) -> Page:
    return keyset_page(application_list(actor, filters), order=("-submitted_at", "-id"), after=after, limit=limit)


def custody_holdings(application: Application) -> dict[str, dict[str, int]]:
    """Return, per document, how many copies each party holds (the resident starts with them all)."""
    from gongzhi.services.models import RESIDENT_PARTY

    holdings: dict[str, dict[str, int]] = {}
    for entry in application.custody.all():
        doc = holdings.setdefault(entry.document, {})
        doc[entry.from_party] = doc.get(entry.from_party, 0) - entry.quantity
        doc[entry.to_party] = doc.get(entry.to_party, 0) + entry.quantity
    for doc in holdings.values():
        doc.pop(RESIDENT_PARTY, None)
    return holdings


def custody_outstanding(application: Application) -> list[tuple[str, str, int]]:
    """Return (document, party, copies) still held by someone other than the resident."""
    out: list[tuple[str, str, int]] = []
    for document, parties in custody_holdings(application).items():
        for party, count in parties.items():
            if count > 0:
                out.append((document, party, count))
    return out


def missing_materials(application: Application) -> tuple[list[str], list[str]]:
    """Return (missing required, missing deferrable) material names (bundle materials count for all items)."""
    supplied = set(application.supplied_materials or [])
    if application.bundle_id:
        supplied |= set(application.bundle.supplied_materials or [])
    required, deferrable = [], []
    for material in application.item.materials.all():
        if material.name not in supplied:
            (deferrable if material.deferrable else required).append(material.name)
    return required, deferrable


# --- bundles -----------------------------------------------------------------------------------


def bundles_visible(actor: Any) -> QuerySet[Bundle]:
    return access.scope(actor, "services.view", Bundle.objects.select_related("template", "unit", "point"))


def access_bundle(actor: Any, pk: Any) -> Bundle:
    """Return a bundle the actor may see, or one they took at a point they still serve (see access_application)."""
    return _visible_or_taken(
        actor, Bundle.objects.select_related("template", "unit", "point"), pk, taker="submitted_by"
    )


# --- statistics --------------------------------------------------------------------------------


@dataclass
class ServiceFigures:
    total: int
    finished: int
    refused: int
    open: int
    overdue: int
    one_trip: int
    one_trip_rate: Decimal | None
    by_mode: dict[str, int]
    ratings: dict[str, int]
    satisfaction_rate: Decimal | None


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def figures(qs: QuerySet[Application]) -> ServiceFigures:
    """Usage figures over a set of applications: 最多跑一次 share among finished ones, satisfaction."""
    now = timezone.now()
    agg = qs.aggregate(
        total=Count("id"),
        finished=Count("id", filter=Q(status__in=ApplicationStatus.finished_values())),
        refused=Count("id", filter=Q(status=ApplicationStatus.REFUSED)),
        open=Count("id", filter=Q(status__in=ApplicationStatus.open_values())),
        overdue=Count("id", filter=Q(status__in=ApplicationStatus.open_values(), deadline__lt=now)),
        one_trip=Count("id", filter=Q(status__in=ApplicationStatus.finished_values(), visits__lte=1)),
    )
    by_mode = dict(qs.order_by().values_list("mode").annotate(n=Count("id")))
    ratings = dict(
        Rating.objects.filter(application__in=qs.values("pk"))
        .order_by()
        .values_list("satisfaction")
        .annotate(n=Count("id"))
    )
    rated = sum(ratings.values())
    good = ratings.get(Satisfaction.SATISFIED, 0) + ratings.get(Satisfaction.BASIC, 0)
    return ServiceFigures(
        total=agg["total"],
        finished=agg["finished"],
        refused=agg["refused"],
        open=agg["open"],
        overdue=agg["overdue"],
        one_trip=agg["one_trip"],
        one_trip_rate=_rate(agg["one_trip"], agg["finished"]),
        by_mode=by_mode,
        ratings=ratings,
        satisfaction_rate=_rate(good, rated),
    )


def point_figures(actor: Any, point: ServicePoint) -> ServiceFigures:
    access.check(actor, "services.stats", point)
    return figures(Application.objects.filter(point=point))


def item_figures(actor: Any, item: ServiceItem, *, unit: Unit | None = None) -> ServiceFigures:
    qs = access.scope(actor, "services.stats", Application.objects.filter(item=item))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return figures(qs)


def item_table(actor: Any, point: ServicePoint | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Per-item counts (total, finished, one-trip, satisfied) in the actor's reach, most used first."""
    qs = access.scope(actor, "services.stats", Application.objects.all())
    if point is not None:
        qs = qs.filter(point=point)
    finished = Q(status__in=ApplicationStatus.finished_values())
    rows = (
        qs.order_by()
        .values("item_id", "item__name", "item__code")
        .annotate(
            total=Count("id"),
            finished=Count("id", filter=finished),
            one_trip=Count("id", filter=finished & Q(visits__lte=1)),
            rated=Count("rating"),
            satisfied=Count("rating", filter=Q(rating__satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        )
        .order_by("-total")[:limit]
    )
    out = []
    for row in rows:
        row["one_trip_rate"] = _rate(row["one_trip"], row["finished"])
        row["satisfaction_rate"] = _rate(row["satisfied"], row["rated"])
        out.append(row)
    return out


def monthly_applications(actor: Any, point: ServicePoint, months: int = 12) -> list[dict[str, Any]]:
    access.check(actor, "services.stats", point)
    since = timezone.now() - dt.timedelta(days=31 * months)
    finished = Q(status__in=ApplicationStatus.finished_values())
    rows = (
        Application.objects.filter(point=point, submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .order_by()
        .values("month")
        .annotate(
            total=Count("id"),
            finished=Count("id", filter=finished),
            one_trip=Count("id", filter=finished & Q(visits__lte=1)),
        )
        .order_by("month")
    )
    return [{**r, "month": r["month"].strftime("%Y-%m")} for r in rows]


# --- enforcement -------------------------------------------------------------------------------


def cases_visible(actor: Any) -> QuerySet[EnforcementCase]:
    return access.scope(
        actor, "services.enforcement_view", EnforcementCase.objects.select_related("unit", "team", "duty")
    )


def access_case(actor: Any, pk: Any) -> EnforcementCase:
    return access.get_or_404(
        actor,
        "services.enforcement_view",
        EnforcementCase.objects.select_related("unit", "team", "duty", "appeal"),
        pk=pk,
    )


def case_list(actor: Any, *, status: str = "", source: str = "", law_area: str = "", text: str = "") -> QuerySet:
    qs = cases_visible(actor)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if law_area:
        qs = qs.filter(law_area=law_area)
    if text.strip():
        qs = qs.filter(Q(number__startswith=text.strip().upper()) | Q(party_name__icontains=text.strip()))
    return qs


def penalty_powers(case: EnforcementCase) -> QuerySet[Duty]:
    """Return the powers a case may rest on: penalties and coercion in the register of its unit or its team's unit."""
    return (
        active_duties()
        .filter(unit_id__in=[case.unit_id, case.team.unit_id], kind__in=["penalty", "coercion"])
        .order_by("code")
    )


# --- certificates ------------------------------------------------------------------------------


def certificate_catalogue(unit: Unit) -> QuerySet[CertificateType]:
    """Return the certificate types the unit may issue (its own catalogue and those above it)."""
    paths = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return CertificateType.objects.filter(is_active=True, owner_unit__path__in=paths).order_by("code")


def redirect_guides(unit: Unit) -> QuerySet[RedirectGuide]:
    paths = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return RedirectGuide.objects.filter(owner_unit__path__in=paths).order_by("name")


def certificates_visible(actor: Any) -> QuerySet[Certificate]:
    return access.scope(actor, "services.certificates_view", Certificate.objects.select_related("type", "unit"))


def access_certificate(actor: Any, pk: Any) -> Certificate:
    return access.get_or_404(
        actor, "services.certificates_view", Certificate.objects.select_related("type", "unit", "issued_by"), pk=pk
    )


def normalize_code(raw: str) -> str:
    """Return a verification code as stored: upper case, separators dropped, look-alike letters mapped."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"}))[:40]


@dataclass(frozen=True)
class Verification:
    valid: bool
    found: bool
    revoked: bool
    expired: bool
    certificate: Certificate | None


def verify_certificate(raw_code: str) -> Verification:
    """Return what a public verifier may know about a code; unknown and malformed codes are simply invalid."""
    code = normalize_code(raw_code)
    cert = None
    if len(code) >= 16:
        cert = Certificate.objects.filter(code=code).select_related("type", "unit").first()
    if cert is None:
        return Verification(False, False, False, False, None)
    revoked = cert.revoked_at is not None
    expired = cert.valid_until < timezone.localdate()
    return Verification(not revoked and not expired, True, revoked, expired, cert)


def certificate_figures(actor: Any, unit: Unit) -> list[dict[str, Any]]:
    """Per type: issued, refused, redirected (plus non-catalogue requests grouped by what was asked)."""
    issued = dict(
        certificates_visible(actor)
        .filter(unit__path__startswith=unit.path)
        .order_by()
        .values_list("type_id")
        .annotate(n=Count("id"))
    )
    requests = access.scope(actor, "services.certificates_view", CertificateRequest.objects.all()).filter(
        unit__path__startswith=unit.path
    )
    refused = dict(
        requests.filter(outcome=RequestOutcome.REFUSED, type__isnull=False)
        .order_by()
        .values_list("type_id")
        .annotate(n=Count("id"))
    )
    redirected_typed = dict(
        requests.filter(outcome=RequestOutcome.REDIRECTED, type__isnull=False)
        .order_by()
        .values_list("type_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for ctype in certificate_catalogue(unit):
        rows.append(
            {
                "type_id": ctype.pk,
                "name": ctype.name,
                "in_catalogue": True,
                "issued": issued.get(ctype.pk, 0),
                "refused": refused.get(ctype.pk, 0),
                "redirected": redirected_typed.get(ctype.pk, 0),
            }
        )
    others = (
        requests.filter(type__isnull=True)
        .order_by()
        .values("requested")
        .annotate(
            refused=Count("id", filter=Q(outcome=RequestOutcome.REFUSED)),
            redirected=Count("id", filter=Q(outcome=RequestOutcome.REDIRECTED)),
        )
        .order_by("-redirected", "requested")
    )
    for row in others:
        rows.append(
            {
                "type_id": None,
                "name": row["requested"],
                "in_catalogue": False,
                "issued": 0,
                "refused": row["refused"],
                "redirected": row["redirected"],
            }
        )
    return rows


def certificate_requests(actor: Any) -> QuerySet[CertificateRequest]:
    return access.scope(actor, "services.certificates_view", CertificateRequest.objects.select_related("unit", "type"))


# --- village logs ------------------------------------------------------------------------------


def village_points(actor: Any) -> QuerySet[ServicePoint]:
    return access.scope(actor, "services.village_view", ServicePoint.objects.select_related("unit")).filter(
        is_active=True
    )


def village_logs(actor: Any, point: ServicePoint, limit: int = 50) -> dict[str, Any]:
    access.check(actor, "services.village_view", point)
    return {
        "parcels": list(point.parcels.select_related("recorded_by")[:limit]),
        "finance": list(point.finance_logs.select_related("recorded_by")[:limit]),
        "listings": list(point.listings.select_related("recorded_by")[:limit]),
    }


def village_monthly(actor: Any, point: ServicePoint, months: int = 12) -> list[dict[str, Any]]:
    """Per month: parcels in/out/picked up, finance services and recorded amounts, produce listed/sold."""
    access.check(actor, "services.village_view", point)
    since = timezone.now() - dt.timedelta(days=31 * months)
    table: dict[str, dict[str, Any]] = {}

    def row(month: dt.datetime) -> dict[str, Any]:
        key = timezone.localtime(month).strftime("%Y-%m") if timezone.is_aware(month) else month.strftime("%Y-%m")
        return table.setdefault(
            key,
            {
                "month": key,
                "parcels_in": 0,
                "parcels_out": 0,
                "finance_count": 0,
                "finance_amount": Decimal("0.00"),
                "listed": 0,
                "sold": 0,
                "sold_value": Decimal("0.00"),
            },
        )

    for r in (
        ParcelLog.objects.filter(point=point, at__gte=since)
        .annotate(m=TruncMonth("at"))
        .order_by()
        .values("m")
        .annotate(
            i=Count("id", filter=Q(direction=ParcelDirection.IN)),
            o=Count("id", filter=Q(direction=ParcelDirection.OUT)),
        )
    ):
        target = row(r["m"])
        target["parcels_in"] += r["i"]
        target["parcels_out"] += r["o"]
    for r in (
        FinanceLog.objects.filter(point=point, at__gte=since)
        .annotate(m=TruncMonth("at"))
        .order_by()
        .values("m")
        .annotate(n=Count("id"), s=Sum("amount"))
    ):
        target = row(r["m"])
        target["finance_count"] += r["n"]
        target["finance_amount"] += r["s"] or Decimal("0.00")
    for listing in ProduceListing.objects.filter(point=point, listed_at__gte=since):
        row(listing.listed_at)["listed"] += 1
        if listing.status == ListingStatus.SOLD and listing.sold_at:
            target = row(listing.sold_at)
            target["sold"] += 1
            target["sold_value"] += listing.sold_value
    return [table[k] for k in sorted(table)]


# --- links with appeals ------------------------------------------------------------------------


def appeal_in_reach(actor: Any, number: str) -> Any:
    """The appeal with this number if the actor may see it (None otherwise: unknown and out of reach alike)."""
    from gongzhi.appeals.models import Appeal

    number = (number or "").strip()
    if not number or len(number) > 40:
        return None
    return access.scope(actor, "appeals.view", Appeal.objects.filter(number=number)).first()


def cases_of_appeal(actor: Any, appeal: Any) -> list[EnforcementCase]:
    """Enforcement cases registered from an appeal that the actor may see (one query)."""
    if not access.has_any(actor, "services.enforcement_view"):
        return []
    qs = EnforcementCase.objects.filter(appeal=appeal).select_related("team").order_by("-registered_at", "-id")
    return list(access.scope(actor, "services.enforcement_view", qs))


# --- the duties register's references (API and pages) ----------------------------------------------


def duty_department(pk: Any, *, field: str = "department_id") -> Department | None:
    """The department a duty names (None when none is given); an unknown id is an error on that field."""
    if not pk:
        return None
    department = Department.objects.filter(pk=pk, is_active=True).select_related("jurisdiction").first()
    if department is None:
        raise InvalidInput(fields={field: _("找不到该部门。")})
    return department


def delegating_unit(pk: Any, *, field: str = "delegated_from_id") -> Unit | None:
    """The unit a delegated power came from (None when none is given); an unknown id is an error on that field."""
    if not pk:
        return None
    unit = Unit.objects.active().filter(pk=pk).first()
    if unit is None:
        raise InvalidInput(fields={field: _("找不到该单位。")})
    return unit
