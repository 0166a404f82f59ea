"""Doorstep services (便民服务): points, the catalogue, applications, bundles, duties, enforcement, certificates.

Every model says where it sits in the unit tree (ACCESS_UNIT_PATH) so access.scope() can filter it.
States live in workflow.py; each status column is backed by a CheckConstraint.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.lib import crypto
from gongzhi.services.workflow import ApplicationStatus, BundleStatus, EnforcementStatus

# --- service points ----------------------------------------------------------------------------


class PointKind(models.TextChoices):
    DOORSTEP = "doorstep", _("家门口服务站")
    VILLAGE = "village", _("村社宜站")
    STREET_CENTRE = "street_centre", _("街道社区事务受理服务中心")
    TOWNSHIP_CENTRE = "township_centre", _("乡镇便民服务中心")


class ServiceKind(models.TextChoices):
    """The six modules a village point (村社宜站) runs."""

    FINANCE = "finance", _("金融代理服务")
    ECOMMERCE = "ecommerce", _("电子商务")
    LOGISTICS = "logistics", _("物流快递")
    LIVELIHOOD = "livelihood", _("民生服务")
    GOVERNMENT = "government", _("政务服务")
    PRODUCE = "produce", _("农产品交易")


class ServicePoint(models.Model):
    """A place where residents are served: 家门口服务站, 村社宜站, a street or township centre."""

    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    address = models.CharField(_("地址"), max_length=200)
    opening_hours = models.CharField(_("开放时间"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    service_kinds = models.JSONField(_("服务模块"), default=list, blank=True)
    staff = models.ManyToManyField("people.User", verbose_name=_("值班人员"), blank=True, related_name="+")
    duty_note = models.CharField(_("值班安排"), max_length=300, blank=True)
    items = models.ManyToManyField("ServiceItem", verbose_name=_("可办事项"), blank=True, related_name="points")
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        constraints = [models.CheckConstraint(condition=Q(kind__in=PointKind.values), name="svc_point_kind_valid")]

    def __str__(self) -> str:
        return self.name

    def service_kind_labels(self) -> list[str]:
        labels = dict(ServiceKind.choices)
        return [str(labels.get(k, k)) for k in self.service_kinds]


# --- duties and powers register ----------------------------------------------------------------


class DutyKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    BENEFIT = "benefit", _("行政给付")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    DUTY = "duty", _("其他职责")


class DutySource(models.TextChoices):
    LAW = "law", _("法定")
    DELEGATED = "delegated", _("授权下放")
    ENTRUSTED = "entrusted", _("委托")


class Duty(models.Model):
    """One duty or power of a unit (职责清单/权力清单), with its source and legal basis."""

    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "units.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(_("事项编码"), max_length=40, db_index=True)
    category_code = models.CharField(_("诉求分类编码"), max_length=10, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=DutyKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=DutySource.choices, default=DutySource.LAW)
    legal_basis = models.TextField(_("法律依据"))
    law_area = models.CharField(_("执法领域"), max_length=40, blank=True)
    delegated_from = models.ForeignKey(
        "units.Unit",
        verbose_name=_("原权力单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("授权下放或委托时，原来行使该权力的单位。"),
    )
    delegation_document = models.CharField(_("下放文件"), max_length=200, blank=True)
    effective_from = models.DateField(_("生效日期"), default=timezone.localdate)
    effective_to = models.DateField(
        _("停用日期"), null=True, blank=True, help_text=_("自该日起不再有效；为空表示长期有效。")
    )
    retired_reason = models.CharField(_("停用理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("职责事项")
        verbose_name_plural = _("职责清单")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DutyKind.values), name="svc_duty_kind_valid"),
            models.CheckConstraint(condition=Q(source__in=DutySource.values), name="svc_duty_source_valid"),
            models.CheckConstraint(
                condition=Q(source=DutySource.LAW) | Q(delegated_from__isnull=False),
                name="svc_duty_delegation_names_origin",
            ),
            models.UniqueConstraint(fields=["unit", "code"], name="svc_duty_unit_code_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="svc_duty_retired_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def in_force(self, on: dt.date | None = None) -> bool:
        """Whether the duty counts on a day: effective_from <= day < effective_to."""
        day = on or timezone.localdate()
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def is_retired(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.effective_to is not None and self.effective_to <= day

    @property
    def holder_name(self) -> str:
        return self.department.name if self.department_id else self.unit.name


# --- catalogue ---------------------------------------------------------------------------------


class ItemCategory(models.TextChoices):
    """The seven basic categories of the doorstep catalogue (浦东“家门口”)."""

    PARTY = "party", _("党群服务")
    GOVERNMENT = "government", _("政务服务")
    LIVING = "living", _("生活服务")
    LEGAL = "legal", _("法律服务")
    HEALTH = "health", _("健康服务")
    CULTURE = "culture", _("文化服务")
    AUTONOMY = "autonomy", _("自治共治服务")


class FinishLevel(models.TextChoices):
    COMMUNITY = "community", _("社区/村")
    STREET = "street", _("街道/乡镇")
    DISTRICT = "district", _("区/县")


LEVEL_KINDS = {
    FinishLevel.COMMUNITY: ("community", "village"),
    FinishLevel.STREET: ("street", "township"),
    FinishLevel.DISTRICT: ("district",),
}


class Mode(models.TextChoices):
    ONLINE = "online", _("网上办")
    DIRECT = "direct", _("直办")
    PROXY = "proxy", _("代办")
    ACCOMPANY = "accompany", _("陪办")


class ServiceItem(models.Model):
    """One entry of the service guide (办事指南)."""

    ACCESS_UNIT_PATH = "owner_unit__path"

    owner_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("目录所属单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("该单位及其下级的居民都可以申请。"),
    )
    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    finish_level = models.CharField(_("办结层级"), max_length=20, choices=FinishLevel.choices)
    finish_department = models.ForeignKey(
        "units.Department",
        verbose_name=_("办结部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter_code = models.CharField(_("职责事项编码"), max_length=40, blank=True)
    eligibility = models.TextField(_("申请条件"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), null=True, blank=True)
    fee = models.DecimalField(_("收费标准（元）"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    modes = models.JSONField(_("办理方式"), default=list)
    remote_finish = models.BooleanField(_("可在站点远程办结"), default=False)
    form_fields = models.JSONField(_("附加表单字段"), default=list, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        constraints = [
            models.CheckConstraint(condition=Q(category__in=ItemCategory.values), name="svc_item_category_valid"),
            models.CheckConstraint(condition=Q(finish_level__in=FinishLevel.values), name="svc_item_level_valid"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="svc_item_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def deadline_days(self) -> int:
        return self.promised_days or self.time_limit_days

    def mode_labels(self) -> list[str]:
        labels = dict(Mode.choices)
        return [str(labels.get(m, m)) for m in self.modes]


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    BOTH = "both", _("原件及复印件")


class ServiceMaterial(models.Model):
    """A document an item needs, and whether it may be supplied later (容缺受理)."""

    ACCESS_UNIT_PATH = "item__owner_unit__path"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=120)
    form = models.CharField(_("形式"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    deferrable = models.BooleanField(_("可容缺后补"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="svc_material_item_name_unique"),
            models.CheckConstraint(condition=Q(form__in=MaterialForm.values), name="svc_material_form_ok"),
        ]

    def __str__(self) -> str:
        return self.name


class BundleTemplate(models.Model):
    """一件事: a set of items applied for together (e.g. a newborn: birth registration, insurance, hukou)."""

    ACCESS_UNIT_PATH = "owner_unit__path"

    owner_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name=_("包含事项"), related_name="bundles")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("一件事模板")
        verbose_name_plural = _("一件事模板")

    def __str__(self) -> str:
        return self.name


# --- applications ------------------------------------------------------------------------------


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    DESK = "desk", _("窗口受理")


class ApplicantMixin(models.Model):
    applicant = models.ForeignKey(
        "people.User", verbose_name=_("申请人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_resident = models.ForeignKey(
        "people.Resident", verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=60)
    applicant_mobile_encrypted = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def applicant_mobile_masked(self) -> str:
        if not self.applicant_mobile_encrypted:
            return ""
        return crypto.mask_mobile(crypto.decrypt(self.applicant_mobile_encrypted))

    @property
    def applicant_name_masked(self) -> str:
        return crypto.mask_name(self.applicant_name)


class Bundle(ApplicantMixin):
    """One 一件事 application: it creates the item applications in parallel and shows one status."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_OWNER = "applicant"

    number = models.CharField(_("编号"), max_length=30, unique=True)
    template = models.ForeignKey(BundleTemplate, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("申请人所在单位"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("受理站点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("办理方式"), max_length=20, choices=Mode.choices)
    status = models.CharField(_("状态"), max_length=20, choices=BundleStatus.choices, default=BundleStatus.OPEN)
    form_data = models.JSONField(_("共享信息"), default=dict, blank=True)
    supplied_materials = models.JSONField(_("已交材料"), default=list, blank=True)
    submitted_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BundleStatus.values), name="svc_bundle_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="svc_bundle_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.number


class Application(ApplicantMixin):
    """One application (办件) for one catalogue item."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_DEPARTMENT = "handling_department"
    ACCESS_OWNER = "applicant"

    number = models.CharField(_("办件编号"), max_length=30, unique=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("申请人所在单位"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("受理站点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("办结单位"), on_delete=models.PROTECT, related_name="+"
    )
    handling_department = models.ForeignKey(
        "units.Department",
        verbose_name=_("办结部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    mode = models.CharField(_("办理方式"), max_length=20, choices=Mode.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    form_data = models.JSONField(_("表单内容"), default=dict, blank=True)
    supplied_materials = models.JSONField(_("已交材料"), default=list, blank=True)
    fee = models.DecimalField(_("收费（元）"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    taken_by = models.ForeignKey(
        "people.User", verbose_name=_("受理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("办结期限"), null=True, blank=True)
    materials_due_on = models.DateField(_("补齐材料期限"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    refused_reason = models.TextField(_("不予办理理由"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    visits = models.PositiveSmallIntegerField(_("跑动次数"), default=0)
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级督办时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="svc_app_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="svc_app_mode_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="svc_app_channel_valid"),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REFUSED) | ~Q(refused_reason=""),
                name="svc_app_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.ACCEPTED_PENDING) | Q(materials_due_on__isnull=False),
                name="svc_app_pending_has_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["point", "-submitted_at", "-id"], name="svc_app_point_list"),
            models.Index(fields=["handling_unit", "-submitted_at", "-id"], name="svc_app_handling_list"),
            models.Index(fields=["status", "deadline"], name="svc_app_status_deadline"),
            models.Index(fields=["applicant", "-submitted_at"], name="svc_app_applicant"),
            models.Index(fields=["item", "status"], name="svc_app_item_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in ApplicationStatus.open_values()

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.is_open and self.deadline < timezone.now())


EVENT_LABELS = {
    "materials": _("补交材料"),
    "visit": _("居民来访"),
    "authorization": _("登记委托书"),
    "custody": _("材料交接"),
    "appointment": _("陪办预约"),
    "rating": _("评价"),
    "overdue": _("超期"),
    "escalated": _("升级督办"),
    "materials_overdue": _("容缺材料逾期"),
}


class ApplicationEvent(models.Model):
    """One line of an application's timeline (never overwritten)."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=["", *ApplicationStatus.values])
                & Q(to_status__in=["", *ApplicationStatus.values]),
                name="svc_app_event_status_ok",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"

    @property
    def label(self) -> str:
        """Return what happened, in words: the new status, or the kind of event."""
        if self.to_status:
            try:
                return str(ApplicationStatus(self.to_status).label)
            except ValueError:
                return self.to_status
        return str(EVENT_LABELS.get(self.kind, self.kind))


class AuthorizationKind(models.TextChoices):
    UPLOAD = "upload", _("上传书面委托书")
    SIGNATURE = "signature", _("屏幕手写签名")


class ProxyAuthorization(models.Model):
    """The resident's written authorization for 代办 (an uploaded letter or a signature drawn on screen)."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="authorization")
    kind = models.CharField(_("形式"), max_length=20, choices=AuthorizationKind.choices)
    file = models.FileField(_("文件"), upload_to="services/authorizations/%Y/%m/")
    content_type = models.CharField(max_length=60)
    signer_name = models.CharField(pgettext_lazy("application", "委托人"), max_length=60)
    agent = models.ForeignKey("people.User", verbose_name=_("代办员"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("委托事项"), max_length=300)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AuthorizationKind.values), name="svc_authorization_kind_ok")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


RESIDENT_PARTY = "resident"


class CustodyEntry(models.Model):
    """One hand-over of a document while acting for the resident (what, from whom, to whom, when)."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="custody")
    document = models.CharField(_("材料"), max_length=120)
    quantity = models.PositiveSmallIntegerField(_("份数"), default=1)
    from_party = models.CharField(_("交出方"), max_length=40)
    from_label = models.CharField(max_length=100)
    to_party = models.CharField(_("接收方"), max_length=40)
    to_label = models.CharField(max_length=100)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("材料交接记录")
        verbose_name_plural = _("材料交接记录")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="svc_custody_quantity_positive"),
            models.CheckConstraint(condition=~Q(from_party=models.F("to_party")), name="svc_custody_two_parties"),
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.from_label}→{self.to_label}"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已预约")
    DONE = "done", _("已陪同")
    CANCELLED = "cancelled", _("已取消")


class Appointment(models.Model):
    """陪办: a time when a staff member accompanies the resident."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey("people.User", verbose_name=_("陪办人员"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("预约时间"))
    place = models.CharField(_("地点"), max_length=200)
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppointmentStatus.values), name="svc_appt_status_valid")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.at:%Y-%m-%d %H:%M}"


class VisitPurpose(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    SUPPLEMENT = "supplement", _("补交材料")
    ACCOMPANIED = "accompanied", _("陪同办理")
    COLLECT = "collect", _("领取结果")
    OTHER = "other", _("其他")


class Visit(models.Model):
    """One trip the resident made for an application (counted for 最多跑一次)."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="visit_log")
    at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField(max_length=20, choices=VisitPurpose.choices)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(purpose__in=VisitPurpose.values), name="svc_visit_valid")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.purpose}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Rating(models.Model):
    """The applicant's rating of a finished application (once)."""

    ACCESS_UNIT_PATH = "application__unit__path"
    ACCESS_DEPARTMENT = "application__handling_department"  # the same reach as its application
    ACCESS_OWNER = "rated_by"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    rated_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__in=Satisfaction.values), name="svc_rating_valid")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.satisfaction}"


# --- enforcement -------------------------------------------------------------------------------


class CaseSource(models.TextChoices):
    PATROL = "patrol", _("巡查发现")
    APPEAL = "appeal", _("诉求转办")
    REPORT = "report", _("群众举报")


class Decision(models.TextChoices):
    PENALTY = "penalty", _("给予处罚")
    NONE = "none", _("不予处罚")


class EnforcementCase(models.Model):
    """综合行政执法 case handled by the one enforcement team of a street or township."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_DEPARTMENT = "team"

    number = models.CharField(_("案件编号"), max_length=30, unique=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("管辖单位"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("units.Department", verbose_name=_("执法队"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("案件来源"), max_length=20, choices=CaseSource.choices)
    appeal_number = models.CharField(_("关联诉求编号"), max_length=40, blank=True, db_index=True)
    # The appeal itself (the number is kept for display and for cases registered before the link existed).
    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name=_("关联诉求"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    law_area = models.CharField(_("执法领域"), max_length=40)
    summary = models.TextField(_("案情摘要"))
    location = models.CharField(_("地点"), max_length=200)
    party_name = models.CharField(_("当事人"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=20, choices=EnforcementStatus.choices, default=EnforcementStatus.REGISTERED
    )
    findings = models.TextField(_("调查结论"), blank=True)
    decision = models.CharField(_("处理决定"), max_length=20, choices=Decision.choices, blank=True)
    duty = models.ForeignKey(
        Duty, verbose_name=_("执法依据（权力事项）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_basis = models.TextField(_("法律依据"), blank=True)
    penalty_amount = models.DecimalField(_("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    penalty_text = models.CharField(_("处罚内容"), max_length=300, blank=True)
    execution_note = models.TextField(_("执行情况"), blank=True)
    registered_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EnforcementStatus.values), name="svc_case_status_valid"),
            models.CheckConstraint(condition=Q(source__in=CaseSource.values), name="svc_case_source_valid"),
            models.CheckConstraint(
                condition=~Q(source=CaseSource.APPEAL) | ~Q(appeal_number=""), name="svc_case_appeal_has_number"
            ),
            models.CheckConstraint(
                condition=Q(penalty_amount__isnull=True) | Q(penalty_amount__gte=0), name="svc_case_amount_ok"
            ),
            models.CheckConstraint(condition=Q(decision__in=["", *Decision.values]), name="svc_case_decision_ok"),
            # A case past the decision step carries its decision.
            models.CheckConstraint(
                condition=Q(status__in=[EnforcementStatus.REGISTERED, EnforcementStatus.INVESTIGATED])
                | ~Q(decision=""),
                name="svc_case_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    ACCESS_UNIT_PATH = "case__unit__path"

    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=["", *EnforcementStatus.values])
                & Q(to_status__in=EnforcementStatus.values),
                name="svc_case_event_status_ok",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.to_status}"


# --- certificates (万能章) -----------------------------------------------------------------------


class CertificateType(models.Model):
    """One certificate in a unit's published catalogue (证明事项清单)."""

    ACCESS_UNIT_PATH = "owner_unit__path"

    owner_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("证明名称"), max_length=120)
    legal_basis = models.TextField(_("设定依据"))
    issuer = models.CharField(_("出具主体"), max_length=120, help_text=_("例如：社区居民委员会"))
    required_evidence = models.TextField(_("所需佐证材料"))
    validity_days = models.PositiveSmallIntegerField(_("有效期（天）"), default=90)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证明事项")
        verbose_name_plural = _("证明事项清单")

    def __str__(self) -> str:
        return self.name


class RedirectKind(models.TextChoices):
    COMPETENT_DEPARTMENT = "competent_department", _("由主管部门出具")
    SELF_DECLARATION = "self_declaration", _("以个人承诺代替")
    DATA_AVAILABLE = "data_available", _("可通过数据共享或已有证件证明")
    NOT_REQUIRED = "not_required", _("无法定依据，不应索要")


class RedirectGuide(models.Model):
    """Where to send a request for a certificate outside the catalogue (the 导 of 万能章 reform)."""

    ACCESS_UNIT_PATH = "owner_unit__path"

    owner_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("常被索要的证明"), max_length=120)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    kind = models.CharField(_("引导方式"), max_length=30, choices=RedirectKind.choices)
    go_to = models.CharField(_("去向"), max_length=200)
    reason = models.TextField(_("不予出具的理由"))

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=RedirectKind.values), name="svc_guide_kind_ok")]

    def __str__(self) -> str:
        return self.name


class RequestOutcome(models.TextChoices):
    REFUSED = "refused", _("不予出具")
    REDIRECTED = "redirected", _("引导办理")


class CertificateRequest(models.Model):
    """A certificate request that was not issued (refused or redirected), kept for the figures."""

    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("受理单位"), on_delete=models.PROTECT, related_name="+")
    requested = models.CharField(_("所要证明"), max_length=120)
    type = models.ForeignKey(CertificateType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    guide = models.ForeignKey(RedirectGuide, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=20, choices=RequestOutcome.choices)
    redirect_kind = models.CharField(_("引导方式"), max_length=30, choices=RedirectKind.choices, blank=True)
    go_to = models.CharField(_("去向"), max_length=200, blank=True)
    reason = models.TextField(_("理由"))
    requester_name = models.CharField(_("申请人"), max_length=60, blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=RequestOutcome.values), name="svc_certreq_outcome_ok"),
            models.CheckConstraint(
                condition=Q(redirect_kind__in=["", *RedirectKind.values]), name="svc_certreq_redirect_kind_ok"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=RequestOutcome.REDIRECTED) | ~Q(go_to=""), name="svc_certreq_redirect_has_place"
            ),
        ]

    def __str__(self) -> str:
        return self.requested


class Certificate(models.Model):
    """An issued certificate: a serial number, an unguessable verification code, and a PDF made on demand."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_OWNER = "holder"

    serial = models.CharField(_("证明编号"), max_length=40, unique=True)
    code = models.CharField(_("核验码"), max_length=40, unique=True)
    type = models.ForeignKey(CertificateType, verbose_name=_("证明类型"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(
        "people.User", verbose_name=_("持证人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField(_("持证人"), max_length=60)
    purpose = models.CharField(_("用途"), max_length=200)
    content = models.TextField(_("证明内容"))
    evidence = models.TextField(_("核实依据"))
    issued_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("证明")
        verbose_name_plural = _("证明")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""), name="svc_cert_revocation_has_reason"
            )
        ]
        indexes = [models.Index(fields=["unit", "-issued_at", "-id"], name="svc_cert_unit_list")]

    def __str__(self) -> str:
        return self.serial

    @property
    def holder_masked(self) -> str:
        return crypto.mask_name(self.holder_name)

    @property
    def code_display(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


# --- village point logs (凯里 村社宜站) -----------------------------------------------------------


class ParcelDirection(models.TextChoices):
    IN = "in", _("到件")
    OUT = "out", _("寄件")


class ParcelLog(models.Model):
    ACCESS_UNIT_PATH = "point__unit__path"

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="parcels")
    direction = models.CharField(_("方向"), max_length=5, choices=ParcelDirection.choices)
    tracking_number = models.CharField(_("运单号"), max_length=40)
    carrier = models.CharField(_("快递公司"), max_length=40)
    party_name = models.CharField(_("收/寄件人"), max_length=60)
    party_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    picked_up_at = models.DateTimeField(_("取件时间"), null=True, blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=ParcelDirection.values), name="svc_parcel_dir_ok"),
            models.UniqueConstraint(fields=["point", "direction", "tracking_number"], name="svc_parcel_unique"),
        ]

    def __str__(self) -> str:
        return self.tracking_number


class FinanceService(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("助农取款")
    TRANSFER = "transfer", _("转账汇款")
    BILL = "bill", _("代缴费用")
    CARD = "card", _("社保卡激活/挂失")
    INSURANCE = "insurance", _("新农合/养老保险代缴")
    ENQUIRY = "enquiry", _("余额查询")


class FinanceLog(models.Model):
    """What an agent finance service did (records only: no money moves through the software)."""

    ACCESS_UNIT_PATH = "point__unit__path"

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="finance_logs")
    service = models.CharField(_("业务"), max_length=20, choices=FinanceService.choices)
    resident_name = models.CharField(_("办理人"), max_length=60)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    institution = models.CharField(_("合作金融机构"), max_length=60)
    reference = models.CharField(_("业务流水号"), max_length=60, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(service__in=FinanceService.values), name="svc_finance_service_ok"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="svc_finance_amount_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.amount}"


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("在售")
    SOLD = "sold", _("已成交")
    WITHDRAWN = "withdrawn", _("已下架")


class ProduceListing(models.Model):
    ACCESS_UNIT_PATH = "point__unit__path"

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="listings")
    product = models.CharField(_("产品"), max_length=60)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    measure = models.CharField(pgettext_lazy("measure", "单位"), max_length=10, default="斤")
    price = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=2)
    seller_name = models.CharField(_("卖方"), max_length=60)
    seller_contact = models.CharField(_("卖方联系方式"), max_length=40)
    status = models.CharField(max_length=20, choices=ListingStatus.choices, default=ListingStatus.LISTED)
    buyer_name = models.CharField(_("买方"), max_length=60, blank=True)
    buyer_contact = models.CharField(_("买方联系方式"), max_length=40, blank=True)
    sold_quantity = models.DecimalField(_("成交数量"), max_digits=10, decimal_places=2, null=True, blank=True)
    listed_at = models.DateTimeField(default=timezone.now)
    sold_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="svc_listing_status_ok"),
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(price__gte=0), name="svc_listing_amounts_ok"),
            models.CheckConstraint(
                condition=~Q(status=ListingStatus.SOLD) | (~Q(buyer_name="") & ~Q(buyer_contact="")),
                name="svc_listing_sale_has_buyer",
            ),
        ]

    def __str__(self) -> str:
        return self.product

    @property
    def sold_value(self) -> Decimal:
        if self.status != ListingStatus.SOLD:
            return Decimal("0.00")
        return ((self.sold_quantity or self.quantity) * self.price).quantize(Decimal("0.01"))


class Sequence(models.Model):
    """Counters for human-readable numbers (办件编号, 证明编号), one row per prefix and year."""

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
