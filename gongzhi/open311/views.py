"""Open311 GeoReport v2 endpoints at /open311/v2/ (JSON and XML), over appeals.

Choices where the specification is silent (*ours*, documented in docs/open311.md):
- Every service is ``realtime``: POST returns the service_request_id at once, never a token.
  ``tokens/{token}`` answers for any request id used as a token, so clients that poll tokens work.
- GET requests lists only appeals their reporters allowed to be public, located at community level
  (address is the community or village, no coordinates, no contact). A request sent with an API key
  can be read in full by passing the same api_key.
- A span over 90 days, or a start after the end, is a 400; one date alone anchors a 90-day window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.appeals.models import Appeal, Category, CategoryAttribute
from gongzhi.appeals.workflow import OPEN, Status
from gongzhi.lib.errors import DomainError, NotFound
from gongzhi.open311 import actions, keys, render
from gongzhi.open311.models import ApiKey, Submission

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("xml", "json")
WINDOW = dt.timedelta(days=90)
MAX_REQUESTS = 1000
CLOSED = frozenset(set(Status.values) - set(OPEN))


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *more: str) -> None:
        super().__init__(description)
        self.status = status
        self.descriptions = [description, *more]


def _param(source: Any, name: str) -> str:
    """Return a parameter's value; an empty parameter counts as absent."""
    return (source.get(name) or "").strip()


def jurisdiction() -> str:
    return getattr(settings, "GONGZHI_OPEN311_JURISDICTION", "") or urlparse(settings.GONGZHI_BASE_URL).hostname or ""


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(request.GET, "jurisdiction_id") or _param(request.POST, "jurisdiction_id")
    if given and given != jurisdiction():
        raise Open311Error(404, _("未知的 jurisdiction_id：%(id)s") % {"id": given})


def endpoint(view):
    """Check the format suffix and jurisdiction, and render Open311Error in the requested format."""

    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return render.errors("json", 404, (404, _("格式应为 .json 或 .xml。")))
        try:
            _check_jurisdiction(request)
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return render.errors(fmt, exc.status, *[(exc.status, d) for d in exc.descriptions])
        except NotFound:
            return render.errors(fmt, 404, (404, _("找不到该资源。")))
        except DomainError as exc:
            items = [(400, f"{name}: {' '.join(messages)}") for name, messages in exc.fields.items()]
            return render.errors(fmt, 400, *(items or [(400, str(exc.message))]))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- services ------------------------------------------------------------------------------------


def _services() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True, numchild=0).order_by("code")


def _variable_attributes(category: Category) -> list[CategoryAttribute]:
    return [a for a in category.attributes.all() if a.is_active]


def _service(category: Category, groups: dict[str, str]) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.label(),
        "description": category.description or category.label(),
        "metadata": any(a.is_active for a in category.attributes.all()),
        "type": "realtime",
        "keywords": ",".join(category.keyword_list),
        "group": groups.get(category.path[: -Category.steplen], ""),
    }


@require_GET
@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the endpoint is, which formats, how to get a key."""
    changed = Category.objects.aggregate(last=Max("updated_at"))["last"] or timezone.now()
    base = settings.GONGZHI_BASE_URL + "/open311/v2"
    body = {
        "changeset": render.iso(changed),
        "contact": _("请联系区级管理员（诉求办理平台）。"),
        "key_service": _("API 密钥由区级管理员使用 manage.py open311_key add 颁发。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": render.iso(changed),
                "type": "production" if settings.PRODUCTION else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.render(fmt, "discovery", body)


@require_GET
@endpoint
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """The leaf categories of the appeal taxonomy, each a service."""
    categories = list(_services().prefetch_related("attributes"))
    parent_paths = {c.path[: -Category.steplen] for c in categories}
    groups = {c.path: c.label() for c in Category.objects.filter(path__in=parent_paths)}
    return render.render(fmt, "services", [_service(c, groups) for c in categories])


@require_GET
@endpoint
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    """The attributes (extra fields) of one service."""
    category = _services().filter(code=service_code).first()
    if category is None:
        raise Open311Error(404, _("未知的 service_code：%(code)s") % {"code": service_code})
    attributes = []
    for attribute in _variable_attributes(category):
        item: dict[str, Any] = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description or None,
            "order": attribute.order,
            "description": attribute.description,
        }
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            item["values"] = [{"key": str(v.get("key", "")), "name": str(v.get("name", ""))} for v in attribute.values]
        attributes.append(item)
    return render.render(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


# --- requests ------------------------------------------------------------------------------------


def _request_key(request: HttpRequest, *, required: bool) -> ApiKey | None:
    secret = _param(request.POST, "api_key") or _param(request.GET, "api_key")
    if not secret:
        if required:
            raise Open311Error(403, _("缺少 api_key。"))
        return None
    key = keys.api_key_check(secret)
    if key is None:
        raise Open311Error(403, _("api_key 无效或已撤销。"))
    return key


def _attributes(post: Any) -> dict[str, Any]:
    """Collect attribute[CODE] and repeated attribute[CODE][] parameters."""
    values: dict[str, Any] = {}
    for name in post:
        if not name.startswith("attribute[") or "]" not in name:
            continue
        code = name[len("attribute[") : name.index("]")]
        if name.endswith("[]"):
            items = [v for v in post.getlist(name) if v.strip()]
            if items:
                values[code] = items
        else:
            value = post.get(name, "").strip()
            if value:
                values[code] = value
    return values


def _public_location(appeal: Appeal) -> str:
    from gongzhi.appeals.queries import public_unit_name

    return public_unit_name(appeal)


def _status_notes(appeal: Appeal, labels: dict[str, str] | None = None) -> str | None:
    if appeal.status == Status.REJECTED:
        return appeal.rejection_reason or None
    if appeal.status not in OPEN:
        return appeal.result or None
    if labels is None:
        return str(Status(appeal.status).label)
    if appeal.status not in labels:
        labels[appeal.status] = str(Status(appeal.status).label)
    return labels[appeal.status]


def _request_item(
    appeal: Appeal, *, full: bool, language: str | None = None, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    closed = appeal.status in CLOSED
    submission = getattr(appeal, "open311", None) if full else None
    updated = (appeal.closed_at or appeal.resolved_at or appeal.updated_at) if closed else appeal.updated_at
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(appeal, labels),
        "service_name": appeal.category.label(language),
        "service_code": appeal.category.code,
        "description": appeal.description,
        "agency_responsible": appeal.department.name if appeal.department_id else None,
        "service_notice": None,
        "requested_datetime": appeal.submitted_at,
        "updated_datetime": updated,
        "expected_datetime": appeal.resolution_due,
        "address": (appeal.address or _public_location(appeal)) if full else _public_location(appeal),
        "address_id": None,
        "zipcode": None,
        "lat": float(appeal.latitude) if full and appeal.latitude is not None else None,
        "long": float(appeal.longitude) if full and appeal.longitude is not None else None,
        "media_url": (submission.media_url or None) if submission is not None else None,
    }


def _readable(key: ApiKey | None) -> QuerySet[Appeal]:
    """Public appeals, plus those the caller's key submitted (read in full)."""
    base = Appeal.objects.select_related("category", "department", "unit").exclude(status=Status.MERGED)
    public = base.filter(is_public=True).exclude(status=Status.REJECTED)
    if key is None:
        return public
    return public | base.filter(open311__api_key=key)


def _items(appeals: list[Any], key: ApiKey | None) -> list[dict[str, Any]]:
    from gongzhi.appeals.queries import remember_public_places

    remember_public_places(appeals)  # one query for the page, not one per request
    language = translation.get_language() or settings.LANGUAGE_CODE  # looked up once, not per request item
    labels: dict[str, str] = {}
    items = []
    for appeal in appeals:
        full = key is not None and getattr(getattr(appeal, "open311", None), "api_key_id", None) == key.pk
        items.append(_request_item(appeal, full=full, language=language, labels=labels))
    return items


def _parse_datetime(value: str, name: str) -> dt.datetime:
    text = value.strip().replace(" ", "T")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(
            400, _("%(name)s 应为 ISO 8601 时间，例如 2026-01-01T00:00:00+08:00。") % {"name": name}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# What a request item shows (up to 1,000 a page, read as plain rows: model instances would cost more
# than the query itself).
ROW_FIELDS = (
    "pk", "number", "status", "rejection_reason", "result", "description", "address", "latitude", "longitude",
    "submitted_at", "updated_at", "closed_at", "resolved_at", "resolution_due", "category_id", "department_id",
    "department__name", "unit__name", "unit__kind", "unit__path",
)  # fmt: skip


class _Row:
    """One appeal of a page, with just what a request item shows (duck-typed like an Appeal for _request_item)."""

    __slots__ = (
        *(f.replace("__", "_") for f in ROW_FIELDS),
        *("category", "department", "unit", "open311", "_public_place"),
    )

    def __init__(self, values: tuple, categories: dict[int, Category]) -> None:
        for name, value in zip(ROW_FIELDS, values, strict=True):
            setattr(self, name.replace("__", "_"), value)
        self.category = categories[self.category_id]
        self.department = _Named(self.department_name) if self.department_id else None
        self.unit = _Unit(self.unit_name, self.unit_kind, self.unit_path)
        self.open311 = None


class _Named:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Unit:
    __slots__ = ("kind", "name", "path")

    def __init__(self, name: str, kind: str, path: str) -> None:
        self.name, self.kind, self.path = name, kind, path


def _rows(qs: QuerySet[Appeal], key: ApiKey | None) -> list[_Row]:
    """Read a page of appeals as rows: one query for the appeals, one for their categories, and one for the
    key's own submissions among them (shown in full, with their media URL)."""
    values = list(qs.values_list(*ROW_FIELDS))
    categories = Category.objects.in_bulk({v[ROW_FIELDS.index("category_id")] for v in values})
    rows = [_Row(v, categories) for v in values]
    if key is not None and rows:
        submissions = Submission.objects.filter(api_key=key, appeal_id__in=[r.pk for r in rows])
        mine = dict(submissions.values_list("appeal_id", "media_url"))
        for row in rows:
            if row.pk in mine:
                row.open311 = _Submission(key.pk, mine[row.pk])
    return rows


class _Submission:
    __slots__ = ("api_key_id", "media_url")

    def __init__(self, api_key_id: int, media_url: str) -> None:
        self.api_key_id, self.media_url = api_key_id, media_url


def _filter_requests(request: HttpRequest, key: ApiKey | None) -> list[_Row]:
    params = request.GET
    qs = _readable(key)
    ids = _param(params, "service_request_id")
    if ids:
        # A list of ids overrides every other filter.
        wanted = [i.strip() for i in ids.split(",") if i.strip()][:MAX_REQUESTS]
        return _rows(qs.filter(number__in=wanted).order_by("-submitted_at", "-id"), key)
    codes = _param(params, "service_code")
    if codes:
        qs = qs.filter(category__code__in=[c.strip() for c in codes.split(",") if c.strip()])
    statuses = _param(params, "status")
    if statuses:
        wanted_status = {s.strip().lower() for s in statuses.split(",") if s.strip()}
        unknown = wanted_status - {"open", "closed"}
        if unknown:
            raise Open311Error(400, _("status 只能是 open 或 closed：%(s)s") % {"s": ",".join(sorted(unknown))})
        if wanted_status == {"open"}:
            qs = qs.filter(status__in=sorted(OPEN))
        elif wanted_status == {"closed"}:
            qs = qs.filter(status__in=sorted(CLOSED))
    start_raw, end_raw = _param(params, "start_date"), _param(params, "end_date")
    start = _parse_datetime(start_raw, "start_date") if start_raw else None
    end = _parse_datetime(end_raw, "end_date") if end_raw else None
    if start and end:
        if start > end:
            raise Open311Error(400, _("start_date 不能晚于 end_date。"))
        if end - start > WINDOW:
            raise Open311Error(400, _("start_date 与 end_date 相隔不能超过90天。"))
    elif start:
        end = start + WINDOW
    elif end:
        start = end - WINDOW
    else:
        end = timezone.now()
        start = end - WINDOW
    qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
    return _rows(qs.order_by("-submitted_at", "-id")[:MAX_REQUESTS], key)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: query requests. POST: create a service request (form-encoded, api_key required)."""
    if request.method == "GET":
        key = _request_key(request, required=False)
        return render.render(fmt, "service_requests", _items(_filter_requests(request, key), key))
    key = _request_key(request, required=True)
    post = request.POST
    service_code = _param(post, "service_code")
    if not service_code:
        raise Open311Error(400, _("缺少 service_code。"))
    if not _services().filter(code=service_code).exists():
        raise Open311Error(404, _("未知的 service_code：%(code)s") % {"code": service_code})
    lat, lng = _param(post, "lat"), _param(post, "long")
    address_string, address_id = _param(post, "address_string"), _param(post, "address_id")
    if (lat and not lng) or (lng and not lat):
        raise Open311Error(400, _("lat 和 long 需同时提供。"))
    if not (lat or address_string or address_id):
        raise Open311Error(400, _("需要提供位置：lat 和 long，或 address_string，或 address_id。"))
    description = post.get("description", "").strip()
    if not description:
        description = _services().get(code=service_code).label()
    appeal = actions.service_request_submit(
        api_key=key,
        service_code=service_code,
        description=description,
        attributes=_attributes(post),
        latitude=lat or None,
        longitude=lng or None,
        address_string=address_string,
        address_id=address_id,
        first_name=_param(post, "first_name"),
        last_name=_param(post, "last_name"),
        email=_param(post, "email"),
        phone=_param(post, "phone"),
        device_id=_param(post, "device_id"),
        account_id=_param(post, "account_id"),
        media_url=_param(post, "media_url"),
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    item: dict[str, Any] = {"service_request_id": appeal.number, "service_notice": None}
    if _param(post, "account_id"):
        item["account_id"] = _param(post, "account_id")
    return render.render(fmt, "service_requests", [item])


@require_GET
@endpoint
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    key = _request_key(request, required=False)
    appeal = _readable(key).prefetch_related("open311").filter(number=request_id).first()
    if appeal is None:
        raise Open311Error(404, _("未知的 service_request_id：%(id)s") % {"id": request_id})
    return render.render(fmt, "service_requests", _items([appeal], key))


@require_GET
@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Every request is created at once, so a token is the request id itself."""
    key = _request_key(request, required=False)
    appeal = _readable(key).filter(number=token).first()
    if appeal is None:
        raise Open311Error(404, _("未知的 token：%(t)s") % {"t": token})
    return render.render(fmt, "service_requests", [{"service_request_id": appeal.number, "token": token}])
