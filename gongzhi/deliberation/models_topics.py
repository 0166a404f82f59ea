"""Topics (议题/提案), their co-signers and timeline, and members' demands for a meeting."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.workflow import TOPIC_STAGE, DemandStatus, Stage, TopicStatus


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("居民联名提案")
    REPRESENTATIVE = "representative", _("议事代表提案")
    APPEALS = "appeals", _("诉求集中反映")
    GOVERNMENT = "government", _("政府部门/党组织交办")
    ROUNDTABLE = "roundtable", _("圆桌会现场提出")


class Topic(models.Model):
    """A matter for deliberation, from its collection to its evaluation (the "246" pipeline)."""

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_OWNER = "proposer"

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, blank=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    # A copy of unit.path for fast prefix scoping (kept in step on unit moves).
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    body = models.ForeignKey(
        "deliberation.Body", verbose_name=_("当前议事机构"), on_delete=models.PROTECT, related_name="topics"
    )
    level = models.CharField(_("层级"), max_length=30)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("内容"))
    source = models.CharField(_("来源"), max_length=20, choices=TopicSource.choices)
    source_detail = models.CharField(_("来源说明"), max_length=200, blank=True)
    # Appeals that gave rise to the topic, and the appeal a referral created (through TopicAppeal).
    appeals = models.ManyToManyField(
        "appeals.Appeal", verbose_name=_("关联诉求"), through="TopicAppeal", related_name="+", blank=True
    )
    proposer = models.ForeignKey(
        "people.User", verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="proposed_topics"
    )
    status = models.CharField(_("状态"), max_length=20, choices=TopicStatus.choices)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.COLLECT)
    is_public = models.BooleanField(_("公开"), default=False)
    cosign_required = models.PositiveSmallIntegerField(_("所需联署人数"), default=0)
    cosign_count = models.PositiveIntegerField(_("联署人数"), default=0)
    is_public_matter = models.BooleanField(_("属于公共事务"), null=True, blank=True)
    decision_reason = models.TextField(_("筛选意见"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并到"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    referral_note = models.CharField(_("转办说明"), max_length=300, blank=True)
    evaluation_score = models.DecimalField(_("评议平均分"), max_digits=3, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("立项时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TopicStatus.values), name="topic_status_valid"),
            models.CheckConstraint(condition=models.Q(stage__in=Stage.values), name="topic_stage_valid"),
            models.CheckConstraint(condition=models.Q(source__in=TopicSource.values), name="topic_source_valid"),
        ]
        indexes = [
            models.Index(fields=["is_public", "-id"], name="topic_public_id"),
            models.Index(fields=["unit_path", "-id"], name="topic_path_id"),
            models.Index(fields=["body", "status", "id"], name="topic_body_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()

    @property
    def appeal_numbers(self) -> list[str]:
        """Numbers of the appeals the topic came from (one query)."""
        return list(
            self.appeal_links.filter(role=TopicAppealRole.SOURCE)
            .order_by("id")
            .values_list("appeal__number", flat=True)
        )

    def sync_stage(self) -> None:
        from gongzhi.deliberation.workflow import TOPIC_PUBLIC

        self.stage = TOPIC_STAGE[TopicStatus(self.status)]
        self.is_public = self.status in TOPIC_PUBLIC


class TopicAppealRole(models.TextChoices):
    SOURCE = "source", _("议题来源")
    REFERRAL = "referral", _("转诉求办理")


class TopicAppeal(models.Model):  # noqa: DJ008 - rows shown through their parent
    """An appeal a topic cites: one it came from (a cluster of appeals), or the one its referral created."""

    ACCESS_UNIT_PATH = "topic__unit_path"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="appeal_links")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("关联方式"), max_length=10, choices=TopicAppealRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("议题关联诉求")
        verbose_name_plural = _("议题关联诉求")
        constraints = [
            models.UniqueConstraint(fields=["topic", "appeal"], name="topic_appeal_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=TopicAppealRole.values), name="topic_appeal_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["appeal", "topic"], name="topic_appeal_by_appeal")]


class CoSignature(models.Model):  # noqa: DJ008 - rows shown through their parent
    """A resident co-signing a proposal (once per person)."""

    ACCESS_UNIT_PATH = "topic__unit_path"
    ACCESS_OWNER = "user"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="cosignatures")
    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="cosign_once")]


class TopicEvent(models.Model):  # noqa: DJ008 - rows shown through their parent
    """One step in a topic's timeline (who did what, from which state to which, and why)."""

    ACCESS_UNIT_PATH = "topic__unit_path"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("deliberation.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["topic", "id"], name="topic_event_topic")]

    @property
    def to_label(self) -> str:
        return str(TopicStatus(self.to_status).label) if self.to_status in TopicStatus.values else self.to_status


class MeetingDemand(models.Model):  # noqa: DJ008 - rows shown through their parent
    """Members demanding a meeting: at the body's share (default one fifth) the convener must call one."""

    ACCESS_UNIT_PATH = "body__unit__path"

    body = models.ForeignKey("deliberation.Body", on_delete=models.PROTECT, related_name="demands")
    subject = models.CharField(_("提议议题"), max_length=200)
    opened_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=DemandStatus.choices, default=DemandStatus.GATHERING)
    required = models.PositiveSmallIntegerField(_("所需人数"))
    signature_count = models.PositiveSmallIntegerField(_("已提议人数"), default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(_("应召开日期"), null=True, blank=True)
    meeting = models.ForeignKey(
        "deliberation.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=DemandStatus.values), name="demand_status_valid")
        ]


class MeetingDemandSignature(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "demand__body__unit__path"

    demand = models.ForeignKey(MeetingDemand, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "user"], name="demand_sign_once")]
