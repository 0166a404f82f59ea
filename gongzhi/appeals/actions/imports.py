"""Excel import of hotline batches (validated first, then all rows or none) and export records."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi import access
from gongzhi.appeals.actions.intake import appeal_submit
from gongzhi.appeals.models import MAX_DESCRIPTION, Appeal, Category, Channel, IdempotencyRecord, Kind
from gongzhi.appeals.text import contains_html
from gongzhi.audit.chain import record
from gongzhi.lib.errors import InvalidInput
from gongzhi.lib.excel import MAX_IMPORT_BYTES, read_rows
from gongzhi.lib.validators import mobile_error, normalize_mobile
from gongzhi.units.models import Unit

MAX_ROWS = 5000
# Column name (Chinese, as the hotline exports it) -> field; English names are accepted too.
COLUMNS = {
    "工单号": "external_id",
    "受理时间": "submitted_at",
    "诉求人": "name",
    "联系电话": "mobile",
    "诉求类型": "kind",
    "分类编码": "category",
    "单位代码": "unit_code",
    "地址": "address",
    "诉求内容": "description",
    "同意公开": "public",
}
ALIASES = {value: value for value in COLUMNS.values()}
REQUIRED = ("external_id", "submitted_at", "category", "unit_code", "description")
KIND_NAMES = {str(label): value for value, label in Kind.choices} | {value: value for value in Kind.values}
KIND_NAMES |= {
    "求助": Kind.REQUEST,
    "投诉": Kind.COMPLAINT,
    "建议": Kind.SUGGESTION,
    "咨询": Kind.ENQUIRY,
    "表扬": Kind.PRAISE,
}
YES = {"是", "y", "yes", "true", "1", "公开"}


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    duplicate_of: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[ImportRow]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(row.ok for row in self.rows) and bool(self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok and not row.duplicate_of]


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9))
    else:
        text = str(value or "").strip().replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _idempotency_key(external_id: str) -> str:
    return f"import:{external_id}"[:120]


def import_validate(*, actor: Any, data: bytes) -> ImportReport:
    """Read a hotline workbook and check every row; nothing is written."""
    access.check_any(actor, "appeals.import")
    if len(data) > MAX_IMPORT_BYTES:
        return ImportReport([], [_("文件超过20MB。")])
    try:
        headers, raw_rows = read_rows(data)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return ImportReport([], [_("无法读取该文件，请上传.xlsx格式的Excel文件。")])
    names = [COLUMNS.get(h, ALIASES.get(h.lower(), "")) for h in headers]
    missing = [h for h, name in COLUMNS.items() if name in REQUIRED and name not in names]
    if missing:
        return ImportReport([], [_("缺少必需的列：%(cols)s。") % {"cols": "、".join(missing)}])
    if len(raw_rows) > MAX_ROWS:
        return ImportReport([], [_("一次最多导入%(n)s行。") % {"n": MAX_ROWS}])
    categories = {cat.code: cat for cat in Category.objects.all()}
    unit_codes = {
        str(r[names.index("unit_code")] or "").strip() for r in raw_rows if len(r) > names.index("unit_code")
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
    scope = f"u:{actor.pk}"
    seen: dict[str, int] = {}
    already = dict(
        IdempotencyRecord.objects.filter(scope=scope, key__startswith="import:").values_list("key", "appeal__number")
    )
    now = timezone.now()
    rows = []
    for index, raw in enumerate(raw_rows, start=2):
        values = {name: (raw[i] if i < len(raw) else None) for i, name in enumerate(names) if name}
        row = ImportRow(line=index, values=values)
        for name in REQUIRED:
            if values.get(name) in (None, ""):
                row.errors.append(_("缺少“%(col)s”。") % {"col": next(k for k, v in COLUMNS.items() if v == name)})
        external = str(values.get("external_id") or "").strip()
        if external:
            if external in seen:
                row.errors.append(_("工单号与第%(line)s行重复。") % {"line": seen[external]})
            seen[external] = index
            row.duplicate_of = already.get(_idempotency_key(external), "")
        moment = _moment(values.get("submitted_at"))
        if values.get("submitted_at") not in (None, "") and (moment is None or moment > now):
            row.errors.append(_("受理时间无效或晚于现在。"))
        values["submitted_at"] = moment
        code = str(values.get("category") or "").strip().upper()
        category = categories.get(code)
        if code and (category is None or not category.is_active or not category.is_leaf()):
            row.errors.append(_("分类编码“%(code)s”不存在、已停用或不是小类。") % {"code": code})
        values["category"] = category
        unit = units.get(str(values.get("unit_code") or "").strip())
        if values.get("unit_code") not in (None, ""):
            if unit is None or not unit.is_active:
                row.errors.append(_("单位代码“%(code)s”不存在或已撤销。") % {"code": values.get("unit_code")})
            elif not access.can(actor, "appeals.import", unit):
                row.errors.append(_("单位“%(name)s”不在您的管辖范围内。") % {"name": unit.name})
        values["unit"] = unit
        text = str(values.get("description") or "").strip()
        if len(text) > MAX_DESCRIPTION:
            row.errors.append(_("诉求内容超过%(n)s字。") % {"n": MAX_DESCRIPTION})
        elif contains_html(text):
            row.errors.append(_("诉求内容不能包含HTML标记。"))
        values["description"] = text
        mobile = normalize_mobile(str(values.get("mobile") or ""))
        if mobile and mobile_error(mobile):
            row.errors.append(_("联系电话“%(m)s”不是有效的手机号码。") % {"m": mobile})
        values["mobile"] = mobile
        kind = str(values.get("kind") or "").strip()
        if kind and kind not in KIND_NAMES:
            row.errors.append(_("诉求类型“%(k)s”无效（求助、投诉、建议、咨询、表扬）。") % {"k": kind})
        values["kind"] = KIND_NAMES.get(kind, Kind.REQUEST)
        values["public"] = str(values.get("public") or "").strip().lower() in YES
        values["name"] = str(values.get("name") or "").strip()[:60]
        values["address"] = str(values.get("address") or "").strip()[:200]
        rows.append(row)
    if not rows:
        return ImportReport([], [_("文件中没有数据行。")])
    return ImportReport(rows)


@transaction.atomic
def appeal_import(*, actor: Any, data: bytes) -> list[Appeal]:
    """Import every row of a validated hotline batch in one transaction (rows seen before are skipped)."""
    report = import_validate(actor=actor, data=data)
    if not report.ok:
        problems = report.problems + [f"{row.line}: {'；'.join(row.errors)}" for row in report.rows if row.errors]
        raise InvalidInput(_("导入文件有误，未导入任何数据。"), fields={"file": problems[:50]})
    created = []
    for row in report.new_rows:
        v = row.values
        created.append(
            appeal_submit(
                actor=actor,
                channel=Channel.IMPORT,
                category=v["category"],
                description=v["description"],
                unit=v["unit"],
                kind=v["kind"],
                address=v["address"],
                is_public=v["public"],
                contact={"name": v["name"], "mobile": v["mobile"]},
                idempotency_key=_idempotency_key(str(v["external_id"]).strip()),
                submitted_at=v["submitted_at"],
            )
        )
    record(
        actor=actor,
        action="appeals.import",
        target=None,
        changes={"rows": len(report.rows), "created": len(created), "skipped": len(report.rows) - len(created)},
    )
    return created


@transaction.atomic
def appeal_export_record(*, actor: Any, filters: dict[str, Any]) -> None:
    """Record who exported which list (exports carry personal data, even masked)."""
    access.check_any(actor, "appeals.export")
    record(
        actor=actor, action="appeals.export", changes={"filters": {k: v for k, v in filters.items() if k != "cursor"}}
    )
