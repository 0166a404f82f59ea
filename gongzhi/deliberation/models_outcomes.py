"""Resolutions (决议) and round-table issues, their commitments, supervision, public posting and evaluation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.deliberation.workflow import CommitmentStatus, ObjectionStatus, ResolutionStatus


class ResolutionKind(models.TextChoices):
    VOTED = "voted", _("表决通过的决议")
    CONSENSUS = "consensus", _("协商一致的意见")
    ROUNDTABLE = "roundtable", _("圆桌会现场承诺")


class Resolution(models.Model):
    ACCESS_UNIT_PATH = "unit_path"

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ResolutionKind.choices)
    body = models.ForeignKey("deliberation.Body", on_delete=models.PROTECT, related_name="resolutions")
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    meeting = models.ForeignKey("deliberation.Meeting", on_delete=models.PROTECT, related_name="resolutions")
    item = models.OneToOneField(
        "deliberation.AgendaItem", null=True, blank=True, on_delete=models.PROTECT, related_name="resolution"
    )
    topic = models.ForeignKey(
        "deliberation.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="resolutions"
    )
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("决议内容"))
    raised_by = models.CharField(_("提出人"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ResolutionStatus.choices)
    legal_opinion = models.TextField(_("法律审查意见"), blank=True)
    legal_reviewed_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    post_until = models.DateField(_("公示截止"), null=True, blank=True)
    evaluation_until = models.DateField(_("评议截止"), null=True, blank=True)
    evaluation_score = models.DecimalField(_("评议平均分"), max_digits=3, decimal_places=2, null=True, blank=True)
    evaluation_count = models.PositiveIntegerField(_("评议人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ResolutionStatus.values), name="resolution_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=ResolutionKind.values), name="resolution_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number or ''} {self.title}".strip()


class ResolutionEvent(models.Model):  # noqa: DJ008 - rows shown through their parent
    ACCESS_UNIT_PATH = "resolution__unit_path"

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Commitment(models.Model):
    """A task carrying out a resolution: an owner (person or department), a deadline and a status."""

    ACCESS_UNIT_PATH = "resolution__unit_path"
    ACCESS_DEPARTMENT = "owner_department"
    ACCESS_OWNER = "owner_user"

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="commitments")
    title = models.CharField(pgettext_lazy("commitment", "事项"), max_length=200)
    owner_user = models.ForeignKey(
        "people.User", verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_department = models.ForeignKey(
        "units.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    findings = models.TextField(_("核查意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CommitmentStatus.values), name="commitment_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False) | models.Q(owner_department__isnull=False),
                name="commitment_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="commitment_status_deadline")]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        parts = [str(x) for x in (self.owner_department, self.owner_user) if x is not None]
        return " / ".join(parts)


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("进展")
    CLOSE = "close", _("销号")
    ACCEPT = "accept", _("核查通过")
    RETURN = "return", _("核查退回")


def evidence_path(instance: CommitmentUpdate, filename: str) -> str:
    return f"deliberation/evidence/{instance.commitment_id}/{filename}"


class CommitmentUpdate(models.Model):  # noqa: DJ008 - rows shown through their parent
    """One entry in a commitment's timeline: progress, closing with evidence, or the supervisors' review."""

    ACCESS_UNIT_PATH = "commitment__resolution__unit_path"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=UpdateKind.choices)
    actor = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"))
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Objection(models.Model):  # noqa: DJ008 - rows shown through their parent
    """A resident's objection during public posting (公示期异议), answered publicly."""

    ACCESS_UNIT_PATH = "resolution__unit_path"
    ACCESS_OWNER = "author"

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="objections")
    author = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"))
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ObjectionStatus.values), name="objection_status_valid"
            )
        ]


class Evaluation(models.Model):  # noqa: DJ008 - rows shown through their parent
    """A resident's rating of how a resolution was carried out (one per person)."""

    ACCESS_UNIT_PATH = "resolution__unit_path"
    ACCESS_OWNER = "author"

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="evaluations")
    author = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("满意度（1-5）"))
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "author"], name="evaluation_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_range"),
        ]
