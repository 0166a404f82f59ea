"""The JSON API at /api/v1/: one NinjaAPI, one error shape, session and bearer-token auth.

Each app contributes ``router`` in its ``api.py``; they are found and mounted here. Errors are
always ``{"error": {"code", "message", "fields"}}`` with a proper HTTP status — this module is one
of the two places where domain errors become HTTP (the other is gongzhi/web/errors.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from gongzhi.lib.errors import DomainError


class SessionAuth(APIKeyCookie):
    """The browser's session cookie, with CSRF checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class TokenAuth(HttpBearer):
    """A bearer token created by a user; it acts with that user's grants."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from gongzhi.people.actions import token_authenticate

        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


def actor(request: HttpRequest) -> Any:
    """Return the user acting in this request (session or token), or the anonymous user."""
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "is_authenticated", False):
        return auth
    return request.user


api = NinjaAPI(
    title="Gongzhi 共治 API",
    version="1",
    description=(
        "JSON API of Gongzhi. Sign in with the browser session (send the CSRF token on writes) or a "
        'bearer token created under /api/v1/me/tokens. Errors: {"error": {"code", "message", "fields"}}.'
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=Swagger(settings={"persistAuthorization": True}),
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _field_name(loc: list[Any]) -> str:
    # ninja locations look like ["body", "payload", "name"] or ["query", "limit"].
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie", "file")]
    if len(parts) > 1 and parts[0] in ("payload", "data", "filters", "params"):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _type_message(kind: str) -> str:
    """Return a translated message for a pydantic error type (pydantic's own messages are English only)."""
    if kind == "extra_forbidden":
        return _("未知字段。")
    if kind == "missing":
        return _("此项必填。")
    if kind.startswith("string_too_long"):
        return _("内容过长。")
    if kind.startswith("string"):
        return _("应为文本。")
    if kind.startswith("int"):
        return _("应为整数。")
    if kind.startswith(("float", "decimal")):
        return _("应为数字。")
    if kind.startswith("bool"):
        return _("应为 true 或 false。")
    if kind.startswith("datetime"):
        return _("时间格式应为ISO 8601，例如 2026-10-01T08:00:00+08:00。")
    if kind.startswith("date"):
        return _("日期格式应为YYYY-MM-DD。")
    if kind.startswith(("list", "tuple", "set")):
        return _("应为列表。")
    if kind.startswith(("dict", "model")):
        return _("应为JSON对象。")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _("超出允许的范围。")
    return _("格式不正确。")


def _is_whole_body(loc: list[Any]) -> bool:
    """Return whether an error is about the request body as a whole (absent, or not a JSON object)."""
    return len(loc) == 2 and loc[0] == "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = list(error.get("loc", []))
        if _is_whole_body(loc):
            # An empty body or a JSON array/string where an object belongs: the request itself is unreadable.
            return _error(request, 400, "bad_request", _("请求内容应为JSON对象。"))
        name = _field_name(loc)
        fields.setdefault(name, []).append(_type_message(str(error.get("type", ""))))
    return _error(request, 422, "invalid_input", _("提交的内容有误，请检查标出的字段。"), fields)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("请先登录，或提供有效的接口令牌。"))


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "forbidden", _("您没有执行此操作的权限。"))


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # CSRF failures on session writes arrive here.
    return _error(request, 403, "forbidden", str(exc) or _("您没有执行此操作的权限。"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 400:
        return _error(request, 400, "bad_request", _("无法解析请求内容（应为有效的JSON）。"))
    if status == 401:
        return _error(request, 401, "not_authenticated", _("请先登录，或提供有效的接口令牌。"))
    if status == 403:
        message = str(exc)
        if "CSRF" in message:
            message = _("缺少或无效的CSRF令牌。")
        return _error(request, 403, "forbidden", message)
    if status == 429:
        return _error(request, 429, "throttled", _("请求过于频繁，请稍后再试。"))
    return _error(request, status, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("找不到该对象，或您无权查看。"))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", _("提交的内容过大。"))


def _mount_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)


_mount_routers()
