"""Public participation: consultations on drafts (莲都), 问政·问需·问计 (杭州西湖) and proposal contests (金牛)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.workflow import CommentStatus, ConsultationStatus, ContestStatus, InquiryStatus


class Consultation(models.Model):
    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    opens_on = models.DateField(_("开始日期"), null=True, blank=True)
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    report = models.TextField(_("意见采纳情况报告"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("公开征求意见")
        verbose_name_plural = _("公开征求意见")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ConsultationStatus.values), name="consultation_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationSection(models.Model):
    ACCESS_UNIT_PATH = "consultation__unit__path"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("条款序号"))
    heading = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("条文"))

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="section_number_unique")]

    def __str__(self) -> str:
        return f"第{self.number}条 {self.heading}".strip()


class Channel(models.TextChoices):
    WEB = "web", _("网上")
    MEETING = "meeting", _("座谈会")
    PAPER = "paper", _("书面")
    PHONE = "phone", _("电话")


class ReplyKind(models.TextChoices):
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class Comment(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "consultation__unit__path"
    ACCESS_OWNER = "author"

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="comments")
    section = models.ForeignKey(
        ConsultationSection, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("提出人"), max_length=60)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("意见"))
    status = models.CharField(_("状态"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING)
    moderation_note = models.CharField(_("审核说明"), max_length=300, blank=True)
    reply_kind = models.CharField(_("采纳情况"), max_length=15, choices=ReplyKind.choices, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CommentStatus.values), name="comment_status_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="comment_channel_valid"),
        ]


class InquiryKind(models.TextChoices):
    QUESTION = "question", _("问政")
    NEED = "need", _("问需")
    IDEA = "idea", _("问计")


class Inquiry(models.Model):
    """A resident's policy question, need or idea, with a public reply deadline (escalates community → street)."""

    ACCESS_UNIT_PATH = "unit_path"
    ACCESS_OWNER = "author"

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=InquiryKind.choices)
    unit = models.ForeignKey("units.Unit", verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    # The unit answering now: the community first, the street after escalation.
    handling_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=120)
    text = models.TextField(_("内容"))
    author = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN)
    due_at = models.DateTimeField(_("答复时限"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("问政问需问计")
        verbose_name_plural = _("问政问需问计")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=InquiryStatus.values), name="inquiry_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=InquiryKind.values), name="inquiry_kind_valid"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="inquiry_status_due")]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()


class Contest(models.Model):
    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("举办单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    budget = models.DecimalField(_("资助总额"), max_digits=12, decimal_places=2, default=Decimal("0"))
    min_self_share = models.DecimalField(
        _("居民自筹最低比例"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("0至1之间，如0.2表示20%。"),
    )
    pitch_minutes = models.PositiveSmallIntegerField(_("路演时长（分钟）"), default=5)
    awards = models.PositiveSmallIntegerField(_("资助项目数"), default=3)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ContestStatus.values), name="contest_status_valid"),
            models.CheckConstraint(
                condition=models.Q(min_self_share__gte=0, min_self_share__lte=1), name="contest_share_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "contest__unit__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=60)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)

    class Meta:
        ordering = ["id"]


class Judge(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "contest__unit__path"
    ACCESS_OWNER = "user"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="judge_once")]


class Pitch(models.Model):
    ACCESS_UNIT_PATH = "contest__unit__path"

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="pitches")
    topic = models.ForeignKey("deliberation.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("项目名称"), max_length=200)
    team = models.CharField(_("提案团队"), max_length=200)
    summary = models.TextField(_("项目简介"), blank=True)
    total_cost = models.DecimalField(_("项目总预算"), max_digits=12, decimal_places=2)
    requested = models.DecimalField(_("申请资助"), max_digits=12, decimal_places=2)
    self_raised = models.DecimalField(_("居民自筹"), max_digits=12, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(_("加权得分"), max_digits=7, decimal_places=3, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    awarded = models.BooleanField(_("获资助"), default=False)
    award_amount = models.DecimalField(_("资助金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contest", "rank", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def self_share(self) -> Decimal:
        if not self.total_cost:
            return Decimal("0")
        return (self.self_raised / self.total_cost).quantize(Decimal("0.001"))


class Contribution(models.Model):  # noqa: DJ008 - rows shown through their parent
    """Money residents raised themselves for a pitch (recorded by staff, with who gave it)."""

    ACCESS_UNIT_PATH = "pitch__contest__unit__path"

    pitch = models.ForeignKey(Pitch, on_delete=models.PROTECT, related_name="contributions")
    contributor = models.CharField(_("出资人"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("日期"))
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="contribution_positive")]


class Score(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "pitch__contest__unit__path"

    pitch = models.ForeignKey(Pitch, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pitch", "judge", "criterion"], name="score_once")]
