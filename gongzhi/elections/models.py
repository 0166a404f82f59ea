"""Elections of a deliberative body's seats: electorate, voter roll, nominations, secret ballots, tally, seats.

Ballot secrecy is a property of the schema, not of goodwill:

- ``Ballot`` holds the choices and nothing that leads to a voter: a random UUID key, no timestamp,
  no voter, no receipt, no sequence. Its only link is to the election.
- ``VoteReceipt`` records *that* a roll entry voted (one per entry, enforced by a unique constraint).
- When voting closes, the ballot box is sealed: every ballot row is rewritten in a random order with
  new random keys, in one transaction, so neither the physical order nor the writing transaction of a
  ballot row says anything about when — and therefore by whom — it was cast.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.elections.workflow import ElectionStatus


class ElectorateKind(models.TextChoices):
    ADULT_RESIDENTS = "adult_residents", _("本单位年满十八周岁的居民")
    HOUSEHOLDS = "households", _("每户一名选民")
    BODY_MEMBERS = "body_members", pgettext_lazy("electorate", "议事机构成员")


class Outcome(models.TextChoices):
    PENDING = "pending", _("尚未计票")
    VALID = "valid", _("选举有效")
    RUNOFF = "runoff", _("末位票数相等，需另行选举")
    INVALID_TURNOUT = "invalid_turnout", _("投票人数未达法定比例，选举无效")
    INVALID_BALLOTS = "invalid_ballots", _("收回选票多于投票人数，选举无效")


class Election(models.Model):
    """An election of representatives for a body's seats and term."""

    ACCESS_UNIT_PATH = "unit__path"

    unit = models.ForeignKey("units.Unit", verbose_name=_("选举单位"), on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        "deliberation.Body", verbose_name=_("议事机构"), on_delete=models.PROTECT, related_name="elections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("原选举"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runoffs",
        help_text=_("另行选举时，指向票数相等的那次选举。"),
    )
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    seats = models.PositiveSmallIntegerField(_("应选名额"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    electorate = models.CharField(_("选民范围"), max_length=30, choices=ElectorateKind.choices)
    electorate_body = models.ForeignKey(
        "deliberation.Body",
        verbose_name=_("选民所在议事机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    nomination_threshold = models.PositiveSmallIntegerField(
        _("联名提名所需选民人数"), default=10, help_text=_("选民联名提名候选人所需的最少人数（含提名人）。")
    )
    body_nominations = models.BooleanField(_("允许议事机构提名"), default=True)
    competitive = models.BooleanField(_("差额选举"), default=True, help_text=_("候选人数须多于应选名额。"))
    proxy_limit = models.PositiveSmallIntegerField(_("每人最多接受委托数"), default=3)
    turnout_numerator = models.PositiveSmallIntegerField(_("最低投票率（分子）"), default=1)
    turnout_denominator = models.PositiveSmallIntegerField(_("最低投票率（分母）"), default=2)
    nominations_close_at = models.DateTimeField(_("提名截止时间"), null=True, blank=True)
    voting_starts_at = models.DateTimeField(_("投票开始时间"))
    voting_ends_at = models.DateTimeField(_("投票结束时间"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ElectionStatus.choices, default=ElectionStatus.DRAFT, db_index=True
    )
    roll_frozen_at = models.DateTimeField(_("选民名单确定时间"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("封存票箱时间"), null=True, blank=True)
    tallied_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    outcome = models.CharField(_("选举结果"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    voters_count = models.PositiveIntegerField(_("登记选民数"), default=0)
    receipts_count = models.PositiveIntegerField(_("投票人数"), default=0)
    ballots_count = models.PositiveIntegerField(_("收回选票数"), default=0)
    valid_ballots_count = models.PositiveIntegerField(_("有效票数"), default=0)
    invalid_ballots_count = models.PositiveIntegerField(_("无效票数"), default=0)
    blank_ballots_count = models.PositiveIntegerField(_("空白票数"), default=0)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("选举")
        verbose_name_plural = _("选举")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ElectionStatus.values), name="election_status_valid"),
            models.CheckConstraint(condition=Q(electorate__in=ElectorateKind.values), name="election_electorate"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="election_outcome_valid"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="election_term_range"),
            models.CheckConstraint(
                condition=Q(voting_ends_at__gt=models.F("voting_starts_at")), name="election_window_range"
            ),
            models.CheckConstraint(
                condition=Q(turnout_denominator__gt=0) & Q(turnout_numerator__lt=models.F("turnout_denominator")),
                name="election_turnout_fraction",
            ),
            models.CheckConstraint(
                condition=~Q(electorate="body_members") | Q(electorate_body__isnull=False),
                name="election_electorate_body",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="election_unit_status"),
            models.Index(fields=["-created_at", "-id"], name="election_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def min_turnout(self) -> Fraction:
        return Fraction(self.turnout_numerator, self.turnout_denominator)

    @property
    def is_runoff(self) -> bool:
        return self.parent_id is not None

    def window_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.voting_starts_at <= now < self.voting_ends_at

    def nominations_open(self, now=None) -> bool:
        now = now or timezone.now()
        deadline = self.nominations_close_at or self.voting_starts_at
        return self.status == ElectionStatus.NOMINATING and now < deadline and not self.is_runoff


class EventKind(models.TextChoices):
    CREATED = "created", _("创建选举")
    UPDATED = "updated", _("修改选举")
    ROLL_FROZEN = "roll_frozen", _("确定选民名单，开始提名")
    ROLL_ADDED = "roll_added", _("补登选民")
    ROLL_REMOVED = "roll_removed", _("移出选民名单")
    NOMINATED = "nominated", _("提名候选人")
    QUALIFIED = "qualified", _("提名达到联名人数")
    ACCEPTED = "accepted", _("候选人接受提名")
    DECLINED = "declined", _("候选人拒绝提名")
    REJECTED = "rejected", _("提名不符合条件")
    PROXY_REGISTERED = "proxy_registered", _("登记书面委托")
    PROXY_REVOKED = "proxy_revoked", _("撤销委托")
    VOTING_OPENED = "voting_opened", _("开始投票")
    VOTING_CLOSED = "voting_closed", _("结束投票并封存票箱")
    TALLIED = "tallied", _("计票")
    PUBLISHED = "published", _("公布结果")
    SEATED = "seated", _("当选人就任")
    RUNOFF_CREATED = "runoff_created", _("发起另行选举")
    CANCELLED = "cancelled", _("取消选举")


class ElectionEvent(models.Model):
    """One step in an election's timeline (who did what, when) — never overwritten."""

    Kind = EventKind

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="election_event_kind")]

    def __str__(self) -> str:
        return f"{self.election} · {self.get_kind_display()}"


class RollEntry(models.Model):
    """One voter on an election's roll (frozen when nominations open; changes later need a reason)."""

    ACCESS_UNIT_PATH = "election__unit__path"
    ACCESS_OWNER = "user"

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        REMOVED = "removed", _("已移出")

    class Source(models.TextChoices):
        REGISTER = "register", _("名册生成")
        ADDED = "added", _("补登")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    number = models.PositiveIntegerField(_("选民编号"))
    name = models.CharField(_("姓名"), max_length=60)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REGISTER)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    reason = models.CharField(_("补登或移出原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("选民")
        verbose_name_plural = _("选民名单")
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="roll_number_unique"),
            models.UniqueConstraint(
                fields=["election", "resident"], condition=Q(resident__isnull=False), name="roll_resident_unique"
            ),
            models.UniqueConstraint(
                fields=["election", "user"], condition=Q(user__isnull=False), name="roll_user_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=["active", "removed"]), name="roll_status_valid"),
            models.CheckConstraint(condition=Q(source__in=["register", "added"]), name="roll_source_valid"),
        ]
        indexes = [models.Index(fields=["election", "status", "number"], name="roll_election_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def label(self) -> str:
        """The voter as posted on the roll: number and name."""
        return gettext("%(n)s号 %(name)s") % {"n": self.number, "name": self.name}


class NominationStatus(models.TextChoices):
    COLLECTING = "collecting", _("征集联名")
    QUALIFIED = "qualified", _("待候选人确认")
    ACCEPTED = "accepted", _("正式候选人")
    DECLINED = "declined", _("候选人拒绝")
    REJECTED = "rejected", _("不符合条件")


class NominationMethod(models.TextChoices):
    VOTERS = "voters", _("选民联名提名")
    BODY = "body", _("议事机构提名")
    RUNOFF = "runoff", _("另行选举候选人")


class Nomination(models.Model):
    """A person put forward for the election; accepted nominations are the candidates on the ballot."""

    ACCESS_UNIT_PATH = "election__unit__path"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(RollEntry, verbose_name=_("被提名人"), on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("提名方式"), max_length=10, choices=NominationMethod.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=NominationStatus.choices, default=NominationStatus.COLLECTING
    )
    body_decision = models.CharField(_("提名决定"), max_length=200, blank=True)
    statement = models.TextField(_("候选人简介"), blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    qualified_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提名")
        verbose_name_plural = _("提名")
        constraints = [
            models.UniqueConstraint(fields=["election", "nominee"], name="nomination_once_per_person"),
            models.CheckConstraint(condition=Q(status__in=NominationStatus.values), name="nomination_status"),
            models.CheckConstraint(condition=Q(method__in=NominationMethod.values), name="nomination_method"),
        ]
        indexes = [models.Index(fields=["election", "status"], name="nomination_election_status")]

    def __str__(self) -> str:
        return self.nominee.name

    @property
    def is_candidate(self) -> bool:
        return self.status == NominationStatus.ACCEPTED


class NominationSupport(models.Model):
    """A voter's signature on a joint nomination (联名), online or from a paper sheet entered by staff."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="supports")
    supporter = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="supports")
    paper = models.BooleanField(_("纸质联名"), default=False)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "supporter"], name="support_once")]

    def __str__(self) -> str:
        return f"{self.supporter} → {self.nomination}"


class ProxyAuthorization(models.Model):
    """A written authorization (委托书) letting one voter cast another's ballot."""

    ACCESS_UNIT_PATH = "election__unit__path"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="proxies")
    principal = models.ForeignKey(RollEntry, verbose_name=_("委托人"), on_delete=models.PROTECT, related_name="+")
    proxy = models.ForeignKey(RollEntry, verbose_name=_("受托人"), on_delete=models.PROTECT, related_name="+")
    document_number = models.CharField(_("委托书编号"), max_length=60)
    signed_on = models.DateField(_("签署日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(pgettext_lazy("proxy", "撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("书面委托")
        verbose_name_plural = _("书面委托")
        constraints = [
            models.UniqueConstraint(
                fields=["principal"], condition=Q(revoked_at__isnull=True), name="proxy_one_active_per_principal"
            ),
            models.UniqueConstraint(fields=["election", "document_number"], name="proxy_document_unique"),
            models.CheckConstraint(condition=~Q(principal=models.F("proxy")), name="proxy_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.proxy}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class VoteChannel(models.TextChoices):
    ONLINE = "online", _("网上投票")
    PROXY_ONLINE = "proxy_online", _("受托人网上代投")
    PAPER = "paper", _("纸质选票")
    PROXY_PAPER = "proxy_paper", _("受托人纸质代投")


class VoteReceipt(models.Model):
    """That a voter has voted (and how the ballot reached the box) — never what they chose."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="receipts")
    entry = models.OneToOneField(RollEntry, on_delete=models.PROTECT, related_name="receipt")
    channel = models.CharField(max_length=15, choices=VoteChannel.choices)
    proxy = models.ForeignKey(RollEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    voted_on = models.DateField(_("投票日期"))

    class Meta:
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=VoteChannel.values), name="receipt_channel_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=["proxy_online", "proxy_paper"], proxy__isnull=False)
                | Q(channel__in=["online", "paper"], proxy__isnull=True),
                name="receipt_proxy_consistent",
            ),
        ]
        indexes = [models.Index(fields=["election", "channel"], name="receipt_election_channel")]

    def __str__(self) -> str:
        return f"{self.entry} · {self.get_channel_display()}"


class BallotStatus(models.TextChoices):
    COUNTED = "counted", _("计入")
    PENDING = "pending", pgettext_lazy("ballot", "待复核")
    VOID = "void", _("已作废")


def _ballot_id() -> uuid.UUID:
    return uuid.uuid4()


class Ballot(models.Model):
    """A secret ballot: the choices and nothing that leads back to the voter (no voter, no time, random key).

    Online ballots are counted as cast. Paper ballots are typed in by one staff member after the box
    is opened (status pending) and count only once a second staff member confirms them (four eyes).
    """

    id = models.UUIDField(primary_key=True, default=_ballot_id, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    choices = models.JSONField(_("所选候选人"), default=list)
    paper = models.BooleanField(_("纸质选票"), default=False)
    spoiled = models.BooleanField(_("无效票"), default=False)
    status = models.CharField(max_length=10, choices=BallotStatus.choices, default=BallotStatus.COUNTED)
    entered_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BallotStatus.values), name="ballot_status_valid"),
            models.CheckConstraint(
                condition=Q(paper=True) | (Q(status="counted") & Q(entered_by__isnull=True)),
                name="ballot_online_counted",
            ),
            models.CheckConstraint(
                condition=~Q(status="counted", paper=True)
                | (Q(confirmed_by__isnull=False) & ~Q(confirmed_by=models.F("entered_by"))),
                name="ballot_paper_four_eyes",
            ),
            models.CheckConstraint(condition=Q(spoiled=False) | Q(choices=[]), name="ballot_spoiled_empty"),
        ]
        indexes = [models.Index(fields=["election", "status"], name="ballot_election_status")]

    def __str__(self) -> str:
        return f"{_('选票')} {str(self.id)[:8]}"

    @property
    def code(self) -> str:
        return str(self.id)[:8]


class ElectionResult(models.Model):
    """One candidate's votes in a tally, and what became of them (elected, tied, not elected)."""

    class Status(models.TextChoices):
        ELECTED = "elected", _("当选")
        TIED = "tied", _("票数相等，另行选举")
        NOT_ELECTED = "not_elected", _("未当选")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="result")
    votes = models.PositiveIntegerField(_("得票数"))
    rank = models.PositiveSmallIntegerField(_("名次"))
    status = models.CharField(_("结果"), max_length=12, choices=Status.choices)
    member = models.ForeignKey(
        "deliberation.BodyMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey("people.RoleGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("选举结果")
        verbose_name_plural = _("选举结果")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["elected", "tied", "not_elected"]), name="result_status"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.votes}"
