"""The administrative tree (units), the bodies that handle work (departments) and organizations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class UnitKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区/县")
    STREET = "street", _("街道")
    TOWNSHIP = "township", _("乡镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼栋")


# A kind may only sit directly under the kinds listed here; None means it may be a root.
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    UnitKind.CITY: frozenset({None}),
    UnitKind.DISTRICT: frozenset({None, UnitKind.CITY}),
    UnitKind.STREET: frozenset({None, UnitKind.DISTRICT}),
    UnitKind.TOWNSHIP: frozenset({None, UnitKind.DISTRICT}),
    UnitKind.COMMUNITY: frozenset({UnitKind.STREET, UnitKind.TOWNSHIP}),
    UnitKind.VILLAGE: frozenset({UnitKind.TOWNSHIP, UnitKind.STREET}),
    UnitKind.GRID: frozenset({UnitKind.COMMUNITY, UnitKind.VILLAGE}),
    UnitKind.BUILDING: frozenset({UnitKind.GRID, UnitKind.COMMUNITY, UnitKind.VILLAGE}),
}
# Kinds whose statistical division code has exactly 12 digits; grids and buildings extend their parent's.
TWELVE_DIGIT_KINDS = frozenset(
    {UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.VILLAGE}
)
LEVEL_OF_KIND = {
    UnitKind.CITY: 1,
    UnitKind.DISTRICT: 2,
    UnitKind.STREET: 3,
    UnitKind.TOWNSHIP: 3,
    UnitKind.COMMUNITY: 4,
    UnitKind.VILLAGE: 4,
    UnitKind.GRID: 5,
    UnitKind.BUILDING: 6,
}


class UnitQuerySet(MP_NodeQuerySet):
    def active(self, on: dt.date | None = None) -> UnitQuerySet:
        day = on or timezone.localdate()
        return self.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day), valid_from__lte=day)

    def under(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """One node of the administrative tree: city › district › street/township › community/village › grid."""

    ACCESS_UNIT_PATH = "path"

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(
        _("统计用区划代码"),
        max_length=24,
        unique=True,
        help_text=_("社区/村一级为12位数字；网格在上级代码后追加数字。"),
    )
    valid_from = models.DateField(_("生效日期"), default=timezone.localdate)
    valid_to = models.DateField(_("撤销日期"), null=True, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitManager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="unit_kind_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    @property
    def level(self) -> int:
        return LEVEL_OF_KIND[self.kind]

    def full_name(self) -> str:
        """Return the names from the root down: 示范区 › 和平街道 › 光明社区."""
        return " › ".join(u.name for u in [*Unit.objects.get_ancestors(self), self])

    def ancestor_of_kind(self, *kinds: str) -> Unit | None:
        """Return the nearest unit of one of the kinds on the way up (self included)."""
        if self.kind in kinds:
            return self
        for ancestor in reversed(list(Unit.objects.get_ancestors(self))):
            if ancestor.kind in kinds:
                return ancestor
        return None


class UnitChange(models.Model):
    """The history of a unit: created, renamed, moved, closed, merged (kept for hand-overs)."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("unit change", "设立")
        RENAMED = "renamed", pgettext_lazy("unit change", "更名")
        MOVED = "moved", pgettext_lazy("unit change", "调整隶属")
        CLOSED = "closed", pgettext_lazy("unit change", "撤销")
        REOPENED = "reopened", pgettext_lazy("unit change", "恢复")
        MERGED = "merged", pgettext_lazy("unit change", "合并")
        UPDATED = "updated", pgettext_lazy("unit change", "修改信息")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_name = models.CharField(max_length=100, blank=True)
    new_name = models.CharField(max_length=100, blank=True)
    old_parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_path = models.CharField(max_length=255, blank=True)
    new_path = models.CharField(max_length=255, blank=True)
    merged_into = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    ACCESS_UNIT_PATH = "unit__path"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("单位变更记录")
        verbose_name_plural = _("单位变更记录")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.at:%Y-%m-%d}"


class DepartmentKind(models.TextChoices):
    DISTRICT_BUREAU = "district_bureau", _("区级部门")
    STREET_SECTION = "street_section", _("街道科室")
    COMMITTEE = "committee", _("居委会/村委会")
    UTILITY = "utility", _("公用事业单位")
    POLICE = "police", _("派出所")
    ENFORCEMENT = "enforcement", _("综合执法队")
    SERVICE_CENTRE = "service_centre", _("便民服务中心")
    OTHER = "other", _("其他")


class Department(models.Model):
    """A body that handles work, e.g. 区城管委, 街道城管科, 社区居委会, 供电公司, 派出所."""

    ACCESS_UNIT_PATH = "jurisdiction__path"
    ACCESS_DEPARTMENT = "pk"

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="departments")
    jurisdiction = models.ForeignKey(
        Unit,
        verbose_name=_("管辖范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("该部门负责的单位及其下级。"),
    )
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("部门")
        verbose_name_plural = pgettext_lazy("plural", "部门")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=DepartmentKind.values), name="dept_kind_valid")
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationKind(models.TextChoices):
    PARTY_WORKING_COMMITTEE = "party_working_committee", _("党工委")
    PARTY_COMMITTEE = "party_committee", _("党委/党总支")
    PARTY_BRANCH = "party_branch", _("党支部")
    PARTY_GROUP = "party_group", _("党小组")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    ENTERPRISE = "enterprise", _("企业")
    STATIONED_UNIT = "stationed_unit", _("驻区单位")
    PARTNER = "partner", _("合作伙伴")
    RESIDENTS_GROUP = "residents_group", _("居民自治组织")


PARTY_KINDS = frozenset(
    {
        OrganizationKind.PARTY_WORKING_COMMITTEE,
        OrganizationKind.PARTY_COMMITTEE,
        OrganizationKind.PARTY_BRANCH,
        OrganizationKind.PARTY_GROUP,
    }
)
ORG_ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    OrganizationKind.PARTY_WORKING_COMMITTEE: frozenset({None}),
    OrganizationKind.PARTY_COMMITTEE: frozenset({None, OrganizationKind.PARTY_WORKING_COMMITTEE}),
    OrganizationKind.PARTY_BRANCH: frozenset(
        {None, OrganizationKind.PARTY_WORKING_COMMITTEE, OrganizationKind.PARTY_COMMITTEE}
    ),
    OrganizationKind.PARTY_GROUP: frozenset({OrganizationKind.PARTY_BRANCH}),
    OrganizationKind.SOCIAL_ORGANIZATION: frozenset({None, OrganizationKind.SOCIAL_ORGANIZATION}),
    OrganizationKind.ENTERPRISE: frozenset({None, OrganizationKind.ENTERPRISE}),
    OrganizationKind.STATIONED_UNIT: frozenset({None}),
    OrganizationKind.PARTNER: frozenset({None, OrganizationKind.PARTNER}),
    OrganizationKind.RESIDENTS_GROUP: frozenset({None, OrganizationKind.RESIDENTS_GROUP}),
}


class Organization(MP_Node):
    """A party organization (its own tree), social organization, enterprise, stationed unit or partner."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_ORGANIZATION_PATH = "path"

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=30, choices=OrganizationKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="organizations")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=OrganizationKind.values), name="org_kind_valid")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS
