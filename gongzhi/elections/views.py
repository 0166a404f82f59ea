"""Election pages: voters (see, nominate, accept, vote on a phone, results) and the working group (set up,
roll, nominations, proxies, polling station, paper ballots, tally, publish). Public result notices need no sign-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.elections import actions, exports, queries
from gongzhi.elections.actions.setup import EDITABLE_IN_DRAFT, EDITABLE_WHILE_NOMINATING
from gongzhi.elections.forms import (
    AcceptForm,
    BallotForm,
    BodyNominationForm,
    ElectionForm,
    NominateForm,
    PaperBallotForm,
    PaperIssueForm,
    PaperNominationForm,
    ProxyForm,
    ReasonForm,
    RollAddForm,
    RollSearchForm,
    RunoffForm,
)
from gongzhi.elections.models import BallotStatus, Election, NominationStatus
from gongzhi.elections.workflow import ElectionStatus, allowed
from gongzhi.lib.errors import DomainError, Forbidden, InvalidInput, NotFound
from gongzhi.people.queries import residents_visible
from gongzhi.web.errors import apply_form_errors, html_errors, staff_view

S = ElectionStatus


def _can(request: HttpRequest, perm: str, election: Election) -> bool:
    return access.can(request.user, perm, election)


def _results_visible(request: HttpRequest, election: Election) -> bool:
    return election.status == S.PUBLISHED or (
        election.status == S.TALLIED and _can(request, "elections.roll", election)
    )


def _detail_context(request: HttpRequest, election: Election) -> dict[str, Any]:
    user = request.user
    state = queries.voter_state(user, election)
    nominations = list(queries.nominations(election)) if election.status != S.DRAFT else []
    return {
        "election": election,
        "state": state,
        "candidates": queries.candidates(election),
        "collecting": [n for n in nominations if n.status == NominationStatus.COLLECTING],
        "turnout": queries.turnout(election),
        "events": list(election.events.select_related("actor").order_by("at", "id")[:200]),
        "results_visible": _results_visible(request, election),
        "runoff": election.runoffs.exclude(status=S.CANCELLED).order_by("-id").first(),
        "can": {
            "manage": _can(request, "elections.manage", election),
            "roll": _can(request, "elections.roll", election),
            "poll": _can(request, "elections.poll", election),
            "count": _can(request, "elections.count", election),
            "certify": _can(request, "elections.certify", election),
            "open": allowed(election, S.NOMINATING, user),
            "start": allowed(election, S.VOTING, user),
            "close": allowed(election, S.CLOSED, user),
            "tally": allowed(election, S.TALLIED, user),
            "publish": allowed(election, S.PUBLISHED, user),
            "cancel": allowed(election, S.CANCELLED, user),
        },
        "cancel_form": ReasonForm(prefix="cancel"),
        "runoff_form": RunoffForm(prefix="runoff"),
        "accept_form": AcceptForm(prefix="accept"),
    }


def _render_detail(request: HttpRequest, election: Election, *, error: DomainError | None = None, **extra: Any):
    context = _detail_context(request, election)
    context.update(extra)
    context["error"] = error
    return render(request, "elections/detail.html", context, status=error.status if error else 200)


# --- lists ---------------------------------------------------------------------------------------


@staff_view
def election_list(request: HttpRequest) -> HttpResponse:
    """My elections (on the roll) and, for staff, the elections in my units."""
    mine = request.GET.get("mine") == "1"
    status = request.GET.get("status", "")
    if status and status not in S.values:
        raise InvalidInput(fields={"status": _("未知的状态。")})
    page = queries.election_page(
        request.user, after=request.GET.get("cursor") or None, limit=20, status=status, mine=mine
    )
    return render(
        request,
        "elections/list.html",
        {
            "page": page,
            "mine": mine,
            "status": status,
            "statuses": S.choices,
            "can_create": access.has_any(request.user, "elections.manage"),
        },
    )


@html_errors
def public_list(request: HttpRequest) -> HttpResponse:
    """Published results of elections (public notices)."""
    page = queries.public_page(after=request.GET.get("cursor") or None, limit=20)
    return render(request, "elections/public_list.html", {"page": page})


@html_errors
def public_detail(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.public_election(election_id)
    return render(
        request,
        "elections/public_detail.html",
        {
            "election": election,
            "results": queries.results(election),
            "runoff": election.runoffs.exclude(status=S.CANCELLED).order_by("-id").first(),
        },
    )


# --- one election --------------------------------------------------------------------------------


@staff_view
def detail(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    return _render_detail(request, election)


def _election_form(request: HttpRequest, election: Election | None) -> ElectionForm:
    editable = None
    initial: dict[str, Any] = {"proxy_limit": 3, "nomination_threshold": 10}
    if election is not None:
        editable = EDITABLE_IN_DRAFT if election.status == S.DRAFT else EDITABLE_WHILE_NOMINATING
        initial = {name: getattr(election, name) for name in EDITABLE_IN_DRAFT}
        initial["body"] = election.body
    elif request.GET.get("body"):
        initial["body"] = request.GET.get("body")
    return ElectionForm(
        request.POST or None,
        initial=initial,
        bodies=queries.bodies_for_elections(request.user),
        editable=editable,
    )


@staff_view
def create(request: HttpRequest) -> HttpResponse:
    access.check_any(request.user, "elections.manage")
    form = _election_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            election = actions.election_create(actor=request.user, **data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已创建选举“%(title)s”。") % {"title": election.title})
            return redirect("elections:detail", election.pk)
    status = 400 if form.errors else 200
    return render(request, "elections/form.html", {"form": form, "title": _("新建选举")}, status=status)


@staff_view
def edit(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    access.check(request.user, "elections.manage", election)
    if election.status not in (S.DRAFT, S.NOMINATING):
        raise InvalidInput(_("投票开始后不能再修改选举。"))
    form = _election_form(request, election)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "body"}
        try:
            actions.election_update(actor=request.user, election=election, **data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("elections:detail", election.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "title": _("修改选举"), "election": election}
    return render(request, "elections/form.html", context, status=status)


def _workflow(action_name: str, success: Any):
    """A POST-only page action that moves the election (open, start voting, close, tally, publish)."""

    @require_POST
    @staff_view
    def view(request: HttpRequest, election_id: int) -> HttpResponse:
        election = queries.access_election(request.user, election_id)
        try:
            getattr(actions, action_name)(actor=request.user, election=election)
        except DomainError as exc:
            return _render_detail(request, queries.access_election(request.user, election_id), error=exc)
        messages.success(request, str(success))
        if action_name in ("election_tally", "election_publish"):
            return redirect("elections:results", election.pk)
        return redirect("elections:detail", election.pk)

    view.__name__ = action_name
    return view


open_nominations = _workflow("election_open", gettext_lazy("选民名单已确定，开始提名。"))
open_voting = _workflow("voting_open", gettext_lazy("已开始投票。"))
close_voting = _workflow("voting_close", gettext_lazy("投票已结束，票箱已封存。"))
tally = _workflow("election_tally", gettext_lazy("计票完成。"))
publish = _workflow("election_publish", gettext_lazy("选举结果已公布，当选人已就任。"))


@require_POST
@staff_view
def cancel(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    form = ReasonForm(request.POST, prefix="cancel")
    try:
        if not form.is_valid():
            raise InvalidInput(fields={"reason": _("请填写取消原因。")})
        actions.election_cancel(actor=request.user, election=election, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _render_detail(request, election, error=exc, cancel_form=form)
    messages.success(request, _("选举已取消。"))
    return redirect("elections:detail", election.pk)


@require_POST
@staff_view
def runoff(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    form = RunoffForm(request.POST, prefix="runoff")
    try:
        if not form.is_valid():
            raise InvalidInput(fields=dict(form.errors.items()))
        created = actions.runoff_create(actor=request.user, election=election, **form.cleaned_data)
    except DomainError as exc:
        return _render_results(request, election, error=exc, runoff_form=form)
    messages.success(request, _("已发起另行选举。"))
    return redirect("elections:detail", created.pk)


def _render_results(request: HttpRequest, election: Election, *, error: DomainError | None = None, **extra: Any):
    if not _results_visible(request, election):
        raise NotFound()
    context = {
        "election": election,
        "results": queries.results(election),
        "runoff": election.runoffs.exclude(status=S.CANCELLED).order_by("-id").first(),
        "can_publish": allowed(election, S.PUBLISHED, request.user),
        "can_runoff": _can(request, "elections.certify", election),
        "runoff_form": RunoffForm(prefix="runoff"),
        "error": error,
    }
    context.update(extra)
    return render(request, "elections/results.html", context, status=error.status if error else 200)


@staff_view
def results(request: HttpRequest, election_id: int) -> HttpResponse:
    return _render_results(request, queries.access_election(request.user, election_id))


@staff_view
def results_xlsx(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    if not _results_visible(request, election):
        raise NotFound()
    return exports.results_xlsx(election)


@staff_view
def calendar(request: HttpRequest, election_id: int) -> HttpResponse:
    return exports.calendar_ics(queries.access_election(request.user, election_id))


# --- voter actions -------------------------------------------------------------------------------


@staff_view
def vote(request: HttpRequest, election_id: int) -> HttpResponse:
    """The ballot, built for a phone: tick up to the number of seats, then submit once."""
    election = queries.access_election(request.user, election_id)
    state = queries.voter_state(request.user, election)
    if state.entry is None:
        raise Forbidden(_("您不在本次选举的选民名单上。"), code="not_a_voter")
    candidates = queries.candidates(election)
    principals = state.principals
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, candidates=candidates, seats=election.seats, principals=principals)
    if request.method == "POST" and form.is_valid():
        on_behalf = form.cleaned_data.get("on_behalf_of") or None
        try:
            actions.ballot_cast(
                actor=request.user, election=election, choices=form.cleaned_data["choices"], on_behalf_of=on_behalf
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("您的选票已投出并记录。选票不记名，任何人都无法查看您选了谁。"))
            return redirect("elections:detail", election.pk)
    status = 400 if form.errors else 200
    context = {"election": election, "form": form, "state": state, "candidates": candidates}
    return render(request, "elections/vote.html", context, status=status)


@staff_view
def nominate(request: HttpRequest, election_id: int) -> HttpResponse:
    """Find someone on the posted voter list and nominate them (the nominator signs first)."""
    election = queries.access_election(request.user, election_id)
    search = RollSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    form = NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nominee = queries.roll_entry(election, number=form.cleaned_data["nominee_number"])
            actions.nomination_propose(
                actor=request.user, election=election, nominee=nominee, statement=form.cleaned_data["statement"]
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已提名%(name)s，请邀请其他选民联名。") % {"name": nominee.name})
            return redirect("elections:nominations", election.pk)
    context = {
        "election": election,
        "search": search,
        "matches": queries.public_roll(request.user, election, q=q) if q else [],
        "form": form,
        "state": queries.voter_state(request.user, election),
    }
    return render(request, "elections/nominate.html", context, status=400 if form.errors else 200)


def _nominations_context(request: HttpRequest, election: Election, **forms: Any) -> dict[str, Any]:
    can_manage = _can(request, "elections.manage", election)
    return {
        "election": election,
        "nominations": list(queries.nominations(election)),
        "state": queries.voter_state(request.user, election),
        "can_manage": can_manage,
        "paper_form": forms.get("paper_form") or PaperNominationForm(prefix="paper"),
        "body_form": forms.get("body_form") or BodyNominationForm(prefix="body"),
        "reject_form": ReasonForm(prefix="reject"),
        "accept_form": AcceptForm(prefix="accept"),
        "error": forms.get("error"),
    }


@staff_view
def nominations(request: HttpRequest, election_id: int) -> HttpResponse:
    """All nominations with their co-signers; voters co-sign here, the working group records paper and body ones."""
    election = queries.access_election(request.user, election_id)
    if request.method != "POST":
        return render(request, "elections/nominations.html", _nominations_context(request, election))
    kind = request.POST.get("kind")
    if kind == "paper":
        form = PaperNominationForm(request.POST, prefix="paper")
        forms = {"paper_form": form}
    elif kind == "body":
        form = BodyNominationForm(request.POST, prefix="body")
        forms = {"body_form": form}
    else:
        raise InvalidInput(fields={"kind": _("未知的提名方式。")})
    access.check(request.user, "elections.manage", election)
    if form.is_valid():
        data = form.cleaned_data
        try:
            nominee = queries.roll_entry(election, number=data["nominee_number"])
            if kind == "paper":
                supporters = queries.roll_entries_by_number(election, data["supporter_numbers"], "supporter_numbers")
                actions.nomination_record_paper(
                    actor=request.user,
                    election=election,
                    nominee=nominee,
                    supporters=supporters,
                    statement=data["statement"],
                )
            else:
                actions.nomination_by_body(
                    actor=request.user,
                    election=election,
                    nominee=nominee,
                    body_decision=data["body_decision"],
                    statement=data["statement"],
                )
        except NotFound:
            form.add_error("nominee_number", _("不在选民名单上。"))
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("已登记提名。"))
            return redirect("elections:nominations", election.pk)
    context = _nominations_context(request, election, **forms)
    return render(request, "elections/nominations.html", context, status=400)


def _nomination_action(request: HttpRequest, nomination_id: int, run: Any, success: str) -> HttpResponse:
    nomination = queries.access_nomination(request.user, nomination_id)
    election = nomination.election
    try:
        run(nomination)
    except DomainError as exc:
        context = _nominations_context(request, election, error=exc)
        return render(request, "elections/nominations.html", context, status=exc.status)
    messages.success(request, success)
    target = "elections:detail" if request.POST.get("next") == "detail" else "elections:nominations"
    return redirect(target, election.pk)


@require_POST
@staff_view
def support(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _nomination_action(
        request,
        nomination_id,
        lambda n: actions.nomination_support(actor=request.user, nomination=n),
        _("已联名支持。"),
    )


@require_POST
@staff_view
def accept(request: HttpRequest, nomination_id: int) -> HttpResponse:
    form = AcceptForm(request.POST, prefix="accept")
    statement = form.cleaned_data["statement"] if form.is_valid() and form.cleaned_data["statement"] else None
    return _nomination_action(
        request,
        nomination_id,
        lambda n: actions.nomination_accept(actor=request.user, nomination=n, statement=statement),
        _("您已接受提名，成为正式候选人。"),
    )


@require_POST
@staff_view
def decline(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _nomination_action(
        request,
        nomination_id,
        lambda n: actions.nomination_decline(actor=request.user, nomination=n, reason=request.POST.get("reason", "")),
        _("您已拒绝提名。"),
    )


@require_POST
@staff_view
def reject(request: HttpRequest, nomination_id: int) -> HttpResponse:
    form = ReasonForm(request.POST, prefix="reject")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _nomination_action(
        request,
        nomination_id,
        lambda n: actions.nomination_reject(actor=request.user, nomination=n, reason=reason),
        _("已认定该提名不符合条件。"),
    )


# --- the working group: roll, proxies, polling station, paper ballots ---------------------------


@staff_view
def roll(request: HttpRequest, election_id: int) -> HttpResponse:
    """The voter roll (identity numbers masked), with additions and removals before voting starts."""
    election = queries.access_election(request.user, election_id)
    access.check(request.user, "elections.roll", election)
    search = RollSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    status = request.GET.get("status", "active")
    error = None
    add_form = RollAddForm(prefix="add")
    if request.method == "POST":
        try:
            if request.POST.get("op") == "remove":
                form = ReasonForm(request.POST, prefix="remove")
                entry = queries.roll_entry(election, pk=request.POST.get("entry"))
                actions.roll_remove(
                    actor=request.user, entry=entry, reason=form.cleaned_data["reason"] if form.is_valid() else ""
                )
                messages.success(request, _("已将%(name)s移出选民名单。") % {"name": entry.name})
            else:
                add_form = RollAddForm(request.POST, prefix="add")
                resident = residents_visible(request.user).filter(pk=request.POST.get("resident") or 0).first()
                if resident is None:
                    raise InvalidInput(fields={"resident": _("找不到该居民。")})
                entry = actions.roll_add(
                    actor=request.user,
                    election=election,
                    resident=resident,
                    reason=add_form.cleaned_data["reason"] if add_form.is_valid() else "",
                )
                messages.success(request, _("已补登%(name)s（%(n)s号）。") % {"name": entry.name, "n": entry.number})
            return redirect(f"{request.path}?q={q}")
        except DomainError as exc:
            error = exc
    page = queries.roll_page(
        request.user, election, q=q, status=status, after=request.GET.get("cursor") or None, limit=50
    )
    register_matches = []
    if q and not q.isdigit() and _can(request, "elections.manage", election) and election.status == S.NOMINATING:
        on_roll = election.roll.filter(status="active").values("resident_id")
        register_matches = list(
            residents_visible(request.user)
            .filter(unit__path__startswith=election.unit.path, name__contains=q)
            .exclude(pk__in=on_roll)
            .select_related("unit")[:10]
        )
    context = {
        "election": election,
        "page": page,
        "search": search,
        "status": status,
        "register_matches": register_matches,
        "add_form": add_form,
        "remove_form": ReasonForm(prefix="remove"),
        "can_manage": _can(request, "elections.manage", election) and election.status == S.NOMINATING,
        "can_export": _can(request, "elections.roll_export", election),
        "error": error,
    }
    return render(request, "elections/roll.html", context, status=error.status if error else 200)


@staff_view
def roll_xlsx(request: HttpRequest, election_id: int) -> HttpResponse:
    election = queries.access_election(request.user, election_id)
    return exports.roll_xlsx(request.user, election)


@staff_view
def proxies(request: HttpRequest, election_id: int) -> HttpResponse:
    """Written proxies: register (with the authorization's number and date) or revoke before use."""
    election = queries.access_election(request.user, election_id)
    listing = queries.proxies(request.user, election)
    form = ProxyForm(prefix="proxy")
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("op") == "revoke":
                reason_form = ReasonForm(request.POST, prefix="revoke")
                authorization = listing.get(pk=request.POST.get("proxy") or 0)
                actions.proxy_revoke(
                    actor=request.user,
                    authorization=authorization,
                    reason=reason_form.cleaned_data["reason"] if reason_form.is_valid() else "",
                )
                messages.success(request, _("已撤销委托。"))
                return redirect("elections:proxies", election.pk)
            form = ProxyForm(request.POST, prefix="proxy")
            if form.is_valid():
                data = form.cleaned_data
                try:
                    principal = queries.roll_entry(election, number=data["principal_number"])
                    proxy = queries.roll_entry(election, number=data["proxy_number"])
                except NotFound:
                    raise InvalidInput(fields={"principal_number": _("委托人和受托人都须在选民名单上。")}) from None
                actions.proxy_register(
                    actor=request.user,
                    election=election,
                    principal=principal,
                    proxy=proxy,
                    document_number=data["document_number"],
                    signed_on=data["signed_on"],
                    note=data["note"],
                )
                messages.success(request, _("已登记书面委托。"))
                return redirect("elections:proxies", election.pk)
        except DomainError as exc:
            if form.is_bound:
                apply_form_errors(form, exc)
            error = exc
        except listing.model.DoesNotExist:
            error = NotFound()
    context = {
        "election": election,
        "proxies": list(listing),
        "form": form,
        "revoke_form": ReasonForm(prefix="revoke"),
        "can_manage": _can(request, "elections.manage", election) and election.status in (S.NOMINATING, S.VOTING),
        "error": error,
    }
    status = error.status if error else (400 if form.errors else 200)
    return render(request, "elections/proxies.html", context, status=status)


@staff_view
def paper(request: HttpRequest, election_id: int) -> HttpResponse:
    """The polling station (check voters off, hand out paper ballots) and, after closing, typing them in."""
    election = queries.access_election(request.user, election_id)
    if not (_can(request, "elections.poll", election) or _can(request, "elections.count", election)):
        access.check(request.user, "elections.count", election)
    candidates = queries.candidates(election)
    issue_form = PaperIssueForm(prefix="issue")
    enter_form = PaperBallotForm(prefix="enter", candidates=candidates, seats=election.seats)
    error = None
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "issue":
                issue_form = PaperIssueForm(request.POST, prefix="issue")
                if issue_form.is_valid():
                    data = issue_form.cleaned_data
                    try:
                        entry = queries.roll_entry(election, number=data["voter_number"])
                        proxy = (
                            queries.roll_entry(election, number=data["proxy_number"]) if data["proxy_number"] else None
                        )
                    except NotFound:
                        raise InvalidInput(fields={"voter_number": _("不在选民名单上。")}) from None
                    actions.paper_ballot_issue(actor=request.user, election=election, entry=entry, proxy=proxy)
                    messages.success(
                        request, _("%(n)s号%(name)s已领取选票。") % {"n": entry.number, "name": entry.name}
                    )
                    return redirect("elections:paper", election.pk)
            elif op == "enter":
                enter_form = PaperBallotForm(request.POST, prefix="enter", candidates=candidates, seats=election.seats)
                if enter_form.is_valid():
                    ballot = actions.paper_ballot_enter(
                        actor=request.user,
                        election=election,
                        choices=enter_form.cleaned_data["choices"],
                        spoiled=enter_form.cleaned_data["spoiled"],
                    )
                    messages.success(request, _("已录入选票%(code)s，待另一位工作人员复核。") % {"code": ballot.code})
                    return redirect("elections:paper", election.pk)
            elif op in ("confirm", "reject"):
                ballot = queries.access_paper_ballot(request.user, request.POST.get("ballot"))
                if op == "confirm":
                    actions.paper_ballot_confirm(actor=request.user, ballot=ballot)
                    messages.success(request, _("选票%(code)s复核无误，已计入。") % {"code": ballot.code})
                else:
                    actions.paper_ballot_reject(
                        actor=request.user, ballot=ballot, reason=request.POST.get("reason", "")
                    )
                    messages.success(request, _("选票%(code)s已作废，请重新录入。") % {"code": ballot.code})
                return redirect("elections:paper", election.pk)
            else:
                raise InvalidInput(fields={"op": _("未知操作。")})
        except DomainError as exc:
            if op in ("issue", "enter"):
                apply_form_errors(issue_form if op == "issue" else enter_form, exc)
            error = exc
    can_count = _can(request, "elections.count", election)
    pending = list(queries.paper_ballots(request.user, election)) if can_count else []
    names = {c.pk: c.nominee.name for c in candidates}
    for ballot in pending:
        ballot.names = [names.get(pk, "?") for pk in ballot.choices]
    form_errors = issue_form.errors or enter_form.errors
    context = {
        "election": election,
        "candidates": candidates,
        "issue_form": issue_form,
        "enter_form": enter_form,
        "pending": pending,
        "turnout": queries.turnout(election),
        "can_issue": _can(request, "elections.poll", election) and election.status == S.VOTING,
        "can_enter": can_count and election.status == S.CLOSED,
        "counted": queries.paper_ballots(request.user, election, status=BallotStatus.COUNTED).count()
        if can_count
        else 0,
        "error": error,
    }
    status = error.status if error else (400 if form_errors else 200)
    return render(request, "elections/paper.html", context, status=status)
