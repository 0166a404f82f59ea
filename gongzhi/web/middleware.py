"""Security headers, the user's language, the per-request context, API body limits and page messages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.web import request_context


class SecurityHeadersMiddleware:
    """Set a strict Content-Security-Policy (no inline scripts) and related headers on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Static files bypass Django's clickjacking middleware; frame nothing of ours anywhere.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address; behind a proxy, the nearest address the proxy appended."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") if settings.PRODUCTION else None
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Remember the client address for audit events written during this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_context.reset_ip(token)


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies before anything reads them, with the API's error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not request.content_type.startswith("multipart/"):
                return JsonResponse(
                    {"error": {"code": "too_large", "message": _("提交的内容过大。"), "fields": {}}}, status=413
                )
        return self.get_response(request)


class PageMessageMiddleware(MessageMiddleware):
    """Flash messages for pages only: the JSON API answers with its body and never shows one, so its
    requests skip making the message storage (a cookie signer and a session store each time)."""

    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith("/api/"):
            super().process_request(request)


LANGUAGE_COOKIE = "django_language"


class LanguageMiddleware:
    """Choose the language: the language cookie, else the user's saved language, else zh-hans.

    The browser's Accept-Language is deliberately ignored: the platform speaks Chinese unless a
    person chooses English (on the page or in their profile).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        codes = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in codes:
            user = getattr(request, "user", None)
            language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
        if language not in codes:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if "Vary" in response.headers:
            if "Cookie" not in response.headers["Vary"]:
                response.headers["Vary"] += ", Cookie"
        else:
            response.headers["Vary"] = "Cookie"
        return response
