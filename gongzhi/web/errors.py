"""The one decorator that turns domain errors into HTML responses (the API has its own handler)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.lib.errors import DomainError, Forbidden, NotAuthenticated, NotFound


def html_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a domain error as an error page with its status (401 sends to sign-in)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except DomainError as exc:
            template = "web/error_fragment.html" if request.headers.get("HX-Request") else "web/error.html"
            return render(request, template, {"error": exc}, status=exc.status)

    return wrapper


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require sign-in, then render domain errors (the usual stack for desk pages)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return html_errors(wrapper)


def apply_form_errors(form: Any, exc: DomainError) -> None:
    """Attach a domain error's fields to a Django form (unknown fields go to the form's general errors).

    Errors about who may do what (401, 403, 404) are not form errors: they are raised again, so the
    page answers with its status instead of redrawing the form as if the input were wrong.
    """
    if isinstance(exc, NotAuthenticated | Forbidden | NotFound):
        raise exc
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for name, messages in exc.fields.items():
        target = name if name in form.fields else None
        shown = form.errors.get(target or NON_FIELD_ERRORS, [])  # a form's own errors raised again show once
        for message in messages:
            if message not in shown:
                form.add_error(target, message)
