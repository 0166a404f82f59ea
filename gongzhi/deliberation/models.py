"""Deliberative bodies and their members (the rest of deliberation builds on these)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BodyLevel(models.TextChoices):
    COURTYARD = "courtyard", _("院落/网格议事小组")
    COMMUNITY_COMMITTEE = "community_committee", _("社区议事会")
    STREET_COMMITTEE = "street_committee", _("街道议事会/协商中心")
    DISTRICT_JOINT = "district_joint", _("区联席会议")
    VILLAGER_ASSEMBLY = "villager_assembly", _("村民代表会议")
    SUPERVISION_COMMITTEE = "supervision_committee", _("村（居）务监督委员会")


# The ladder a matter climbs when it is too large for a level (small matters stay low, large ones go up).
LEVEL_RANK = {
    BodyLevel.COURTYARD: 1,
    BodyLevel.COMMUNITY_COMMITTEE: 2,
    BodyLevel.VILLAGER_ASSEMBLY: 2,
    BodyLevel.SUPERVISION_COMMITTEE: 2,
    BodyLevel.STREET_COMMITTEE: 3,
    BodyLevel.DISTRICT_JOINT: 4,
}


class MajorityRule(models.TextChoices):
    PRESENT = "present", _("出席人数过半数")
    MEMBERS = "members", _("全体成员过半数")
    TWO_THIRDS_PRESENT = "two_thirds_present", _("出席人数三分之二以上")
    TWO_THIRDS_MEMBERS = "two_thirds_members", _("全体成员三分之二以上")


class Body(models.Model):
    """A deliberative body at a unit, with its own rules (quorum, majority, notice, meeting frequency)."""

    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("层级"), max_length=30, choices=BodyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上一级议事机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("议题需要上交时，提交到这一级。"),
    )
    # Quorum: present members / all members must reach this fraction (default two thirds).
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=3)
    majority_rule = models.CharField(
        _("表决规则"), max_length=30, choices=MajorityRule.choices, default=MajorityRule.PRESENT
    )
    notice_days = models.PositiveSmallIntegerField(_("提前通知天数"), default=3)
    # How often the body must meet (the villager representative assembly: at least quarterly); None = no rule.
    meeting_interval_days = models.PositiveSmallIntegerField(_("最长会议间隔（天）"), null=True, blank=True)
    # Share of members who can force a meeting (default one fifth) and the days the convener then has.
    demand_numerator = models.PositiveSmallIntegerField(_("提议召开比例（分子）"), default=1)
    demand_denominator = models.PositiveSmallIntegerField(_("提议召开比例（分母）"), default=5)
    demand_response_days = models.PositiveSmallIntegerField(_("应在几日内召开"), default=10)
    cosign_threshold = models.PositiveSmallIntegerField(_("居民提案联署人数"), default=5)
    requires_party_screening = models.BooleanField(_("议题发布前须党组织把关"), default=False)
    requires_legal_review = models.BooleanField(_("决议须经法律顾问审查"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # When the convener was last reminded that the body is overdue for a meeting (one reminder per lapse).
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("议事机构")
        verbose_name_plural = _("议事机构")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=BodyLevel.values), name="body_level_valid"),
            models.CheckConstraint(condition=models.Q(majority_rule__in=MajorityRule.values), name="body_majority"),
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gt=0)
                & models.Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="body_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(demand_denominator__gt=0)
                & models.Q(demand_numerator__lte=models.F("demand_denominator")),
                name="body_demand_fraction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def demand_share(self) -> Fraction:
        return Fraction(self.demand_numerator, self.demand_denominator)


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("召集人/主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    SECRETARY = "secretary", _("秘书/记录人")
    MEMBER = "member", _("成员")
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")


class MemberSource(models.TextChoices):
    ELECTED = "elected", _("选举产生")
    APPOINTED = "appointed", _("推选/委派")
    EX_OFFICIO = "ex_officio", _("当然成员")


class BodyMemberQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> BodyMemberQuerySet:
        day = on or timezone.localdate()
        return self.filter(models.Q(term_end__isnull=True) | models.Q(term_end__gte=day), term_start__lte=day)


class BodyMember(models.Model):
    """A person's seat in a body for a term. Voting members are those with a voting role."""

    ACCESS_UNIT_PATH = "body__unit__path"
    ACCESS_OWNER = "user"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="body_seats")
    role = models.CharField(_("职务"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    source = models.CharField(
        _("产生方式"), max_length=20, choices=MemberSource.choices, default=MemberSource.APPOINTED
    )
    term_start = models.DateField(_("任期开始"), default=timezone.localdate)
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    votes = models.BooleanField(_("有表决权"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BodyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["body", "role", "term_start"]
        verbose_name = _("议事机构成员")
        verbose_name_plural = _("议事机构成员")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=MemberRole.values), name="member_role_valid"),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
                name="member_term_range",
            ),
        ]
        indexes = [models.Index(fields=["body", "term_end"], name="member_body_term")]

    def __str__(self) -> str:
        return f"{self.body} · {self.user} · {self.get_role_display()}"


# The rest of the app's models live in their own modules (kept below ~800 lines each).
from gongzhi.deliberation.models_meetings import *  # noqa: E402, F403
from gongzhi.deliberation.models_outcomes import *  # noqa: E402, F403
from gongzhi.deliberation.models_participation import *  # noqa: E402, F403
from gongzhi.deliberation.models_topics import *  # noqa: E402, F403
