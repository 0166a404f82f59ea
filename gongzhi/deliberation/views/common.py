"""Helpers shared by the deliberation pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from gongzhi.lib.errors import DomainError


def act(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str,
    redirect_to: str,
    on_error: Callable[[DomainError], HttpResponse],
) -> HttpResponse:
    """Run an action from a POSTed form: success redirects with a message; a refusal re-renders the page
    with the error (and its 4xx status), so nothing is lost and nothing is written."""
    try:
        action()
    except DomainError as exc:
        return on_error(exc)
    messages.success(request, success)
    return redirect(redirect_to)


def status_of(error: DomainError | None, form: Any = None) -> int:
    if error is not None:
        return error.status
    if form is not None and form.errors:
        return 400
    return 200


def posted(request: HttpRequest, name: str, default: str = "") -> str:
    return (request.POST.get(name) or default).strip()


def posted_bool(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "true", "on", "yes")
