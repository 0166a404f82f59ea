"""Nominations, co-signatures, candidacies and written proxies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi import access
from gongzhi.audit.chain import record
from gongzhi.elections.actions._common import (
    S,
    _entry_user,
    _event,
    _lock,
    _reason,
    _require_voter,
    _url,
    _user,
)
from gongzhi.elections.models import (
    Election,
    ElectionEvent,
    Nomination,
    NominationMethod,
    NominationStatus,
    NominationSupport,
    ProxyAuthorization,
    RollEntry,
    VoteReceipt,
)
from gongzhi.lib.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from gongzhi.notify.service import send

# --- nominations ---------------------------------------------------------------------------------


def _nominations_open(election: Election) -> None:
    if election.is_runoff:
        raise InvalidTransition(_("另行选举的候选人已确定，不接受提名。"), code="nominations_closed")
    if not election.nominations_open():
        raise InvalidTransition(_("现在不在提名期内。"), code="nominations_closed")


def _before_voting(election: Election) -> None:
    if election.status != S.NOMINATING or timezone.now() >= election.voting_starts_at:
        raise InvalidTransition(_("投票开始后不能再变更候选人。"), code="candidates_locked")


def _check_nominee(election: Election, nominee: RollEntry) -> None:
    if nominee.election_id != election.pk or not nominee.is_active:
        raise InvalidInput(fields={"nominee": _("被提名人必须是本次选举的在册选民。")})
    if _entry_user(nominee) is None:
        raise InvalidInput(
            fields={"nominee": _("被提名人尚未开通平台账号：当选后须以本人账号履职，请先为其开通账号。")}
        )
    if Nomination.objects.filter(election=election, nominee=nominee).exists():
        raise Conflict(_("此人已被提名。"), code="already_nominated")


def _new_nomination(
    election: Election, nominee: RollEntry, method: str, actor: Any, *, body_decision: str = "", statement: str = ""
) -> Nomination:
    _check_nominee(election, nominee)
    try:
        with transaction.atomic():
            return Nomination.objects.create(
                election=election,
                nominee=nominee,
                method=method,
                body_decision=body_decision,
                statement=(statement or "").strip()[:2000],
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("此人已被提名。"), code="already_nominated") from None


def _support_limit_reached(election: Election, supporter: RollEntry) -> bool:
    used = NominationSupport.objects.filter(nomination__election=election, supporter=supporter).exclude(
        nomination__status__in=[NominationStatus.REJECTED, NominationStatus.DECLINED]
    )
    return used.count() >= election.seats


def _add_support(nomination: Nomination, supporter: RollEntry, actor: Any, *, paper: bool) -> None:
    election = nomination.election
    if supporter.election_id != election.pk or not supporter.is_active:
        raise InvalidInput(fields={"supporters": _("联名人必须是本次选举的在册选民。")})
    if NominationSupport.objects.filter(nomination=nomination, supporter=supporter).exists():
        raise Conflict(_("%(name)s已联名支持该提名。") % {"name": supporter.name}, code="already_supported")
    if _support_limit_reached(election, supporter):
        raise InvalidInput(
            _("每位选民联名提名的人数不能多于应选名额（%(n)s人）。") % {"n": election.seats},
            code="support_limit",
            fields={"supporters": _("%(name)s的联名次数已用完。") % {"name": supporter.name}},
        )
    try:
        with transaction.atomic():
            NominationSupport.objects.create(
                nomination=nomination, supporter=supporter, paper=paper, recorded_by=actor
            )
    except IntegrityError:
        raise Conflict(_("%(name)s已联名支持该提名。") % {"name": supporter.name}, code="already_supported") from None


def _supporters_count(nomination: Nomination) -> int:
    return nomination.supports.filter(supporter__status=RollEntry.Status.ACTIVE).count()


def _requalify(nomination: Nomination) -> None:
    """Recompute whether a voters' nomination has enough active co-signers (after a signature or removal)."""
    if nomination.method != NominationMethod.VOTERS:
        return
    enough = _supporters_count(nomination) >= nomination.election.nomination_threshold
    if enough and nomination.status == NominationStatus.COLLECTING:
        nomination.status = NominationStatus.QUALIFIED
        nomination.qualified_at = timezone.now()
        nomination.save(update_fields=["status", "qualified_at"])
        _event(nomination.election, ElectionEvent.Kind.QUALIFIED, None, nomination.nominee.name)
        nominee_user = _entry_user(nomination.nominee)
        send(
            recipients=[nominee_user] if nominee_user else [],
            kind="elections.nominated",
            title=gettext_lazy("您被提名为“%(title)s”的候选人，请确认是否接受"),
            params={"title": nomination.election.title},
            url=_url(nomination.election),
        )
    elif not enough and nomination.status == NominationStatus.QUALIFIED:
        nomination.status = NominationStatus.COLLECTING
        nomination.qualified_at = None
        nomination.save(update_fields=["status", "qualified_at"])


@transaction.atomic
def nomination_propose(*, actor: Any, election: Election, nominee: RollEntry, statement: str = "") -> Nomination:
    """A voter nominates someone on the roll and signs first; others co-sign until the threshold is met."""
    election = _lock(election)
    supporter = _require_voter(election, actor, lock=True)
    _nominations_open(election)
    nominee = RollEntry.objects.select_related("resident__user", "user").get(pk=nominee.pk)
    nomination = _new_nomination(election, nominee, NominationMethod.VOTERS, actor, statement=statement)
    _add_support(nomination, supporter, actor, paper=False)
    _requalify(nomination)
    _event(
        election,
        ElectionEvent.Kind.NOMINATED,
        actor,
        _("%(voter)s号选民提名%(name)s")
        % {
            "voter": supporter.number,
            "name": nominee.name,
        },
    )
    record(
        actor=actor,
        action="elections.nominate",
        target=election,
        changes={"nominee": nominee.number, "method": NominationMethod.VOTERS},
    )
    return nomination


@transaction.atomic
def nomination_support(*, actor: Any, nomination: Nomination) -> Nomination:
    """A voter co-signs a joint nomination (one signature per voter and nomination)."""
    election = _lock(nomination.election)
    supporter = _require_voter(election, actor, lock=True)
    _nominations_open(election)
    nomination = Nomination.objects.select_for_update().select_related("nominee").get(pk=nomination.pk)
    nomination.election = election
    if nomination.method != NominationMethod.VOTERS or nomination.status != NominationStatus.COLLECTING:
        raise InvalidTransition(_("该提名不在征集联名阶段。"), code="not_collecting")
    _add_support(nomination, supporter, actor, paper=False)
    _requalify(nomination)
    record(
        actor=actor,
        action="elections.support",
        target=election,
        changes={"nominee": nomination.nominee.number, "supporter": supporter.number},
    )
    return nomination


@transaction.atomic
def nomination_record_paper(
    *, actor: Any, election: Election, nominee: RollEntry, supporters: list[RollEntry], statement: str = ""
) -> Nomination:
    """Staff enter a joint nomination signed on paper, with every signer from the roll."""
    election = _lock(election)
    access.check(actor, "elections.manage", election)
    _nominations_open(election)
    if not supporters:
        raise InvalidInput(fields={"supporters": _("请填写联名人。")})
    if len({s.pk for s in supporters}) != len(supporters):
        raise InvalidInput(fields={"supporters": _("联名人有重复。")})
    nominee = RollEntry.objects.select_related("resident__user", "user").get(pk=nominee.pk)
    nomination = _new_nomination(election, nominee, NominationMethod.VOTERS, actor, statement=statement)
    for supporter in supporters:
        _add_support(nomination, supporter, actor, paper=True)
    _requalify(nomination)
    _event(
        election,
        ElectionEvent.Kind.NOMINATED,
        actor,
        _("纸质联名提名%(name)s（%(n)s人联名）") % {"name": nominee.name, "n": len(supporters)},
    )
    record(
        actor=actor,
        action="elections.nominate",
        target=election,
        changes={"nominee": nominee.number, "method": "paper", "supporters": [s.number for s in supporters]},
    )
    return nomination


@transaction.atomic
def nomination_by_body(
    *, actor: Any, election: Election, nominee: RollEntry, body_decision: str, statement: str = ""
) -> Nomination:
    """Record a nomination made by the body (or the party branch) by a decision, ready for the nominee to accept."""
    election = _lock(election)
    access.check(actor, "elections.manage", election)
    _nominations_open(election)
    if not election.body_nominations:
        raise InvalidInput(_("本次选举不接受议事机构提名。"), code="body_nominations_off")
    decision = _reason(body_decision, "body_decision")
    nominee = RollEntry.objects.select_related("resident__user", "user").get(pk=nominee.pk)
    nomination = _new_nomination(
        election, nominee, NominationMethod.BODY, actor, body_decision=decision, statement=statement
    )
    nomination.status = NominationStatus.QUALIFIED
    nomination.qualified_at = timezone.now()
    nomination.save(update_fields=["status", "qualified_at"])
    _event(
        election,
        ElectionEvent.Kind.NOMINATED,
        actor,
        _("议事机构提名%(name)s：%(d)s")
        % {
            "name": nominee.name,
            "d": decision,
        },
    )
    record(
        actor=actor,
        action="elections.nominate",
        target=election,
        changes={"nominee": nominee.number, "method": NominationMethod.BODY, "decision": decision},
    )
    nominee_user = _entry_user(nominee)
    send(
        recipients=[nominee_user] if nominee_user else [],
        kind="elections.nominated",
        title=gettext_lazy("您被提名为“%(title)s”的候选人，请确认是否接受"),
        params={"title": election.title},
        url=_url(election),
    )
    return nomination


def _lock_nomination(nomination: Nomination) -> tuple[Election, Nomination]:
    election = _lock(nomination.election)
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("nominee__user", "nominee__resident__user")
        .get(pk=nomination.pk)
    )
    nomination.election = election
    return election, nomination


def _require_nominee(nomination: Nomination, actor: Any) -> None:
    nominee_user = _entry_user(nomination.nominee)
    if nominee_user is None or _user(actor) is None or nominee_user.pk != actor.pk:
        raise Forbidden(_("只有被提名人本人可以确认或拒绝提名。"), code="not_nominee")


@transaction.atomic
def nomination_accept(*, actor: Any, nomination: Nomination, statement: str | None = None) -> Nomination:
    """The nominee accepts and becomes a candidate on the ballot (optionally with a short statement)."""
    election, nomination = _lock_nomination(nomination)
    _require_nominee(nomination, actor)
    _before_voting(election)
    if nomination.status == NominationStatus.ACCEPTED:
        raise Conflict(_("您已接受提名。"), code="already_accepted")
    if nomination.status != NominationStatus.QUALIFIED:
        raise InvalidTransition(_("该提名尚未达到联名人数，或已失效。"), code="not_qualified")
    nomination.status = NominationStatus.ACCEPTED
    nomination.responded_at = timezone.now()
    if statement is not None:
        nomination.statement = statement.strip()[:2000]
    nomination.save()
    _event(election, ElectionEvent.Kind.ACCEPTED, actor, nomination.nominee.name)
    record(actor=actor, action="elections.accept", target=election, changes={"nominee": nomination.nominee.number})
    return nomination


@transaction.atomic
def nomination_decline(*, actor: Any, nomination: Nomination, reason: str = "") -> Nomination:
    """The nominee declines (or withdraws an acceptance) before voting starts."""
    election, nomination = _lock_nomination(nomination)
    _require_nominee(nomination, actor)
    _before_voting(election)
    if nomination.status not in (NominationStatus.COLLECTING, NominationStatus.QUALIFIED, NominationStatus.ACCEPTED):
        raise InvalidTransition(_("该提名已失效。"), code="not_open")
    nomination.status = NominationStatus.DECLINED
    nomination.reason = _reason(reason, required=False)
    nomination.responded_at = timezone.now()
    nomination.save()
    _event(election, ElectionEvent.Kind.DECLINED, actor, nomination.nominee.name)
    record(actor=actor, action="elections.decline", target=election, changes={"nominee": nomination.nominee.number})
    return nomination


@transaction.atomic
def nomination_reject(*, actor: Any, nomination: Nomination, reason: str) -> Nomination:
    """The election working group finds a nomination ineligible, with the reason (shown to voters)."""
    election, nomination = _lock_nomination(nomination)
    access.check(actor, "elections.manage", election)
    _before_voting(election)
    if nomination.status not in (NominationStatus.COLLECTING, NominationStatus.QUALIFIED, NominationStatus.ACCEPTED):
        raise InvalidTransition(_("该提名已失效。"), code="not_open")
    nomination.status = NominationStatus.REJECTED
    nomination.reason = _reason(reason)
    nomination.save()
    _event(election, ElectionEvent.Kind.REJECTED, actor, f"{nomination.nominee.name}：{nomination.reason}")
    record(
        actor=actor,
        action="elections.reject",
        target=election,
        changes={"nominee": nomination.nominee.number, "reason": nomination.reason},
    )
    nominee_user = _entry_user(nomination.nominee)
    send(
        recipients=[nominee_user] if nominee_user else [],
        kind="elections.rejected",
        title=gettext_lazy("您在“%(title)s”中的提名未获通过：%(reason)s"),
        params={"title": election.title, "reason": nomination.reason},
        url=_url(election),
    )
    return nomination


# --- written proxies -----------------------------------------------------------------------------


def _active_proxies_held(proxy: RollEntry) -> int:
    return ProxyAuthorization.objects.filter(proxy=proxy, revoked_at__isnull=True).count()


@transaction.atomic
def proxy_register(
    *,
    actor: Any,
    election: Election,
    principal: RollEntry,
    proxy: RollEntry,
    document_number: str,
    signed_on: dt.date,
    note: str = "",
) -> ProxyAuthorization:
    """Record a written authorization: the proxy may cast the principal's ballot (limit per proxy, default 3)."""
    election = _lock(election)
    access.check(actor, "elections.manage", election)
    if election.status not in (S.NOMINATING, S.VOTING) or timezone.now() >= election.voting_ends_at:
        raise InvalidTransition(_("只能在投票结束前登记委托。"), code="proxies_closed")
    document_number = " ".join((document_number or "").split())
    errors: dict[str, str] = {}
    if not document_number or len(document_number) > 60:
        errors["document_number"] = _("请填写书面委托书编号（不超过60个字符）。")
    if signed_on is None or signed_on > timezone.localdate():
        errors["signed_on"] = _("签署日期不能晚于今天。")
    entries = {
        e.pk: e
        for e in RollEntry.objects.select_for_update().filter(pk__in=[principal.pk, proxy.pk], election=election)
    }
    principal, proxy = entries.get(principal.pk), entries.get(proxy.pk)
    if principal is None or not principal.is_active:
        errors["principal"] = _("委托人必须是本次选举的在册选民。")
    if proxy is None or not proxy.is_active:
        errors["proxy"] = _("受托人必须是本次选举的在册选民。")
    if errors:
        raise InvalidInput(fields=errors)
    if principal.pk == proxy.pk:
        raise InvalidInput(fields={"proxy": _("不能委托本人。")})
    if VoteReceipt.objects.filter(entry=principal).exists():
        raise Conflict(_("委托人已经投票。"), code="already_voted")
    if ProxyAuthorization.objects.filter(principal=principal, revoked_at__isnull=True).exists():
        raise Conflict(_("委托人已委托他人，请先撤销原委托。"), code="already_delegated")
    if ProxyAuthorization.objects.filter(principal=proxy, revoked_at__isnull=True).exists():
        raise InvalidInput(fields={"proxy": _("受托人本人已委托他人投票，不能再接受委托。")})
    if ProxyAuthorization.objects.filter(proxy=principal, revoked_at__isnull=True).exists():
        raise InvalidInput(fields={"principal": _("委托人正受他人委托，不能再委托他人。")})
    if _active_proxies_held(proxy) >= election.proxy_limit:
        raise InvalidInput(
            _("每位受托人最多接受%(n)s人的委托。") % {"n": election.proxy_limit},
            code="proxy_limit",
            fields={
                "proxy": _("%(name)s已接受%(n)s人委托，达到上限。") % {"name": proxy.name, "n": election.proxy_limit}
            },
        )
    if ProxyAuthorization.objects.filter(election=election, document_number=document_number).exists():
        raise InvalidInput(fields={"document_number": _("该委托书编号已登记。")})
    authorization = ProxyAuthorization.objects.create(
        election=election,
        principal=principal,
        proxy=proxy,
        document_number=document_number,
        signed_on=signed_on,
        note=(note or "").strip()[:200],
        recorded_by=actor,
    )
    _event(
        election,
        ElectionEvent.Kind.PROXY_REGISTERED,
        actor,
        _("%(p)s号委托%(q)s号（委托书%(d)s）") % {"p": principal.number, "q": proxy.number, "d": document_number},
    )
    record(
        actor=actor,
        action="elections.proxy_register",
        target=election,
        changes={"principal": principal.number, "proxy": proxy.number, "document": document_number},
    )
    proxy_user = _entry_user(proxy)
    send(
        recipients=[proxy_user] if proxy_user else [],
        kind="elections.proxy",
        title=gettext_lazy("%(name)s书面委托您在“%(title)s”中代为投票"),
        params={"name": principal.name, "title": election.title},
        url=_url(election),
    )
    return authorization


@transaction.atomic
def proxy_revoke(*, actor: Any, authorization: ProxyAuthorization, reason: str) -> ProxyAuthorization:
    """Withdraw a written authorization before it has been used."""
    election = _lock(authorization.election)
    access.check(actor, "elections.manage", election)
    authorization = (
        ProxyAuthorization.objects.select_for_update().select_related("principal", "proxy").get(pk=authorization.pk)
    )
    if authorization.revoked_at is not None:
        raise Conflict(_("该委托已撤销。"), code="already_revoked")
    if VoteReceipt.objects.filter(entry=authorization.principal).exists():
        raise Conflict(_("委托人已经投票，委托不能再撤销。"), code="already_voted")
    authorization.revoke_reason = _reason(reason)
    authorization.revoked_at = timezone.now()
    authorization.revoked_by = actor
    authorization.save()
    _event(
        election,
        ElectionEvent.Kind.PROXY_REVOKED,
        actor,
        f"{authorization.principal.number} → {authorization.proxy.number}：{authorization.revoke_reason}",
    )
    record(
        actor=actor,
        action="elections.proxy_revoke",
        target=election,
        changes={"principal": authorization.principal.number, "reason": authorization.revoke_reason},
    )
    return authorization
