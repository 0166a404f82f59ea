"""Meetings, their invitees, attendance, agenda items and votes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.workflow import ItemStatus, MeetingStatus


class MeetingKind(models.TextChoices):
    RESIDENTS_COUNCIL = "residents_council", _("居民议事会")
    VILLAGER_REPRESENTATIVES = "villager_representatives", _("村民代表会议")
    ROUNDTABLE = "roundtable", _("幸福圆桌会")
    CONSULTATION = "consultation", _("协商会")
    HEARING = "hearing", _("听证会")


# Meetings where an item may be settled by recorded consensus instead of a vote.
CONSENSUS_KINDS = frozenset({MeetingKind.ROUNDTABLE, MeetingKind.CONSULTATION, MeetingKind.HEARING})


class Meeting(models.Model):
    ACCESS_UNIT_PATH = "body__unit__path"

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, blank=True)
    body = models.ForeignKey(
        "deliberation.Body", verbose_name=_("议事机构"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200)
    convener = models.ForeignKey("people.User", verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    is_public = models.BooleanField(_("公开会议"), default=False)
    urgent = models.BooleanField(_("紧急会议"), default=False)
    urgent_reason = models.CharField(_("紧急理由"), max_length=300, blank=True)
    notice_text = models.TextField(_("会议通知"), blank=True)
    notice_sent_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=8, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(_("会议纪要（总述）"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
        ]
        indexes = [models.Index(fields=["body", "-starts_at"], name="meeting_body_start")]

    def __str__(self) -> str:
        return self.title


class InviteeKind(models.TextChoices):
    MEMBER = "member", _("议事成员")
    STAKEHOLDER = "stakeholder", _("利益相关方")
    DEPARTMENT = "department", _("职能部门")
    EXPERT = "expert", _("专家")
    DEPUTY = "deputy", _("人大代表/政协委员")
    OFFICIAL = "official", _("党政干部")


class Invitee(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "meeting__body__unit__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField(_("类别"), max_length=20, choices=InviteeKind.choices)
    user = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="invitee_user_once")]


class AttendanceMethod(models.TextChoices):
    STAFF = "staff", _("工作人员登记")
    CODE = "code", _("签到码自助签到")


class Attendance(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "meeting__body__unit__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    is_voting_member = models.BooleanField(default=False)
    method = models.CharField(max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attend_once")]


class VoteResult(models.TextChoices):
    ADOPTED = "adopted", _("通过")
    REJECTED = "rejected", _("未通过")


class AgendaItem(models.Model):
    ACCESS_UNIT_PATH = "meeting__body__unit__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    topic = models.ForeignKey(
        "deliberation.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    title = models.CharField(_("议程"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    motion = models.TextField(_("表决事项（决议草案）"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    consensus = models.TextField(_("协商共识"), blank=True)
    secret = models.BooleanField(_("无记名表决"), default=False)
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    vote_closed_at = models.DateTimeField(null=True, blank=True)
    # The tally, frozen when the vote closes (the Vote rows stay and can be recounted).
    majority_rule = models.CharField(max_length=30, blank=True)
    member_count = models.PositiveIntegerField(null=True, blank=True)
    present_count = models.PositiveIntegerField(null=True, blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(null=True, blank=True)
    required_for = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=VoteResult.choices, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ItemStatus.values), name="item_status_valid"),
            models.UniqueConstraint(fields=["meeting", "position"], name="item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class VoteChoice(models.TextChoices):
    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class VoteCast(models.Model):  # noqa: DJ008 - rows shown through their parent
    """Who has voted on an item (one row per voter; the database refuses a second)."""

    ACCESS_UNIT_PATH = "item__meeting__body__unit__path"
    ACCESS_OWNER = "voter"

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="casts")
    voter = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="vote_once")]


class Vote(models.Model):  # noqa: DJ008 - rows shown through their parent
    """A choice. In a secret vote the row carries no voter, no time, and a random id: nothing stored links
    it to the cast row (which records who voted), not even the order of insertion."""

    ACCESS_UNIT_PATH = "item__meeting__body__unit__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)
    voter = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(choice__in=VoteChoice.values), name="vote_choice_valid"),
            models.UniqueConstraint(
                fields=["item", "voter"], condition=models.Q(voter__isnull=False), name="vote_named_once"
            ),
        ]
        indexes = [models.Index(fields=["item", "choice"], name="vote_item_choice")]
