"""Intake: taking an appeal from any channel (web, phone, walk-in, grid patrol, API, Open311, import)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals import routing
from gongzhi.appeals.actions import _common as c
from gongzhi.appeals.models import (
    MAX_DESCRIPTION,
    STAFF_CHANNELS,
    Appeal,
    AppealCounter,
    Assignment,
    AttributeType,
    Category,
    Channel,
    EventKind,
    IdempotencyRecord,
    Kind,
)
from gongzhi.appeals.text import contains_html, similarity
from gongzhi.appeals.workflow import SYSTEM, Status, transition
from gongzhi.audit.chain import record
from gongzhi.lib import crypto, inserts
from gongzhi.lib.errors import Conflict, InvalidInput, NotAuthenticated
from gongzhi.lib.validators import mobile_error, normalize_mobile
from gongzhi.notify.service import send, send_to_address
from gongzhi.people.actions import mobile_lookup
from gongzhi.units.models import Unit

DUPLICATE_WINDOW = dt.timedelta(days=7)
DUPLICATE_THRESHOLD = 0.5
EMAIL_PURPOSE = "appeal-email"


@dataclass
class Contact:
    """How to reach someone who is not signed in (or a caller a staff member takes down)."""

    name: str = ""
    mobile: str = ""
    email: str = ""

    @classmethod
    def of(cls, value: Contact | dict[str, Any] | None) -> Contact | None:
        if value is None or isinstance(value, Contact):
            return value
        unknown = set(value) - {"name", "mobile", "email"}
        if unknown:
            raise InvalidInput(fields={f"contact.{k}": _("未知字段。") for k in unknown})
        return cls(**{k: str(v or "") for k, v in value.items()})

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.mobile.strip() or self.email.strip())


def email_lookup(value: str) -> str:
    return crypto.blind_index(value.strip().lower(), purpose=EMAIL_PURPOSE)


def _clean_contact(contact: Contact | None, errors: dict[str, str]) -> tuple[str, str, str]:
    if contact is None:
        return "", "", ""
    name = " ".join(contact.name.split())
    if len(name) > 60:
        errors["contact.name"] = _("姓名不能超过60个字。")
    mobile = normalize_mobile(contact.mobile or "")
    if mobile:
        problem = mobile_error(mobile)
        if problem:
            errors["contact.mobile"] = problem
    email = (contact.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact.email"] = _("电子邮件地址格式不正确。")
    return name, mobile, email


def _coordinate(value: Any, field: str, low: int, high: int, errors: dict[str, str]) -> decimal.Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        errors[field] = _("坐标应为数字。")
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[field] = _("坐标超出范围（%(low)s至%(high)s）。") % {"low": low, "high": high}
        return None
    return number.quantize(decimal.Decimal("0.000001"))


def clean_attributes(category: Category, raw: dict[str, Any] | None) -> dict[str, Any]:
    """Check extra fields against the category's attribute definitions; return normalized values."""
    raw = dict(raw or {})
    definitions = {a.code: a for a in routing.attributes_of(category.pk)}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for code in raw:
        if code not in definitions or not definitions[code].variable:
            errors[f"attributes.{code}"] = _("该分类没有此附加字段。")
    for code, definition in definitions.items():
        if not definition.variable:
            continue
        value = raw.get(code)
        empty = value is None or value == "" or value == []
        if empty:
            if definition.required:
                errors[f"attributes.{code}"] = _("此项必填：%(q)s") % {"q": definition.description}
            continue
        keys = {str(v.get("key")) for v in definition.values}
        if definition.datatype == AttributeType.NUMBER:
            try:
                number = decimal.Decimal(str(value))
                if not number.is_finite():
                    raise decimal.InvalidOperation
                cleaned[code] = str(number)
            except (decimal.InvalidOperation, ValueError):
                errors[f"attributes.{code}"] = _("应为数字。")
        elif definition.datatype == AttributeType.DATETIME:
            try:
                moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                if timezone.is_naive(moment):
                    moment = timezone.make_aware(moment)
                cleaned[code] = moment.isoformat()
            except ValueError:
                errors[f"attributes.{code}"] = _("应为日期时间（ISO 8601）。")
        elif definition.datatype == AttributeType.SINGLE:
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else value
            if not isinstance(value, str | int) or str(value) not in keys:
                errors[f"attributes.{code}"] = _("请从给定选项中选择。")
            else:
                cleaned[code] = str(value)
        elif definition.datatype == AttributeType.MULTI:
            values = value if isinstance(value, list) else [value]
            if not all(str(v) in keys for v in values):
                errors[f"attributes.{code}"] = _("请从给定选项中选择。")
            else:
                cleaned[code] = sorted({str(v) for v in values})
        else:
            text = str(value).strip()
            limit = 300 if definition.datatype == AttributeType.STRING else 2000
            if len(text) > limit or contains_html(text):
                errors[f"attributes.{code}"] = _("内容过长或包含HTML。")
            else:
                cleaned[code] = text
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def resolve_category(category: Category | str | None) -> Category:
    """Return an active leaf category (by object or code), or raise naming the `category` field."""
    if isinstance(category, str):
        found = routing.category_by_code(category.strip().upper())
        if found is None:
            raise InvalidInput(fields={"category": _("未知的诉求分类“%(code)s”。") % {"code": category}})
        category = found
    if category is None:
        raise InvalidInput(fields={"category": _("请选择诉求分类。")})
    if not category.is_active:
        raise InvalidInput(fields={"category": _("该分类已停用，请选择其他分类。")})
    if not category.is_leaf():
        raise InvalidInput(fields={"category": _("请选择具体的小类。")})
    return category


def _unit_for(actor: Any, unit: Unit | None) -> Unit:
    if unit is None and c.is_signed_in(actor):
        resident = getattr(actor, "resident", None) if hasattr(actor, "resident") else None
        if resident is not None:
            unit = resident.household.unit if resident.household_id else resident.unit
    if unit is None:
        raise InvalidInput(fields={"unit": _("请选择诉求所在的社区或村。")})
    if not unit.is_active:
        raise InvalidInput(fields={"unit": _("该单位已撤销。")})
    return unit


def allocate_number(year: int) -> tuple[int, str]:
    """Return the next (sequence, number) of the year, e.g. (123, "2026-000123").

    On PostgreSQL a sequence per year hands out numbers without holding a lock until commit, so many
    submissions run side by side (a submission that fails afterwards leaves a gap, as sequences do).
    Elsewhere (SQLite, which serializes writers anyway) a counter row per year is incremented.
    """
    if connection.vendor == "postgresql":
        seq = _next_from_sequence(year)
    else:
        if not AppealCounter.objects.filter(year=year).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    AppealCounter.objects.create(year=year, last=1)
            except IntegrityError:
                AppealCounter.objects.filter(year=year).update(last=F("last") + 1)
        seq = AppealCounter.objects.filter(year=year).values_list("last", flat=True).get()
    return seq, f"{year}-{seq:06d}"


def _next_from_sequence(year: int) -> int:
    name = f"appeals_number_{int(year)}"
    with connection.cursor() as cursor:
        # The text cast defers the name lookup to run time, so a missing sequence gives NULL, not an error.
        cursor.execute(
            "SELECT CASE WHEN to_regclass(%s) IS NOT NULL THEN nextval(%s::text::regclass) END", [name, name]
        )
        value = cursor.fetchone()[0]
        if value is not None:
            return int(value)
        # First appeal of the year on this database: start after any number already given (imports, counters).
        last = max(
            Appeal.objects.filter(year=year).aggregate(m=Max("seq"))["m"] or 0,
            AppealCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0,
        )
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {last + 1}')
        except (IntegrityError, ProgrammingError):
            pass  # created at the same moment by another submission
        cursor.execute("SELECT nextval(%s)", [name])
        return int(cursor.fetchone()[0])


def _fingerprint(**fields: Any) -> str:
    raw = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(scope: str, key: str, fingerprint: str) -> Appeal | None:
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).select_related("appeal").first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise InvalidInput(
            _("该幂等键已用于另一条不同的诉求。"),
            code="idempotency_key_reused",
            fields={"idempotency_key": _("请为新的诉求使用新的幂等键。")},
        )
    appeal = existing.appeal
    appeal.replayed = True  # type: ignore[attr-defined]
    return appeal


_DUPLICATE_SQL = (
    f"SELECT id, number, description FROM {Appeal._meta.db_table} "  # noqa: S608 - the model's own table
    "WHERE reporter_key = %s AND category_id = %s AND submitted_at >= %s AND status NOT IN (%s, %s) AND id <> %s "
    "ORDER BY submitted_at DESC LIMIT 20"
)


def find_duplicate(appeal: Appeal) -> Appeal | None:
    """Return the most similar appeal by the same reporter in the same category within 7 days."""
    return _likely_duplicate(appeal)


def _likely_duplicate(appeal: Appeal) -> Appeal | None:
    """One indexed query (reporter key, submission time): the reporter's recent appeals in the category."""
    if not appeal.reporter_key:
        return None
    params = [
        appeal.reporter_key,
        appeal.category_id,
        connection.ops.adapt_datetimefield_value(appeal.submitted_at - DUPLICATE_WINDOW),
        Status.MERGED.value,
        Status.REJECTED.value,
        appeal.pk or 0,
    ]
    with connection.cursor() as cursor:
        # Every intake asks this: a fixed statement, not a queryset compiled each time.
        cursor.execute(_DUPLICATE_SQL, params)
        rows = cursor.fetchall()
    best: tuple[float, Appeal] | None = None
    for row in rows:
        candidate = Appeal.from_db(connection.alias, ["id", "number", "description"], row)
        score = similarity(appeal.description, candidate.description)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, candidate)
    if best is None:
        return None
    appeal._duplicate_score = best[0]  # type: ignore[attr-defined]
    return best[1]


def appeal_submit(
    *,
    actor: Any,
    channel: str,
    category: Category | str | None,
    description: str,
    unit: Unit | None = None,
    kind: str = Kind.REQUEST,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    is_public: bool = False,
    attributes: dict[str, Any] | None = None,
    contact: Contact | dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    attachments: list[c.Upload] | None = None,
    submitted_at: dt.datetime | None = None,
    auto_dispatch: bool = True,
) -> Appeal:
    """Take an appeal from any channel, give it a number, flag a likely duplicate and route it.

    Channels: residents submit on the web (signed in, or with a contact mobile), integrations through
    the API, Open311 clients with ``channel="open311"`` (actor may be None: the Open311 app has checked
    its API key), staff take appeals down by phone, walk-in, grid patrol or import for a unit in their
    reach. A retry with the same ``idempotency_key`` returns the appeal made the first time (marked
    ``appeal.replayed``); the same key with different content is refused.
    """
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        raise InvalidInput(fields={"channel": _("未知的渠道。")})
    if kind not in Kind.values:
        errors["kind"] = _("未知的诉求类型。")
    signed_in = c.is_signed_in(actor)
    if channel in STAFF_CHANNELS or channel == Channel.API:
        if not signed_in:
            raise NotAuthenticated()
    elif channel == Channel.WEB and not signed_in and (contact is None or Contact.of(contact).empty):
        errors["contact.mobile"] = _("未登录提交时，请留下手机号码以便联系和查询。")
    category = resolve_category(category)
    unit = _unit_for(actor, unit)
    staff_entry = channel in STAFF_CHANNELS
    contact = Contact.of(contact)
    if signed_in and not staff_entry and contact is not None and not contact.empty:
        # An integration or a staff member passing someone else's contact acts on their behalf.
        staff_entry = access.can(actor, "appeals.create", unit)
    if channel in STAFF_CHANNELS:
        access.check(actor, "appeals.create", unit)

    text = (description or "").strip()
    if not text:
        errors["description"] = _("请描述您的诉求。")
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = _("诉求内容不能超过%(n)s字（现为%(len)s字）。") % {
            "n": MAX_DESCRIPTION,
            "len": len(text),
        }
    elif contains_html(text):
        errors["description"] = _("诉求内容不能包含HTML标记。")
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = _("地址不能超过200字。")
    elif contains_html(address):
        errors["address"] = _("地址不能包含HTML标记。")
    lat = _coordinate(latitude, "latitude", -90, 90, errors)
    lng = _coordinate(longitude, "longitude", -180, 180, errors)
    if (lat is None) != (lng is None) and "latitude" not in errors and "longitude" not in errors:
        errors["longitude" if lat is not None else "latitude"] = _("经纬度需同时提供。")
    name, mobile, email = _clean_contact(contact, errors)
    if staff_entry and not (mobile or email) and channel in (Channel.PHONE, Channel.WALK_IN):
        errors["contact.mobile"] = _("请记录诉求人的联系电话。")
    key = (idempotency_key or "").strip()
    if len(key) > 120:
        errors["idempotency_key"] = _("幂等键不能超过120个字符。")
    if errors:
        raise InvalidInput(fields=errors)
    cleaned_attributes = clean_attributes(category, attributes)
    checked = c.check_uploads(attachments)

    reporter = actor if signed_in and not staff_entry else None
    resident = getattr(reporter, "resident", None) if reporter is not None and hasattr(reporter, "resident") else None
    if reporter is not None:
        # Keep how to reach the reporter with the appeal (the handler calls back; tracking uses the mobile).
        name = name or (resident.name if resident is not None else reporter.name)
        if not mobile:
            mobile = reporter.mobile or (resident.mobile if resident is not None else "")
        email = email or reporter.email
    mobile_index = mobile_lookup(mobile) if mobile else ""
    email_index = email_lookup(email) if email else ""
    if reporter is not None:
        reporter_key = f"u:{reporter.pk}"
    elif mobile_index:
        reporter_key = f"m:{mobile_index}"
    elif email_index:
        reporter_key = f"e:{email_index}"
    else:
        reporter_key = ""

    scope = f"u:{actor.pk}" if signed_in else f"anon:{channel}"
    fingerprint = _fingerprint(
        channel=channel,
        category=category.code,
        description=text,
        unit=unit.pk,
        kind=kind,
        address=address,
        lat=lat,
        lng=lng,
        attributes=cleaned_attributes,
        mobile=mobile_index,
        email=email_index,
        public=bool(is_public),
    )
    appeal = Appeal(
        channel=channel,
        kind=kind,
        category=category,
        description=text,
        attributes=cleaned_attributes,
        address=address,
        latitude=lat,
        longitude=lng,
        unit=unit,
        unit_path=unit.path,
        reporter=reporter,
        reporter_resident=resident,
        reporter_key=reporter_key,
        contact_name=name,
        contact_mobile_encrypted=crypto.encrypt(mobile) if mobile else "",
        contact_mobile_index=mobile_index,
        contact_email_encrypted=crypto.encrypt(email) if email else "",
        contact_email_index=email_index,
        entered_by=actor if signed_in and staff_entry else None,
        is_public=bool(is_public),
        status=Status.SUBMITTED,
        submitted_at=submitted_at or timezone.now(),
    )
    # The plain contact is known here: the response shows it masked without decrypting it again.
    appeal._contact_plain = (mobile, email)  # type: ignore[attr-defined]
    try:
        return _write_submission(
            appeal,
            actor=actor,
            checked=checked,
            mobile=mobile,
            auto_dispatch=auto_dispatch,
            idempotency=(scope, key, fingerprint) if key else None,
        )
    except _KeyTaken:
        # The Idempotency-Key was used before (a retry, or a concurrent request that committed first):
        # this attempt rolled back; answer with the first appeal, or refuse a different one.
        replay = _replay(scope, key, fingerprint)
        if replay is None:  # the other request rolled back after all: nothing holds the key now
            raise Conflict(_("该幂等键正被另一请求使用，请稍后重试。"), code="idempotency_key_busy") from None
        return replay


class _KeyTaken(Exception):
    """The submission's Idempotency-Key is already recorded: roll the attempt back and replay."""


@transaction.atomic
def _write_submission(
    appeal: Appeal,
    *,
    actor: Any,
    checked: list[tuple],
    mobile: str,
    auto_dispatch: bool,
    idempotency: tuple[str, str, str] | None,
) -> Appeal:
    """Write a checked submission: the appeal already in its routed state, then its child rows in bulk.

    Everything intake decides (the number, a likely duplicate, the routing rule and the deadlines) is
    decided before the appeal row is written, so the row is inserted once and never re-read or updated.
    """
    signed_in = c.is_signed_in(actor)
    channel = appeal.channel
    moment = appeal.submitted_at
    year = timezone.localtime(moment).year
    appeal.seq, appeal.number = allocate_number(year)
    appeal.year = year
    duplicate = _likely_duplicate(appeal)
    if duplicate is not None:
        appeal.likely_duplicate_of = duplicate
    rule, refused = _route(appeal) if auto_dispatch and duplicate is None else (None, {})
    dispatched_at = None
    if rule is not None:
        department = routing.rule_department(rule.department_id)
        transition(appeal, Status.DISPATCHED, actor=None, party=SYSTEM)
        dispatched_at = c.now()
        appeal.department = department
        appeal.dispatched_at = appeal.first_dispatched_at = dispatched_at
        appeal.response_due, appeal.resolution_due = c.deadlines_for(appeal.category, dispatched_at)
        appeal.is_overdue = False
    inserts.insert([appeal])
    if idempotency is not None and not _claim_key(appeal, *idempotency):
        raise _KeyTaken

    stored: list[str] = []
    try:
        files = c.store_uploads(appeal, checked, actor=actor, stored=stored)
        events = [
            c.event_row(
                appeal,
                EventKind.SUBMITTED,
                actor=actor,
                to_status=Status.SUBMITTED,
                label=str(Channel(channel).label),
                data={"channel": channel},
                at=moment,
            )
        ]
        if duplicate is not None:
            events.append(
                c.event_row(
                    appeal,
                    EventKind.DUPLICATE_FLAGGED,
                    actor=None,
                    is_public=False,
                    comment=_("与 %(number)s 相似，可合并办理。") % {"number": duplicate.number},
                    data={"duplicate_of": duplicate.number, "score": round(appeal._duplicate_score, 2)},  # type: ignore[attr-defined]
                )
            )
        if rule is not None:
            events.append(
                c.event_row(
                    appeal,
                    EventKind.AUTO_DISPATCHED,
                    actor=None,
                    from_status=Status.SUBMITTED,
                    to_status=Status.DISPATCHED,
                    label=str(_("系统自动派单")),
                    data={
                        "department": appeal.department_id,
                        "department_name": appeal.department.name,
                        "rule": rule.id,
                        "response_due": appeal.response_due.isoformat(),
                        "resolution_due": appeal.resolution_due.isoformat(),
                    },
                    at=dispatched_at,
                )
            )
        if refused:
            # Rule dispatch was refused by a dispatch check (the duties register): it waits with the reasons.
            reasons = "；".join(f"{name}：{reason}" for name, reason in refused.items())
            events.append(
                c.event_row(
                    appeal,
                    EventKind.DISPATCH_REFUSED,
                    actor=None,
                    is_public=False,
                    label=str(_("系统自动派单")),
                    comment=_("派单规则指定的部门不能承办，留待人工派单。%(reasons)s") % {"reasons": reasons},
                    data={"refused": refused},
                )
            )
        inserts.insert(events)
        for attachment in files:
            attachment.event = events[0]
            attachment.save(update_fields=["event"])
        if rule is not None:
            inserts.insert(
                [
                    Assignment(
                        appeal=appeal,
                        department=appeal.department,
                        role=Assignment.Role.LEAD,
                        dispatched_at=dispatched_at,
                        via_rule_id=rule.id,
                    )
                ]
            )
            send(
                recipients=c.department_staff([appeal.department_id]),
                kind="appeals.dispatched",
                title=_("新工单：诉求 %(number)s（%(category)s）"),
                params={"number": appeal.number, "category": appeal.category.name},
                url=c.appeal_url(appeal),
            )
        _notify_submitted(appeal, mobile=mobile)
        # The audit event is the last write: it holds the chain's head lock only until commit.
        record(
            actor=actor if signed_in else f"{channel}",
            action="appeals.submit",
            target=appeal,
            unit=appeal.unit,
            changes={
                "number": appeal.number,
                "channel": channel,
                "category": appeal.category.code,
                "unit": appeal.unit_id,
                "contact_mobile": crypto.mask_mobile(mobile) if mobile else "",
                "auto_dispatched": rule is not None,
            },
        )
    except BaseException:
        c.remove_files(stored)
        raise
    appeal.replayed = False  # type: ignore[attr-defined]
    return appeal


def _claim_key(appeal: Appeal, scope: str, key: str, fingerprint: str) -> bool:
    """Record the Idempotency-Key for this appeal; return False when it is already recorded (one statement)."""
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, key, fingerprint, appeal_id, created_at) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608 - the model's own table name
            "ON CONFLICT (scope, key) DO NOTHING RETURNING id",
            [scope, key, fingerprint, appeal.pk, timezone.now()],
        )
        return cursor.fetchone() is not None


def _route(appeal: Appeal) -> tuple[routing.RuleView | None, dict[str, str]]:
    """Return the one best routing rule whose department every dispatch check allows (or None), and, when
    there is none, why the departments of the rules that matched were refused (department name → reason)."""

    refused: dict[str, str] = {}

    def allowed(department_id: int) -> bool:
        department = routing.rule_department(department_id)
        reason = routing.refusal(appeal, department) if department is not None else None
        if reason:
            refused[department.name] = reason
        return department is not None and reason is None

    rule = routing.best_rule(category_path=appeal.category.path, unit_path=appeal.unit_path, allowed=allowed)
    return rule, ({} if rule is not None else refused)


def _notify_submitted(appeal: Appeal, *, mobile: str) -> None:
    title = _("您的诉求已受理，编号 %(number)s")
    send(
        recipients=c.reporter_of(appeal),
        kind="appeals.submitted",
        title=title,
        params={"number": appeal.number},
        url=c.appeal_url(appeal),
    )
    if appeal.reporter_id is None and mobile and appeal.channel == Channel.WEB:
        send_to_address(
            channel="sms",
            address=mobile,
            subject=(_("您的诉求已受理，编号 %(number)s") % {"number": appeal.number})[:200],
            body=_("您的诉求已受理，编号 %(number)s。可凭编号和手机号查询办理进度。") % {"number": appeal.number},
        )
    if appeal.category.is_emergency and appeal.status == Status.SUBMITTED:
        from gongzhi.people.roles import Role

        send(
            recipients=c.staff_over(appeal.unit_path, [Role.DISPATCHER], nearest_only=True),
            kind="appeals.emergency",
            title=_("紧急诉求 %(number)s 待派单"),
            params={"number": appeal.number},
            url=c.appeal_url(appeal),
        )
