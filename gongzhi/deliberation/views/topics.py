"""Topic pages: the public list, a topic's page (stages, why, timeline), proposing, co-signing, screening."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi import access
from gongzhi.deliberation import actions, queries
from gongzhi.deliberation.api.topics import stages
from gongzhi.deliberation.forms import OnBehalfForm, ProposeForm
from gongzhi.deliberation.models import Topic, TopicSource
from gongzhi.deliberation.views.common import act, posted, posted_bool, status_of
from gongzhi.deliberation.workflow import Stage, TopicStatus
from gongzhi.lib.errors import DomainError
from gongzhi.people.roles import Role
from gongzhi.web.errors import apply_form_errors, html_errors, staff_view


@html_errors
def topic_list(request: HttpRequest) -> HttpResponse:
    """Public topics, newest first, with filters and keyset pages (mobile first)."""
    stage = request.GET.get("stage", "")
    status = request.GET.get("status", "")
    text = request.GET.get("q", "")
    if stage and stage not in Stage.values:
        stage = ""
    if status and status not in TopicStatus.values:
        status = ""
    page = queries.public_topic_page(stage=stage, status=status, text=text, after=request.GET.get("cursor"), limit=20)
    return render(
        request,
        "deliberation/topic_list.html",
        {
            "page": page,
            "stages": Stage.choices,
            "statuses": TopicStatus.choices,
            "stage": stage,
            "status": status,
            "q": text,
            "can_propose": request.user.is_authenticated,
            "can_file": access.has_any(request.user, "deliberation.propose_on_behalf"),
        },
    )


def _topic_page(request: HttpRequest, topic_id: int, *, error: DomainError | None = None) -> HttpResponse:
    topic = queries.access_topic(request.user, topic_id)
    can_screen = access.can(request.user, "deliberation.screen", topic)
    merge_candidates = []
    if can_screen and topic.status == TopicStatus.SUBMITTED:
        merge_candidates = list(
            queries.topics_visible(request.user)
            .filter(body=topic.body, status__in=[TopicStatus.SUBMITTED, TopicStatus.PUBLISHED])
            .exclude(pk=topic.pk)[:50]
        )
    resolutions = list(topic.resolutions.all())
    refer_categories = queries.referral_categories() if can_screen and topic.status == TopicStatus.SUBMITTED else []
    return render(
        request,
        "deliberation/topic_detail.html",
        {
            "topic": topic,
            "stages": stages(topic),
            "explanation": queries.topic_explanation(topic),
            "timeline": queries.topic_timeline(topic, public_only=not can_screen),
            "cosigned": queries.topic_has_cosigned(request.user, topic),
            "can_cosign": request.user.is_authenticated
            and topic.status == TopicStatus.COLLECTING
            and topic.proposer_id != request.user.pk,
            "can_screen": can_screen and topic.status == TopicStatus.SUBMITTED,
            "can_party_screen": topic.status == TopicStatus.PARTY_REVIEW
            and access.can(request.user, "deliberation.party_screen", topic),
            "has_parent": topic.body.parent_id is not None,
            "merge_candidates": merge_candidates,
            "resolutions": resolutions,
            "linked_appeals": queries.topic_appeals(request.user, topic),
            "refer_categories": refer_categories,
            "error": error,
            "form_data": request.POST if error else {},
        },
        status=status_of(error),
    )


@html_errors
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _topic_page(request, topic_id)


@staff_view
def topic_propose(request: HttpRequest) -> HttpResponse:
    """A resident's proposal (collects co-signers) or a representative's (goes straight to screening)."""
    bodies = queries.bodies_open_to(request.user)
    representative = (
        Role.REPRESENTATIVE in access.roles(request.user) or queries.bodies_of_member(request.user).exists()
    )
    form = ProposeForm(
        request.POST or None, bodies=bodies, representative=representative, initial={"body": request.GET.get("body")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            topic = actions.topic_propose(
                actor=request.user,
                body=form.cleaned_data["body"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                as_representative=form.cleaned_data.get("as_representative", False),
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            if topic.status == TopicStatus.COLLECTING:
                messages.success(
                    request, _("提案已发布，请邀请邻居联署（需要%(n)s人）。") % {"n": topic.cosign_required}
                )
            else:
                messages.success(request, _("议题已提交，等待筛选。"))
            return redirect("deliberation:topic", topic.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("提出议题"), "back": "deliberation:topics", "no_bodies": not bodies.exists()},
        status=status_of(None, form),
    )


@staff_view
def topic_on_behalf(request: HttpRequest) -> HttpResponse:
    """Staff file a topic from a cluster of appeals or from a government or party body."""
    access.check_any(request.user, "deliberation.propose_on_behalf")
    bodies = queries.bodies_visible(request.user, "deliberation.propose_on_behalf").filter(is_active=True)
    # Arriving from the appeals pages: the selected appeals (work list) or one appeal (its page) fill the form.
    selected = request.POST.getlist("numbers") if request.POST.get("prefill") else request.GET.get("appeals", "")
    if request.method == "POST" and request.POST.get("prefill"):
        form = OnBehalfForm(bodies=bodies, initial={"source": "appeals", "appeal_numbers": " ".join(selected[:200])})
    elif request.method == "GET" and selected:
        form = OnBehalfForm(bodies=bodies, initial={"source": "appeals", "appeal_numbers": selected[:4000]})
    else:
        form = OnBehalfForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            topic = actions.topic_submit_on_behalf(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("议题已提交，等待筛选。"))
            return redirect("deliberation:topic", topic.pk)
    return render(
        request,
        "deliberation/form.html",
        {"form": form, "title": _("代为提交议题"), "back": "deliberation:topics", "sources": TopicSource},
        status=status_of(None, form),
    )


@require_POST
@staff_view
def topic_cosign(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = queries.access_topic(request.user, topic_id)
    return act(
        request,
        lambda: actions.topic_cosign(actor=request.user, topic=topic),
        success=_("感谢您的联署。"),
        redirect_to=f"/deliberation/topics/{topic.pk}/",
        on_error=lambda exc: _topic_page(request, topic_id, error=exc),
    )


@require_POST
@staff_view
def topic_screen(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = queries.access_topic(request.user, topic_id)
    merge_id = posted(request, "merge_into")
    public_matter = request.POST.get("is_public_matter")

    def run() -> Topic:
        merge_into = queries.access_topic(request.user, merge_id) if merge_id else None
        return actions.topic_screen(
            actor=request.user,
            topic=topic,
            decision=posted(request, "decision"),
            reason=posted(request, "reason"),
            is_public_matter=None if public_matter in (None, "") else public_matter == "1",
            merge_into=merge_into,
            refer_category=posted(request, "refer_category") or None,
        )

    return act(
        request,
        run,
        success=_("筛选结论已记录并公开。"),
        redirect_to=f"/deliberation/topics/{topic.pk}/",
        on_error=lambda exc: _topic_page(request, topic_id, error=exc),
    )


@require_POST
@staff_view
def topic_party_screen(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = queries.access_topic(request.user, topic_id)
    return act(
        request,
        lambda: actions.topic_party_screen(
            actor=request.user, topic=topic, approve=posted_bool(request, "approve"), reason=posted(request, "reason")
        ),
        success=_("党组织把关意见已记录。"),
        redirect_to=f"/deliberation/topics/{topic.pk}/",
        on_error=lambda exc: _topic_page(request, topic_id, error=exc),
    )


@staff_view
def topic_manage(request: HttpRequest) -> HttpResponse:
    """Topics in the staff member's reach, including those awaiting screening."""
    status = request.GET.get("status", "")
    if status and status not in TopicStatus.values:
        status = ""
    page = queries.topic_page(
        request.user, status=status, text=request.GET.get("q", ""), after=request.GET.get("cursor"), limit=50
    )
    return render(
        request,
        "deliberation/topic_manage.html",
        {"page": page, "statuses": TopicStatus.choices, "status": status, "q": request.GET.get("q", "")},
    )
