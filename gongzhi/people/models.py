"""People: users who sign in, the resident and household register, role grants and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.lib import crypto
from gongzhi.people.roles import Role


class EncryptedValueMixin:
    """Helpers for a pair of columns: `<name>_encrypted` (AES-GCM) and `<name>_index` (blind index)."""

    def _decrypt(self, field: str) -> str:
        token = getattr(self, f"{field}_encrypted")
        return crypto.decrypt(token) if token else ""


class GongzhiUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(username__iexact=username)


class User(EncryptedValueMixin, AbstractUser):
    """Anyone who signs in: residents, staff, representatives, partner staff."""

    ACCESS_UNIT_PATH = "grants__anchor_path"
    ACCESS_OWNER = "pk"

    display_name = models.CharField(_("显示名称"), max_length=60, blank=True)
    mobile_encrypted = models.CharField(max_length=200, blank=True, editable=False)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    language = models.CharField(
        _("界面语言"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")], default="zh-hans"
    )
    elderly_mode = models.BooleanField(_("长者模式"), default=False, help_text=_("更大的字号和更高的对比度。"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GongzhiUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile_index"], condition=~models.Q(mobile_index=""), name="user_mobile_unique"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def mobile(self) -> str:
        return self._decrypt("mobile")

    @property
    def mobile_masked(self) -> str:
        return crypto.mask_mobile(self.mobile) if self.mobile_encrypted else ""


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class ResidentTagKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    ELDERLY = "elderly", _("老年人")
    DISABILITY = "disability", _("残疾人")
    PARTY_MEMBER = "party_member", _("党员")
    LOW_INCOME = "low_income", _("低保户")
    VETERAN = "veteran", _("退役军人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    VOLUNTEER = "volunteer", _("志愿者")
    RENTER = "renter", _("租户")


class Household(models.Model):
    """A household (户) in the register."""

    ACCESS_UNIT_PATH = "unit__path"

    number = models.CharField(_("户号"), max_length=40, unique=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("住址"), max_length=200)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        indexes = [models.Index(fields=["unit", "id"], name="household_unit_id")]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"


class Resident(EncryptedValueMixin, models.Model):
    """A resident in the register (居民). Most never sign in; `user` links the ones who do."""

    ACCESS_UNIT_PATH = "unit__path"
    ACCESS_OWNER = "user"

    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    identity_encrypted = models.CharField(max_length=200, blank=True, editable=False)
    identity_index = models.CharField(max_length=64, blank=True, editable=False)
    mobile_encrypted = models.CharField(max_length=200, blank=True, editable=False)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, verbose_name=_("所属户"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices, blank=True)
    user = models.OneToOneField(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="resident"
    )
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_index"], condition=~models.Q(identity_index=""), name="resident_identity_unique"
            ),
            models.CheckConstraint(condition=models.Q(gender__in=["M", "F"]), name="resident_gender_valid"),
        ]
        indexes = [
            models.Index(fields=["unit", "id"], name="resident_unit_id"),
            # The register lists current residents by default: their page keys come from this index alone.
            models.Index(
                fields=["unit", "id"], name="resident_current_unit_id", condition=models.Q(moved_out_on__isnull=True)
            ),
            models.Index(fields=["name"], name="resident_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity_number(self) -> str:
        return self._decrypt("identity")

    @property
    def mobile(self) -> str:
        return self._decrypt("mobile")

    @property
    def identity_masked(self) -> str:
        return crypto.mask_identity_number(self.identity_number) if self.identity_encrypted else ""

    @property
    def mobile_masked(self) -> str:
        return crypto.mask_mobile(self.mobile) if self.mobile_encrypted else ""

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def tag_list(self) -> list[str]:
        return [t.tag for t in self.tags.all()]


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=30, choices=ResidentTagKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")]
        indexes = [models.Index(fields=["tag", "resident"], name="resident_tag_idx")]

    def __str__(self) -> str:
        return self.get_tag_display()


class RoleGrantQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None) -> RoleGrantQuerySet:
        day = on or timezone.localdate()
        return self.filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
            valid_from__lte=day,
            revoked_at__isnull=True,
        )


class RoleGrant(models.Model):
    """A role held at one node (unit, department or organization) and everything under it."""

    ACCESS_UNIT_PATH = "anchor_path"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    organization = models.ForeignKey(
        "units.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    # The unit path the grant reaches, copied for scoping lists of grants (kept in step on unit moves).
    anchor_path = models.CharField(max_length=255, blank=True, db_index=True)
    valid_from = models.DateField(_("生效日期"), default=timezone.localdate)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="grant_role_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, department__isnull=True, organization__isnull=True)
                    | models.Q(unit__isnull=True, department__isnull=False, organization__isnull=True)
                    | models.Q(unit__isnull=True, department__isnull=True, organization__isnull=False)
                    | models.Q(
                        unit__isnull=True, department__isnull=True, organization__isnull=True, role="system_admin"
                    )
                ),
                name="grant_one_node",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="grant_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node}"

    @property
    def node(self) -> object:
        return self.unit or self.department or self.organization or _("全部")


class ApiToken(models.Model):
    """A bearer token a user creates for an integration; only its hash is stored."""

    ACCESS_OWNER = "user"
    ACCESS_UNIT_PATH = "user__grants__anchor_path"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
