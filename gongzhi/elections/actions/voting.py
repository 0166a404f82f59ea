"""Opening and closing the ballot box, secret ballots online and on paper."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.elections.actions._common import (
    S,
    _event,
    _lock,
    _reason,
    _require_voter,
    _url,
    _user,
    _voter_users,
    log,
)
from gongzhi.elections.models import (
    Ballot,
    BallotStatus,
    Election,
    ElectionEvent,
    Nomination,
    NominationStatus,
    ProxyAuthorization,
    RollEntry,
    VoteChannel,
    VoteReceipt,
)
from gongzhi.elections.workflow import transition
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from gongzhi.notify.service import send

# --- voting --------------------------------------------------------------------------------------


def candidates_of(election: Election) -> list[Nomination]:
    """Return the candidates on the ballot, in ballot order (by name)."""
    return list(
        Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED)
        .select_related("nominee")
        .order_by("nominee__name", "id")
    )


def _link_accounts(election: Election) -> None:
    """Copy accounts opened after the roll was frozen onto their roll entries (so voters find their entry)."""
    for entry in (
        RollEntry.objects.filter(election=election, user__isnull=True, resident__user__isnull=False)
        .only("pk", "resident__user_id")
        .select_related("resident")
    ):
        RollEntry.objects.filter(pk=entry.pk, user__isnull=True).update(user_id=entry.resident.user_id)


@transaction.atomic
def voting_open(*, actor: Any, election: Election) -> Election:
    """Open the ballot box at the start of the voting window (the candidates are then fixed)."""
    election = _lock(election)
    transition(election, S.VOTING, actor=actor)
    now = timezone.now()
    if now < election.voting_starts_at:
        raise InvalidTransition(
            _("投票时间尚未开始（%(at)s）。")
            % {"at": f"{timezone.localtime(election.voting_starts_at):%Y-%m-%d %H:%M}"},
            code="too_early",
        )
    if now >= election.voting_ends_at:
        raise InvalidTransition(_("投票时间已过，请修改投票时间或取消选举。"), code="window_passed")
    count = Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED).count()
    needed = election.seats + (1 if election.competitive and not election.is_runoff else 0)
    if count < needed:
        raise InvalidTransition(
            _("正式候选人%(count)s人，至少需要%(needed)s人（应选%(seats)s人%(kind)s）。")
            % {
                "count": count,
                "needed": needed,
                "seats": election.seats,
                "kind": _("，差额选举") if election.competitive else "",
            },
            code="not_enough_candidates",
        )
    _link_accounts(election)
    election.voters_count = RollEntry.objects.filter(election=election, status=RollEntry.Status.ACTIVE).count()
    election.save()
    _event(election, ElectionEvent.Kind.VOTING_OPENED, actor, _("正式候选人%(n)s人") % {"n": count})
    record(actor=actor, action="elections.voting_open", target=election, changes={"candidates": count})
    send(
        recipients=_voter_users(election),
        kind="elections.voting",
        title=gettext_lazy("“%(title)s”开始投票，截止%(ends)s"),
        params={"title": election.title, "ends": f"{timezone.localtime(election.voting_ends_at):%m-%d %H:%M}"},
        url=_url(election),
    )
    return election


def _seal(election: Election) -> int:
    """Rewrite the election's ballots in a random order with new random keys (one transaction).

    Afterwards a ballot row's physical position, key and writing transaction are the same kind of
    noise for every ballot, so nothing stored relates a ballot to the moment — or the voter — it came from.
    """
    rows = list(
        Ballot.objects.filter(election=election).values_list(
            "choices", "paper", "spoiled", "status", "entered_by_id", "confirmed_by_id", "void_reason"
        )
    )
    Ballot.objects.filter(election=election).delete()
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.bulk_create(
        [
            Ballot(
                id=uuid.uuid4(),
                election=election,
                choices=sorted(choices),
                paper=paper,
                spoiled=spoiled,
                status=status,
                entered_by_id=entered_by,
                confirmed_by_id=confirmed_by,
                void_reason=void_reason,
            )
            for choices, paper, spoiled, status, entered_by, confirmed_by, void_reason in rows
        ],
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        transaction.on_commit(_vacuum_ballots)
    return len(rows)


def _vacuum_ballots() -> None:
    """Reclaim the dead rows the seal left behind (they still carry the old order until vacuumed)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Ballot._meta.db_table}")
    except Exception:  # a failed vacuum must never undo a closed election; autovacuum will follow
        log.warning("could not vacuum the ballot table after sealing", exc_info=True)


@transaction.atomic
def voting_close(*, actor: Any, election: Election) -> Election:
    """Close the ballot box when the window has ended, and seal it."""
    election = _lock(election)
    transition(election, S.CLOSED, actor=actor)
    if timezone.now() < election.voting_ends_at:
        raise InvalidTransition(
            _("投票截止时间（%(at)s）未到，不能提前结束投票。")
            % {"at": f"{timezone.localtime(election.voting_ends_at):%Y-%m-%d %H:%M}"},
            code="too_early",
        )
    sealed = _seal(election)
    election.sealed_at = timezone.now()
    election.receipts_count = VoteReceipt.objects.filter(election=election).count()
    election.save()
    _event(election, ElectionEvent.Kind.VOTING_CLOSED, actor, _("投票%(n)s人") % {"n": election.receipts_count})
    record(
        actor=actor,
        action="elections.voting_close",
        target=election,
        changes={"receipts": election.receipts_count, "sealed_ballots": sealed},
    )
    return election


def _election_for_ballot(pk: int) -> Election:
    """Read the election for a vote, holding a share lock so closing waits for votes in flight."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Election._meta.db_table} WHERE id = %s FOR SHARE", [pk])  # noqa: S608 - a table name
    return Election.objects.select_related("unit").get(pk=pk)


def _voting_now(election: Election) -> None:
    if election.status != S.VOTING or not election.window_open():
        raise InvalidTransition(_("现在不在投票时间内，选票未被接收。"), code="voting_closed")


def _clean_choices(election: Election, choices: Iterable[Any]) -> list[int]:
    try:
        picked = [int(c) for c in choices]
    except (TypeError, ValueError):
        raise InvalidInput(fields={"choices": _("所选候选人无效。")}, code="invalid_choices") from None
    if len(set(picked)) != len(picked):
        raise InvalidInput(fields={"choices": _("同一候选人只能选一次。")}, code="invalid_choices")
    if len(picked) > election.seats:
        raise InvalidInput(
            fields={"choices": _("最多选%(n)s人（应选名额）。") % {"n": election.seats}}, code="invalid_choices"
        )
    valid = set(
        Nomination.objects.filter(election=election, status=NominationStatus.ACCEPTED).values_list("pk", flat=True)
    )
    if not set(picked) <= valid:
        raise InvalidInput(fields={"choices": _("所选的人不是本次选举的候选人。")}, code="invalid_choices")
    return sorted(picked)


def _record_receipt(
    election: Election, entry: RollEntry, channel: str, *, proxy: RollEntry | None, recorded_by: Any
) -> VoteReceipt:
    try:
        with transaction.atomic():
            return VoteReceipt.objects.create(
                election=election,
                entry=entry,
                channel=channel,
                proxy=proxy,
                recorded_by=_user(recorded_by),
                voted_on=timezone.localdate(),
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s已经投过票，每位选民只能投一次。") % {"name": entry.name}, code="already_voted"
        ) from None


def _proxy_for(election: Election, proxy: RollEntry, principal_number: int) -> RollEntry:
    principal = (
        RollEntry.objects.select_for_update()
        .filter(election=election, number=principal_number, status=RollEntry.Status.ACTIVE)
        .first()
    )
    authorized = (
        principal is not None
        and ProxyAuthorization.objects.filter(
            election=election, principal=principal, proxy=proxy, revoked_at__isnull=True
        ).exists()
    )
    if not authorized:
        raise Forbidden(_("没有该选民给您的有效书面委托。"), code="no_authorization")
    return principal


@transaction.atomic
def ballot_cast(*, actor: Any, election: Election, choices: list[int], on_behalf_of: int | None = None) -> VoteReceipt:
    """Cast a voter's secret ballot online (or, with a written authorization, the principal's ballot).

    Written synchronously in one transaction: the receipt (that the voter voted) and the ballot
    (what was chosen, with no reference to anyone) are committed together or not at all.
    """
    election = _election_for_ballot(election.pk)
    _voting_now(election)
    voter = _require_voter(election, actor, lock=True)
    picked = _clean_choices(election, choices)
    if on_behalf_of is None or on_behalf_of == voter.number:
        entry, channel, proxy = voter, VoteChannel.ONLINE, None
    else:
        entry, channel, proxy = _proxy_for(election, voter, on_behalf_of), VoteChannel.PROXY_ONLINE, voter
    receipt = _record_receipt(election, entry, channel, proxy=proxy, recorded_by=actor)
    Ballot.objects.create(election=election, choices=picked)
    record(
        actor=actor,
        action="elections.vote",
        target=election,
        changes={"voter": entry.number, "channel": channel, **({"proxy": proxy.number} if proxy else {})},
    )
    return receipt


@transaction.atomic
def paper_ballot_issue(*, actor: Any, election: Election, entry: RollEntry, proxy: RollEntry | None = None) -> None:
    """At the polling station: check the voter off the roll and hand out a paper ballot (or to their proxy)."""
    election = _election_for_ballot(election.pk)
    access.check(actor, "elections.poll", election)
    _voting_now(election)
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.election_id != election.pk or not entry.is_active:
        raise InvalidInput(fields={"entry": _("此人不在本次选举的选民名单上。")}, code="not_a_voter")
    channel = VoteChannel.PAPER
    if proxy is not None:
        if (
            proxy.election_id != election.pk
            or not ProxyAuthorization.objects.filter(principal=entry, proxy=proxy, revoked_at__isnull=True).exists()
        ):
            raise InvalidInput(fields={"proxy": _("没有登记该受托人的书面委托。")}, code="no_authorization")
        channel = VoteChannel.PROXY_PAPER
    _record_receipt(election, entry, channel, proxy=proxy, recorded_by=actor)
    record(
        actor=actor,
        action="elections.paper_issue",
        target=election,
        changes={"voter": entry.number, "channel": channel, **({"proxy": proxy.number} if proxy else {})},
    )


def _counting(election: Election) -> None:
    if election.status != S.CLOSED:
        raise InvalidTransition(_("纸质选票在投票结束、开箱后、计票前录入。"), code="not_counting")


@transaction.atomic
def paper_ballot_enter(*, actor: Any, election: Election, choices: list[int], spoiled: bool = False) -> Ballot:
    """Type in one paper ballot from the opened box; it counts only after a second person confirms it."""
    election = _lock(election)
    access.check(actor, "elections.count", election)
    _counting(election)
    if spoiled:
        if choices:
            raise InvalidInput(fields={"choices": _("无效票不填候选人。")}, code="invalid_choices")
        picked: list[int] = []
    else:
        picked = _clean_choices(election, choices)
    ballot = Ballot.objects.create(
        election=election, choices=picked, paper=True, spoiled=spoiled, status=BallotStatus.PENDING, entered_by=actor
    )
    record(actor=actor, action="elections.paper_enter", target=election, changes={"ballot": ballot.code})
    return ballot


def _pending_paper(election: Election, ballot: Ballot) -> Ballot:
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.election_id != election.pk or not ballot.paper:
        raise InvalidInput(fields={"ballot": _("找不到该纸质选票。")})
    if ballot.status != BallotStatus.PENDING:
        raise Conflict(_("该选票已复核。"), code="already_reviewed")
    return ballot


@transaction.atomic
def paper_ballot_confirm(*, actor: Any, ballot: Ballot) -> Ballot:
    """A second staff member checks a typed-in paper ballot against the sheet; only then does it count."""
    election = _lock(ballot.election)
    access.check(actor, "elections.count", election)
    _counting(election)
    ballot = _pending_paper(election, ballot)
    if ballot.entered_by_id == actor.pk:
        raise Forbidden(_("录入人不能复核自己录入的选票，请由另一位工作人员复核。"), code="four_eyes")
    ballot.status = BallotStatus.COUNTED
    ballot.confirmed_by = actor
    ballot.save(update_fields=["status", "confirmed_by"])
    record(actor=actor, action="elections.paper_confirm", target=election, changes={"ballot": ballot.code})
    return ballot


@transaction.atomic
def paper_ballot_reject(*, actor: Any, ballot: Ballot, reason: str) -> Ballot:
    """Void a typed-in paper ballot that does not match its sheet (it is then typed in again)."""
    election = _lock(ballot.election)
    access.check(actor, "elections.count", election)
    _counting(election)
    ballot = _pending_paper(election, ballot)
    ballot.status = BallotStatus.VOID
    ballot.void_reason = _reason(reason)
    ballot.confirmed_by = actor
    ballot.save(update_fields=["status", "void_reason", "confirmed_by"])
    record(
        actor=actor,
        action="elections.paper_reject",
        target=election,
        changes={"ballot": ballot.code, "reason": ballot.void_reason},
    )
    return ballot
