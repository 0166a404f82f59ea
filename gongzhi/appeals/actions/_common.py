"""Helpers shared by the appeal actions: locking, versioned saves, timeline events, recipients, files."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.appeals.models import (
    DEADLINE_DEFAULTS,
    Appeal,
    AppealAttachment,
    AppealEvent,
    Assignment,
    Category,
    DeadlineClass,
)
from gongzhi.appeals.workflow import ASSIGNMENT_ACTIVE, AssignmentStatus
from gongzhi.lib import workdays
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from gongzhi.people.models import RoleGrant, User
from gongzhi.people.roles import Role
from gongzhi.units.models import Department, Unit

SYSTEM_LABEL = gettext_lazy("系统")
MAX_ATTACHMENTS = 9
# Accepted uploads, recognised by their first bytes (the name and the browser's type are not trusted).
FILE_TYPES: list[tuple[bytes, int, str, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"\xff\xfb", 0, "audio/mpeg", "mp3"),
]
WEBP = (b"RIFF", b"WEBP")
FTYP = b"ftyp"  # MP4 / M4A / MOV / HEIC containers


def now() -> dt.datetime:
    return timezone.now()


def lock(appeal: Appeal | int) -> Appeal:
    """Return the appeal row locked for this transaction (PostgreSQL: the second writer waits)."""
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    return Appeal.objects.select_for_update(of=("self",)).select_related("category", "unit", "department").get(pk=pk)


def check_version(appeal: Appeal, expected: int | None) -> None:
    """Refuse to act on a page that was loaded before someone else changed the appeal."""
    if expected is not None and expected != appeal.version:
        raise Conflict(_("该诉求已被他人处理，请刷新后再试。"), code="stale")


def save(appeal: Appeal, fields: Iterable[str]) -> None:
    """Write the given fields if nobody changed the appeal since it was read; bump its version."""
    names = set(fields) | {"status"}
    values = {name: getattr(appeal, name) for name in names}
    stamp = now()
    rows = Appeal.objects.filter(pk=appeal.pk, version=appeal.version).update(
        version=F("version") + 1, updated_at=stamp, **values
    )
    if rows != 1:
        raise Conflict(_("该诉求已被他人处理，请刷新后再试。"), code="stale")
    appeal.version += 1
    appeal.updated_at = stamp


def is_signed_in(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def office_of(actor: Any, appeal: Appeal) -> str:
    """Return the office a staff member acts for on this appeal (shown on the timeline, not their name)."""
    if not is_signed_in(actor):
        return str(SYSTEM_LABEL)
    if appeal.reporter_id and actor.pk == appeal.reporter_id:
        return _("诉求人")
    best: tuple[int, int | None, int | None] | None = None
    for grant in access.grants(actor):
        if grant.is_global:
            continue
        if grant.department_id is not None:
            candidate = (1000, None, grant.department_id)
        elif grant.unit_path and appeal.unit_path.startswith(grant.unit_path):
            candidate = (len(grant.unit_path), grant.unit_id, None)
        else:
            continue
        if best is None or candidate[0] > best[0]:
            best = candidate
    if best is None:
        return _("工作人员")
    if best[2] is not None:
        return Department.objects.filter(pk=best[2]).values_list("name", flat=True).first() or _("工作人员")
    return Unit.objects.filter(pk=best[1]).values_list("name", flat=True).first() or _("工作人员")


def event(appeal: Appeal, kind: str, *, actor: Any, **fields: Any) -> AppealEvent:
    """Append one line to the appeal's timeline (fields as for event_row)."""
    row = event_row(appeal, kind, actor=actor, **fields)
    row.save(force_insert=True)
    return row


def event_row(
    appeal: Appeal,
    kind: str,
    *,
    actor: Any,
    comment: str = "",
    is_public: bool = True,
    department: Department | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    label: str | None = None,
    at: dt.datetime | None = None,
) -> AppealEvent:
    """Return one timeline line, not yet saved (several are written with one bulk insert)."""
    if label is None:
        label = department.name if department is not None else office_of(actor, appeal)
    return AppealEvent(
        appeal=appeal,
        kind=kind,
        at=at or now(),
        actor=actor if is_signed_in(actor) else None,
        actor_label=label[:120],
        department=department,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        is_public=is_public,
        data=data or {},
    )


def clean_text(value: str | None, *, field: str, required: bool = False, limit: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(fields={field: _("此项必填。")})
    if len(text) > limit:
        raise InvalidInput(fields={field: _("内容过长（最多%(n)s字）。") % {"n": limit}})
    return text


def deadlines_for(category: Category, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Return (response due, resolution due) for a category from a start moment."""
    defaults = DEADLINE_DEFAULTS.get(category.deadline_class or DeadlineClass.GENERAL)
    (r_amount, r_unit), (s_amount, s_unit) = defaults or DEADLINE_DEFAULTS[DeadlineClass.GENERAL]
    response = workdays.deadline(
        start, amount=category.response_amount or r_amount, unit=category.response_unit or r_unit
    )
    resolution = workdays.deadline(
        start, amount=category.resolution_amount or s_amount, unit=category.resolution_unit or s_unit
    )
    return response, max(response, resolution)


def live_assignments(appeal: Appeal) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(appeal=appeal, status__in=ASSIGNMENT_ACTIVE)
        .select_related("department")
        .order_by("-role", "id")
    )


def lead_assignment(appeal: Appeal) -> Assignment | None:
    for assignment in live_assignments(appeal):
        if assignment.role == Assignment.Role.LEAD:
            return assignment
    return None


def my_assignment(actor: Any, appeal: Appeal, assignment_id: int | None, *, statuses: Iterable[str]) -> Assignment:
    """Return the assignment the actor works on: the one named, or their only one in the given states."""
    access.check_any(actor, "appeals.handle")
    ours = [a for a in live_assignments(appeal) if access.can(actor, "appeals.handle", a)]
    if not ours:
        raise Forbidden(_("您的部门没有该诉求的工单。"))
    if assignment_id is not None:
        ours = [a for a in ours if a.pk == assignment_id]
        if not ours:
            raise InvalidInput(fields={"assignment_id": _("找不到您可办理的该工单。")})
    wanted = set(statuses)
    candidates = [a for a in ours if a.status in wanted]
    if not candidates:
        raise InvalidTransition(
            _("您部门的工单当前为“%(status)s”，不能执行此操作。") % {"status": AssignmentStatus(ours[0].status).label}
        )
    if len(candidates) > 1:
        raise InvalidInput(fields={"assignment_id": _("您在多个部门有该诉求的工单，请指明是哪一个。")})
    return candidates[0]


# --- recipients ----------------------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    step = Unit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def staff_over(unit_path: str, roles: Iterable[str], *, nearest_only: bool = False) -> list[User]:
    """Return active users holding one of the roles on the unit or any unit above it."""
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=list(roles), unit__isnull=False, anchor_path__in=_ancestor_paths(unit_path))
        .select_related("user")
    )
    rows = list(grants)
    if nearest_only and rows:
        deepest = max(len(g.anchor_path) for g in rows)
        rows = [g for g in rows if len(g.anchor_path) == deepest]
    return [g.user for g in rows if g.user.is_active]


def department_staff(department_ids: Iterable[int]) -> list[User]:
    """Return the active handlers of the departments (the routing snapshot keeps them for a few seconds)."""
    from gongzhi.appeals import routing

    ids = list(department_ids)
    if not ids:
        return []
    found = routing.snapshot().handlers
    missing = [pk for pk in ids if pk not in found]
    if missing:
        grants = RoleGrant.objects.active().filter(role=Role.DEPARTMENT_HANDLER, department_id__in=missing)
        loaded: dict[int, list[User]] = {pk: [] for pk in missing}
        for grant in grants.select_related("user"):
            if grant.user.is_active:
                loaded[grant.department_id].append(grant.user)
        found.update(loaded)
    return [user for pk in ids for user in found.get(pk, [])]


def reporter_of(appeal: Appeal) -> list[User]:
    return [appeal.reporter] if appeal.reporter_id and appeal.reporter else []


def appeal_url(appeal: Appeal) -> str:
    return f"/appeals/{appeal.number}/"


# --- attachments ---------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file as received (from a form or the API), before it is checked."""

    name: str
    content: bytes

    @classmethod
    def from_django(cls, uploaded: Any) -> Upload:
        limit = settings.GONGZHI_MAX_UPLOAD_BYTES
        if getattr(uploaded, "size", 0) > limit:
            # Do not read a huge file into memory; report its size.
            return cls(name=str(uploaded.name), content=b"\0" * (limit + 1))
        return cls(name=str(uploaded.name), content=uploaded.read())


def sniff(content: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) from the file's first bytes, or None for anything not accepted."""
    for magic, offset, mime, ext in FILE_TYPES:
        if content[offset : offset + len(magic)] == magic:
            return mime, ext
    if content[:4] == WEBP[0] and content[8:12] == WEBP[1]:
        return "image/webp", "webp"
    if content[4:8] == FTYP:
        brand = content[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic", "heic"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4", "m4a"
        return "video/mp4", "mp4"
    return None


def check_uploads(files: list[Upload] | None, *, existing: int = 0, field: str = "attachments") -> list[tuple]:
    """Validate uploads (count, size, type) before anything is written; return checked tuples."""
    files = files or []
    if existing + len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(fields={field: _("附件最多%(n)s个。") % {"n": MAX_ATTACHMENTS}})
    limit = settings.GONGZHI_MAX_UPLOAD_BYTES
    checked = []
    for upload in files:
        if len(upload.content) == 0:
            raise InvalidInput(fields={field: _("文件“%(name)s”是空的。") % {"name": upload.name}})
        if len(upload.content) > limit:
            raise InvalidInput(
                fields={field: _("文件“%(name)s”超过%(mb)sMB。") % {"name": upload.name, "mb": limit // (1024 * 1024)}}
            )
        kind = sniff(upload.content)
        if kind is None:
            raise InvalidInput(
                fields={
                    field: _("文件“%(name)s”的类型不允许，只接受图片（JPG/PNG/GIF/WEBP/HEIC）、PDF和音视频。")
                    % {"name": upload.name}
                }
            )
        checked.append((upload, kind[0], kind[1]))
    return checked


def store_uploads(
    appeal: Appeal, checked: list[tuple], *, actor: Any, evidence: bool = False, stored: list[str] | None = None
) -> list[AppealAttachment]:
    """Write checked uploads under MEDIA_ROOT and record them (names are random; originals kept as data)."""
    rows = []
    for upload, mime, ext in checked:
        name = f"{uuid.uuid4().hex}.{ext}"
        attachment = AppealAttachment(
            appeal=appeal,
            stored_name=name,
            original_name=upload.name[-200:] or name,
            content_type=mime,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            uploaded_by=actor if is_signed_in(actor) else None,
            is_evidence=evidence,
        )
        attachment.file.save(name, ContentFile(upload.content), save=False)
        if stored is not None:
            stored.append(attachment.file.name)
        attachment.save()
        rows.append(attachment)
    return rows


def remove_files(names: list[str]) -> None:
    """Delete files written by a transaction that then failed (the database rolled back, the disk did not)."""
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def unit_filter(unit: Unit) -> Q:
    return Q(unit_path__startswith=unit.path)
