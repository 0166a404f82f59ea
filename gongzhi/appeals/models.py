"""Appeals (诉求): categories, routing rules, appeals, assignments, timelines, ratings, whistles, rollups."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node

from gongzhi.appeals.workflow import (
    HANDLING,
    OPEN,
    QUEUED,
    AssignmentStatus,
    ExtensionStatus,
    Status,
    SummonsStatus,
)
from gongzhi.lib import crypto

MAX_DESCRIPTION = 4000


class DeadlineClass(models.TextChoices):
    EMERGENCY = "emergency", _("紧急类（2小时）")
    UTILITIES = "utilities", _("水电气热类（24小时）")
    GENERAL = "general", _("一般类（7个工作日）")
    COMPLEX = "complex", _("复杂类（15个工作日）")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKDAYS = "workdays", _("工作日")


# Default (response, resolution) deadlines of each class as (amount, unit).
DEADLINE_DEFAULTS: dict[str, tuple[tuple[int, str], tuple[int, str]]] = {
    DeadlineClass.EMERGENCY: ((1, DeadlineUnit.HOURS), (2, DeadlineUnit.HOURS)),
    DeadlineClass.UTILITIES: ((2, DeadlineUnit.HOURS), (24, DeadlineUnit.HOURS)),
    DeadlineClass.GENERAL: ((24, DeadlineUnit.HOURS), (7, DeadlineUnit.WORKDAYS)),
    DeadlineClass.COMPLEX: ((1, DeadlineUnit.WORKDAYS), (15, DeadlineUnit.WORKDAYS)),
}


class AttributeType(models.TextChoices):
    """The Open311 attribute datatypes."""

    STRING = "string", _("单行文字")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    TEXT = "text", _("多行文字")
    SINGLE = "singlevaluelist", _("单选")
    MULTI = "multivaluelist", _("多选")


LIST_TYPES = frozenset({AttributeType.SINGLE, AttributeType.MULTI})


class Category(MP_Node):
    """A node of the appeal taxonomy (诉求分类). Codes never change meaning; leaves carry deadlines."""

    # Categories are shared by every unit (a national taxonomy); reading them needs no unit.
    node_order_by = ["code"]

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    description = models.TextField(_("说明"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("用逗号分隔。"))
    deadline_class = models.CharField(_("时限类别"), max_length=20, choices=DeadlineClass.choices, blank=True)
    response_amount = models.PositiveIntegerField(_("响应时限"), null=True, blank=True)
    response_unit = models.CharField(_("响应时限单位"), max_length=10, choices=DeadlineUnit.choices, blank=True)
    resolution_amount = models.PositiveIntegerField(_("办结时限"), null=True, blank=True)
    resolution_unit = models.CharField(_("办结时限单位"), max_length=10, choices=DeadlineUnit.choices, blank=True)
    is_emergency = models.BooleanField(_("紧急事项"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline_class="") | models.Q(deadline_class__in=DeadlineClass.values),
                name="category_deadline_class_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(response_unit="") | models.Q(response_unit__in=DeadlineUnit.values),
                name="category_response_unit_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_unit="") | models.Q(resolution_unit__in=DeadlineUnit.values),
                name="category_resolution_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def label(self, language: str | None = None) -> str:
        """Return the name in the active language (English when set and English is active)."""
        from django.utils import translation

        lang = language or translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]


class CategoryAttribute(models.Model):
    """An extra field asked for a category (an Open311 service definition attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(_("编码"), max_length=40)
    datatype = models.CharField(_("类型"), max_length=20, choices=AttributeType.choices)
    required = models.BooleanField(_("必填"), default=False)
    variable = models.BooleanField(_("需要填写"), default=True, help_text=_("不勾选表示仅为说明文字。"))
    description = models.CharField(_("提问"), max_length=300)
    datatype_description = models.CharField(_("填写说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"))
    # [{"key": "...", "name": "..."}] for list types.
    values = models.JSONField(_("选项"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["category", "order"]
        verbose_name = _("分类附加字段")
        verbose_name_plural = _("分类附加字段")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_code_unique"),
            models.UniqueConstraint(fields=["category", "order"], name="category_attribute_order_unique"),
            models.CheckConstraint(condition=models.Q(datatype__in=AttributeType.values), name="attribute_type_valid"),
            models.CheckConstraint(condition=models.Q(order__gte=1), name="attribute_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code}"


class RoutingRule(models.Model):
    """Category subtree × unit subtree → department. The one best matching rule dispatches automatically."""

    ACCESS_UNIT_PATH = "unit__path"

    category = models.ForeignKey(Category, verbose_name=_("诉求分类"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("适用单位"), on_delete=models.PROTECT, related_name="+", help_text=_("含下级。")
    )
    department = models.ForeignKey(
        "units.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    priority = models.SmallIntegerField(_("优先级"), default=0, help_text=_("数字越大越优先。"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")

    def __str__(self) -> str:
        return f"{self.category.code} @ {self.unit.name} → {self.department.name}"


class AppealCounter(models.Model):
    """The last number given out in a year (numbers are 2026-000123, gapless, one lock per year)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    GRID_PATROL = "grid_patrol", _("网格巡查")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("批量导入")
    DELIBERATION = "deliberation", _("议事转办")


# Channels where a staff member takes the appeal down for someone else.
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN, Channel.GRID_PATROL, Channel.IMPORT, Channel.DELIBERATION})


class Kind(models.TextChoices):
    REQUEST = "request", _("求助")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    ENQUIRY = "enquiry", _("咨询")
    PRAISE = "praise", _("表扬")


class CloseReason(models.TextChoices):
    RATED = "rated", _("已评价")
    NOT_RATED = "not_rated", _("逾期未评价")
    REVIEWED = "reviewed", _("督办复核结案")


class Appeal(models.Model):
    """A resident's appeal (诉求; an Open311 service request)."""

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_DEPARTMENT = "assignments__department"
    ACCESS_OWNER = "reporter"

    number = models.CharField(_("编号"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.REQUEST)
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="appeals")
    description = models.TextField(_("诉求内容"))
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    # A copy of unit.path, so "this unit and everything under it" is one indexed prefix filter.
    unit_path = models.CharField(max_length=255, db_index=True)
    reporter = models.ForeignKey(
        "people.User", verbose_name=_("诉求人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # "u:<user id>" or "m:<mobile blind index>": who reported, for duplicate detection.
    reporter_key = models.CharField(max_length=80, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_mobile_encrypted = models.CharField(max_length=200, blank=True, editable=False)
    contact_mobile_index = models.CharField(max_length=64, blank=True, editable=False)
    contact_email_encrypted = models.CharField(max_length=300, blank=True, editable=False)
    contact_email_index = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_public = models.BooleanField(_("同意公开"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=1)
    department = models.ForeignKey(
        "units.Department",
        verbose_name=_("主办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    first_dispatched_at = models.DateTimeField(_("首次派单时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    responded_on_time = models.BooleanField(_("按时响应"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    close_reason = models.CharField(_("结案方式"), max_length=20, choices=CloseReason.choices, blank=True)
    response_due = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("办结时限"), null=True, blank=True)
    is_overdue = models.BooleanField(_("已超期"), default=False)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    result = models.TextField(_("办理结果"), blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", db_index=False
    )
    likely_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="appeal_status_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="appeal_channel_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="appeal_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(close_reason="") | models.Q(close_reason__in=CloseReason.values),
                name="appeal_close_reason_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), MAX_DESCRIPTION), name="appeal_description_length"
            ),
            models.UniqueConstraint(fields=["year", "seq"], name="appeal_year_seq_unique"),
        ]
        indexes = [
            # Work lists: newest first, keyset on (submitted_at, id), with the unit path filter.
            models.Index(fields=["submitted_at", "id"], name="appeal_submitted"),
            # Open appeals only: the work lists' default filter and the live counters stay small at 10M rows.
            models.Index(
                fields=["submitted_at", "id"],
                name="appeal_open_submitted",
                condition=models.Q(status__in=sorted(OPEN)),
            ),
            models.Index(fields=["unit_path"], name="appeal_open_unit", condition=models.Q(status__in=sorted(OPEN))),
            models.Index(
                fields=["submitted_at", "id"], name="appeal_queue", condition=models.Q(status__in=sorted(QUEUED))
            ),
            models.Index(
                fields=["submitted_at", "id"],
                name="appeal_overdue",
                condition=models.Q(is_overdue=True, status__in=sorted(OPEN)),
            ),
            # The deadline watch: only appeals a department holds.
            models.Index(
                fields=["resolution_due"], name="appeal_watch", condition=models.Q(status__in=sorted(HANDLING))
            ),
            models.Index(
                fields=["response_due"],
                name="appeal_watch_response",
                condition=models.Q(status__in=sorted(HANDLING), responded_at__isnull=True),
            ),
            # Closing appeals nobody rated.
            models.Index(fields=["resolved_at"], name="appeal_unrated", condition=models.Q(status=Status.RESOLVED)),
            # Rollups by day.
            models.Index(
                fields=["first_dispatched_at"],
                name="appeal_first_dispatched",
                condition=models.Q(first_dispatched_at__isnull=False),
            ),
            models.Index(
                fields=["overdue_at"], name="appeal_overdue_at", condition=models.Q(overdue_at__isnull=False)
            ),
            models.Index(fields=["closed_at"], name="appeal_closed_at", condition=models.Q(closed_at__isnull=False)),
            models.Index(
                fields=["resolved_at"], name="appeal_resolved_at", condition=models.Q(resolved_at__isnull=False)
            ),
            # Likely duplicates: the same reporter within days.
            models.Index(
                fields=["reporter_key", "submitted_at"],
                name="appeal_reporter_key",
                condition=~models.Q(reporter_key=""),
            ),
            models.Index(
                fields=["contact_mobile_index"],
                name="appeal_contact_mobile",
                condition=~models.Q(contact_mobile_index=""),
            ),
            # The public page.
            models.Index(fields=["submitted_at", "id"], name="appeal_public", condition=models.Q(is_public=True)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def summary(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= 40 else text[:40] + "…"

    @property
    def contact_mobile(self) -> str:
        plain = getattr(self, "_contact_plain", None)  # set by intake, which has just encrypted it
        if plain is not None:
            return plain[0]
        return crypto.decrypt(self.contact_mobile_encrypted) if self.contact_mobile_encrypted else ""

    @property
    def contact_mobile_masked(self) -> str:
        return crypto.mask_mobile(self.contact_mobile) if self.contact_mobile_encrypted else ""

    @property
    def contact_email(self) -> str:
        plain = getattr(self, "_contact_plain", None)
        if plain is not None:
            return plain[1]
        return crypto.decrypt(self.contact_email_encrypted) if self.contact_email_encrypted else ""

    @property
    def contact_email_masked(self) -> str:
        email = self.contact_email
        if not email or "@" not in email:
            return ""
        name, domain = email.split("@", 1)
        return f"{name[:1]}***@{domain}"


class IdempotencyRecord(models.Model):
    """An Idempotency-Key seen with a submission: a retry returns the same appeal, never a second one."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=64)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Assignment(models.Model):
    """A department's part of an appeal (工单): the lead, or an assisting department (一件事, 吹哨报到)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")

    ACCESS_UNIT_PATH = "appeal__unit_path"
    ACCESS_DEPARTMENT = "department"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "units.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="appeal_assignments"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    task = models.TextField(_("任务说明"), blank=True)
    dispatched_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    via_rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["appeal", "-role", "id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(role__in=["lead", "assist"]), name="assignment_role_valid"),
            # One live assignment per department and appeal, and one live lead.
            models.UniqueConstraint(
                fields=["appeal", "department"],
                condition=models.Q(status__in=["pending", "accepted", "done"]),
                name="assignment_one_live_per_department",
            ),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(role="lead", status__in=["pending", "accepted", "done"]),
                name="assignment_one_live_lead",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "appeal"], name="assignment_department"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.department_id} · {self.role}"

    @property
    def is_live(self) -> bool:
        return self.status in (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.DONE)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("event", "提交诉求")
    DUPLICATE_FLAGGED = "duplicate_flagged", pgettext_lazy("event", "疑似重复")
    DISPATCHED = "dispatched", pgettext_lazy("event", "派单")
    AUTO_DISPATCHED = "auto_dispatched", pgettext_lazy("event", "自动派单")
    DISPATCH_REFUSED = "dispatch_refused", pgettext_lazy("event", "自动派单受阻")
    REDISPATCHED = "redispatched", pgettext_lazy("event", "改派")
    ACCEPTED = "accepted", pgettext_lazy("event", "接单")
    RETURNED = "returned", pgettext_lazy("event", "退单")
    RESPONDED = "responded", pgettext_lazy("event", "联系诉求人")
    ASSIGNMENT_DONE = "assignment_done", pgettext_lazy("event", "部门办理完成")
    RESOLVED = "resolved", pgettext_lazy("event", "办结")
    RATED = "rated", pgettext_lazy("event", "评价")
    CLOSED = "closed", pgettext_lazy("event", "结案")
    REOPENED = "reopened", pgettext_lazy("event", "重新办理")
    REVIEW = "review", pgettext_lazy("event", "提交督办复核")
    REJECTED = "rejected", pgettext_lazy("event", "不予受理")
    MERGED = "merged", pgettext_lazy("event", "合并")
    MERGED_IN = "merged_in", pgettext_lazy("event", "并入重复诉求")
    SPLIT = "split", pgettext_lazy("event", "一件事协同办理")
    EXTENSION_REQUESTED = "extension_requested", pgettext_lazy("event", "申请延期")
    EXTENSION_APPROVED = "extension_approved", pgettext_lazy("event", "批准延期")
    EXTENSION_REFUSED = "extension_refused", pgettext_lazy("event", "不予延期")
    OVERDUE = "overdue", pgettext_lazy("event", "超期")
    ESCALATED = "escalated", pgettext_lazy("event", "升级督办")
    WHISTLE = "whistle", pgettext_lazy("event", "吹哨")
    CHECKED_IN = "checked_in", pgettext_lazy("event", "部门报到")
    CHECK_IN_MISSED = "check_in_missed", pgettext_lazy("event", "部门未按时报到")
    WHISTLE_CLOSED = "whistle_closed", pgettext_lazy("event", "收哨")
    WHISTLE_RATED = "whistle_rated", pgettext_lazy("event", "吹哨互评")
    NOTE = "note", pgettext_lazy("event", "内部备注")
    PUBLIC_SET = "public_set", pgettext_lazy("event", "公开设置")


class AppealEvent(models.Model):
    """One line of an appeal's timeline: who did what, when, with a comment and attachments."""

    ACCESS_UNIT_PATH = "appeal__unit_path"
    ACCESS_DEPARTMENT = "appeal__assignments__department"
    ACCESS_OWNER = "appeal__reporter"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Who acted, as shown on the timeline: a department or office, never a private person's name for the public.
    actor_label = models.CharField(max_length=120, blank=True)
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("诉求动态")
        verbose_name_plural = _("诉求动态")
        indexes = [models.Index(fields=["appeal", "at", "id"], name="appeal_event_timeline")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


def attachment_path(instance: AppealAttachment, filename: str) -> str:
    now = timezone.localtime()
    return f"appeals/{now:%Y/%m}/{instance.stored_name}"


class AppealAttachment(models.Model):
    """A photo, document or recording attached to an appeal or to one of its events (evidence)."""

    ACCESS_UNIT_PATH = "appeal__unit_path"
    ACCESS_DEPARTMENT = "appeal__assignments__department"
    ACCESS_OWNER = "appeal__reporter"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        AppealEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_evidence = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Rating(models.Model):
    """The resident's rating of one round of handling (a reopened appeal is rated again)."""

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_DEPARTMENT = "department"
    ACCESS_OWNER = "appeal__reporter"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(default=1)
    resolved = models.BooleanField(_("问题是否解决"))
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    rated_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)
    # Who is rated: the lead department and the unit, as they stood when the resident rated.
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="rating_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__in=Satisfaction.values), name="rating_satisfaction_valid"
            ),
        ]
        indexes = [models.Index(fields=["rated_at"], name="rating_rated_at")]

    def __str__(self) -> str:
        return f"{self.appeal_id} #{self.round} {self.satisfaction}"


class ExtensionRequest(models.Model):
    """A department asks for more time; the dispatching level approves or refuses."""

    ACCESS_UNIT_PATH = "appeal__unit_path"
    ACCESS_DEPARTMENT = "department"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    department = models.ForeignKey("units.Department", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+", db_index=False)
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("延期理由"))
    extra_workdays = models.PositiveSmallIntegerField(_("延长工作日"))
    old_due = models.DateTimeField(null=True, blank=True)
    new_due = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ExtensionStatus.values), name="extension_status"),
            models.UniqueConstraint(
                fields=["appeal"], condition=models.Q(status="pending"), name="extension_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(extra_workdays__gte=1, extra_workdays__lte=30), name="extension_days_range"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_at"], name="extension_pending", condition=models.Q(status="pending"))
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.extra_workdays}"


class Whistle(models.Model):
    """吹哨: a street or community summons named departments to an appeal."""

    ACCESS_UNIT_PATH = "appeal__unit_path"
    ACCESS_DEPARTMENT = "summonses__department"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="whistles")
    blown_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+", db_index=False)
    blown_at = models.DateTimeField(default=timezone.now)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.TextField(_("吹哨事由"))
    place = models.CharField(_("报到地点"), max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(_("报到时限（分钟）"), default=30)
    due_at = models.DateTimeField()
    # 收哨: the blowing side says the joint work on site is finished (mutual ratings may then be given).
    closed_at = models.DateTimeField(_("收哨时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    close_note = models.CharField(_("收哨说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-blown_at", "-id"]
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gte=5, minutes__lte=1440), name="whistle_minutes_range")
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.blown_at:%Y-%m-%d %H:%M}"


class WhistleSummons(models.Model):
    """One department summoned by a whistle, and whether it checked in (报到) on time."""

    ACCESS_UNIT_PATH = "whistle__appeal__unit_path"
    ACCESS_DEPARTMENT = "department"

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey("units.Department", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=SummonsStatus.choices, default=SummonsStatus.PENDING)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    note = models.CharField(_("报到说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["whistle", "id"]
        verbose_name = _("报到")
        verbose_name_plural = _("报到")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=SummonsStatus.values), name="summons_status_valid"),
            models.UniqueConstraint(fields=["whistle", "department"], name="summons_once_per_department"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="summons_pending", condition=models.Q(status="pending")),
            models.Index(fields=["department", "status"], name="summons_department"),
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} {self.department_id} {self.status}"


class WhistleRatingSide(models.TextChoices):
    """Who gives a whistle rating: the unit that blew the whistle, or a summoned department."""

    UNIT = "unit", _("吹哨单位评部门")
    DEPARTMENT = "department", _("报到部门评吹哨单位")


WHISTLE_SCORES = [
    (5, _("很好")),
    (4, _("较好")),
    (3, _("一般")),
    (2, _("较差")),
    (1, _("很差")),
]


class WhistleRating(models.Model):
    """吹哨报到互评: the whistling street/community rates a summoned department, or the department rates the
    street's organisation of the work. One rating per side per summons (street × department pair)."""

    ACCESS_UNIT_PATH = "whistle__appeal__unit_path"
    ACCESS_DEPARTMENT = "department"

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="ratings")
    summons = models.ForeignKey(WhistleSummons, on_delete=models.CASCADE, related_name="ratings")
    side = models.CharField(_("评价方"), max_length=20, choices=WhistleRatingSide.choices)
    score = models.PositiveSmallIntegerField(_("评分"), choices=WHISTLE_SCORES)
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+", db_index=False)
    rated_at = models.DateTimeField(default=timezone.now)
    # The pair, as it stood: the summoned department and the unit that blew the whistle (copied path for rollups).
    department = models.ForeignKey("units.Department", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)

    class Meta:
        ordering = ["summons", "side"]
        verbose_name = _("吹哨互评")
        verbose_name_plural = _("吹哨互评")
        constraints = [
            models.UniqueConstraint(fields=["summons", "side"], name="whistle_rating_once_per_side"),
            models.CheckConstraint(condition=models.Q(side__in=WhistleRatingSide.values), name="whistle_rating_side"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="whistle_rating_score_range"),
        ]
        indexes = [models.Index(fields=["rated_at"], name="whistle_rating_rated_at")]

    def __str__(self) -> str:
        return f"{self.summons_id} {self.side} {self.score}"


class StatCounters(models.Model):
    """The day's counters of one rollup row (see ``metrics.COUNTERS`` for what each counts)."""

    received = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rated_resolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    summoned = models.PositiveIntegerField(default=0)
    checked_in_on_time = models.PositiveIntegerField(default=0)
    checked_in_late = models.PositiveIntegerField(default=0)
    check_in_missed = models.PositiveIntegerField(default=0)
    # 吹哨互评: ratings of the summoned department by the whistling unit (count and sum of 1–5 scores) ...
    rated_by_units = models.PositiveIntegerField(default=0)
    rated_by_units_total = models.PositiveIntegerField(default=0)
    # ... and ratings of the whistling unit's organisation by the summoned departments.
    rated_by_departments = models.PositiveIntegerField(default=0)
    rated_by_departments_total = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyStat(StatCounters):
    """Daily rollup per reporting unit (the street or township, else the appeal's unit) and department.

    Rebuilt for a range of days by ``rollup`` (periodic task and command); dashboards read only these.
    District and city reports read this grain; reports of a street and below read ``DailyCommunityStat``.
    """

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_DEPARTMENT = "department"

    day = models.DateField()
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("诉求日统计")
        verbose_name_plural = _("诉求日统计")
        indexes = [
            models.Index(fields=["day", "unit_path"], name="daily_stat_day_unit"),
            models.Index(fields=["department", "day"], name="daily_stat_department"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.department_id}"


class DailyCommunityStat(StatCounters):
    """Daily rollup per community or village (grids and buildings count for their community) and department.

    The finer grain behind a street's drill-down to its communities and a community's own figures. It is read
    only under a street or lower (a unit-path prefix first: see the index), never for a whole district or city.
    """

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_DEPARTMENT = "department"

    day = models.DateField()
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("诉求社区日统计")
        verbose_name_plural = _("诉求社区日统计")
        indexes = [
            # unit_path LIKE 'prefix%' first (a pattern opclass on PostgreSQL), then the month's days.
            models.Index(
                fields=["unit_path", "day"],
                name="daily_community_unit_day",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["day"], name="daily_community_day"),
            models.Index(fields=["department", "day"], name="daily_community_department"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.department_id}"


class _CategoryDay(models.Model):
    """Appeals received on a day in a unit, per category (the rollups behind 每月一题)."""

    ACCESS_UNIT_PATH = "unit_path"

    day = models.DateField()
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.category_id}"


class DailyCategoryStat(_CategoryDay):
    """Daily count of appeals received per reporting unit (street/township) and category (每月一题 candidates)."""

    class Meta:
        verbose_name = _("诉求分类日统计")
        verbose_name_plural = _("诉求分类日统计")
        indexes = [models.Index(fields=["day", "unit_path"], name="daily_category_day_unit")]


class DailyCommunityCategoryStat(_CategoryDay):
    """Daily count of appeals received per community/village and category (a street's communities' themes)."""

    class Meta:
        verbose_name = _("诉求社区分类日统计")
        verbose_name_plural = _("诉求社区分类日统计")
        indexes = [
            models.Index(
                fields=["unit_path", "day"],
                name="daily_community_category",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["day"], name="daily_community_category_day"),
        ]


class RollupRun(models.Model):
    """When the rollup last ran, and for which days (shown on the dashboard)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    first_day = models.DateField()
    last_day = models.DateField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day}"
