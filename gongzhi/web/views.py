"""Sign-in, the desks, preferences, notifications and the public home page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi import access
from gongzhi.lib.errors import DomainError
from gongzhi.notify import actions as notify_actions
from gongzhi.notify import queries as notify_queries
from gongzhi.people import actions as people_actions
from gongzhi.people import auth as login_guard
from gongzhi.people import queries as people_queries
from gongzhi.people.roles import Role
from gongzhi.web.context import ELDERLY_COOKIE
from gongzhi.web.errors import apply_form_errors, staff_view
from gongzhi.web.forms import LoginForm, PasswordChangeForm, ProfileForm, TokenForm
from gongzhi.web.hooks import desk_panels, public_links
from gongzhi.web.middleware import client_ip

# The desk a person lands on: the first of their roles in this order.
DESK_ORDER = [
    Role.SYSTEM_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.STREET_STAFF,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.DEPARTMENT_HANDLER,
    Role.COMMUNITY_HEAD,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
    Role.REVIEWER,
    Role.REPRESENTATIVE,
    Role.RESIDENT,
]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in with a username or mobile number; pause after repeated failures."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        login_name = form.cleaned_data["username"]
        ip = client_ip(request)
        if login_guard.is_locked(login_name, ip):
            form.add_error(
                None,
                _("登录失败次数过多，请%(minutes)s分钟后再试。")
                % {"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
            status = 429
        else:
            user = authenticate(request, username=login_name, password=form.cleaned_data["password"])
            if user is None:
                login_guard.note_failure(login_name, ip)
                form.add_error(None, _("用户名/手机号或密码不正确。"))
                status = 400
            else:
                login_guard.clear_failures(login_name, ip)
                login(request, user)
                response = HttpResponseRedirect(_safe_next(request, reverse("web:home")))
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite="Lax",
                    secure=settings.PRODUCTION,
                )
                return response
    elif request.method == "POST":
        status = 400
    return render(request, "web/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已退出登录。"))
    return redirect("web:login")


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people go to their desk; everyone else sees the public home page."""
    if request.user.is_authenticated:
        return redirect("web:desk")
    links = []
    for link in public_links():
        try:
            links.append({"title": link.title, "text": link.text, "url": reverse(link.url_name)})
        except NoReverseMatch:
            continue
    return render(request, "web/home.html", {"public_links": links})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html")


def _desk_roles(user: Any) -> list[str]:
    held = access.roles(user)
    ordered = [str(role) for role in DESK_ORDER if role in held]
    return ordered or [str(Role.RESIDENT)]


@staff_view
def desk(request: HttpRequest) -> HttpResponse:
    """Each role's desk, composed of the panels that apps declare for it."""
    roles = _desk_roles(request.user)
    role = request.GET.get("role") or roles[0]
    if role not in roles:
        role = roles[0]
    panels = []
    for panel in desk_panels():
        if role in panel.roles:
            context = panel.context(request) if panel.context else {}
            panels.append({"panel": panel, "context": context})
    return render(
        request,
        "web/desk.html",
        {
            "role": role,
            "role_label": Role(role).label,
            "roles": [(r, Role(r).label) for r in roles],
            "panels": panels,
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (remembered in a cookie and, when signed in, in the profile)."""
    language = request.POST.get("language", "")
    codes = {code for code, _name in settings.LANGUAGES}
    response = redirect(_safe_next(request, reverse("web:home")))
    if language not in codes:
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.PRODUCTION,
    )
    if request.user.is_authenticated and request.user.language != language:
        people_actions.profile_update(actor=request.user, language=language)
    return response


@require_POST
def toggle_elderly(request: HttpRequest) -> HttpResponse:
    """Switch elderly mode (larger type, higher contrast) on or off."""
    response = redirect(_safe_next(request, reverse("web:home")))
    if request.user.is_authenticated:
        people_actions.profile_update(actor=request.user, elderly_mode=not request.user.elderly_mode)
    else:
        if request.COOKIES.get(ELDERLY_COOKIE) == "1":
            response.delete_cookie(ELDERLY_COOKIE)
        else:
            response.set_cookie(
                ELDERLY_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=settings.PRODUCTION
            )
    return response


@staff_view
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "email": user.email,
        "mobile": user.mobile,
        "language": user.language,
        "elderly_mode": user.elderly_mode,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            people_actions.profile_update(actor=user, **form.cleaned_data)
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            messages.success(request, _("个人设置已保存。"))
            response = redirect("web:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.PRODUCTION,
            )
            return response
    grants = people_queries.my_grants(user)
    return render(request, "web/profile.html", {"form": form, "grants": grants}, status=400 if form.errors else 200)


@staff_view
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people_actions.password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:profile")
    return render(request, "web/password_change.html", {"form": form}, status=400 if form.errors else 200)


@staff_view
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_secret = people_actions.token_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_form_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "web/tokens.html",
        {"form": form, "tokens": people_queries.my_tokens(request.user), "created_secret": created_secret},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_view
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = people_queries.access_token(request.user, token_id)
    people_actions.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已撤销。"))
    return redirect("web:tokens")


@staff_view
def notifications(request: HttpRequest) -> HttpResponse:
    page = notify_queries.inbox_page(
        request.user, unread=request.GET.get("unread") == "1", after=request.GET.get("cursor") or None, limit=30
    )
    return render(request, "web/notifications.html", {"page": page})


@require_POST
@staff_view
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = notify_queries.access_notification(request.user, notification_id)
    notify_actions.notification_mark_read(actor=request.user, notification=note)
    local = note.url.startswith("/") and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    target = note.url if local else reverse("web:notifications")
    return redirect(target)


@require_POST
@staff_view
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notify_actions.notifications_mark_all_read(actor=request.user)
    return redirect("web:notifications")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": _("缺少或无效的CSRF令牌。"), "fields": {}}}, status=403
        )
    return render(
        request, "web/error.html", {"error": DomainError(_("表单已过期，请刷新页面后重试。"), code="csrf")}, status=403
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from gongzhi.lib.errors import NotFound

    if request.path.startswith("/api/"):
        return JsonResponse(NotFound().as_dict(), status=404)
    return render(request, "web/error.html", {"error": NotFound(_("找不到该页面。"))}, status=404)
