"""Sign-in: by username or mobile number, with throttling after repeated failures."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from gongzhi.lib.validators import looks_like_mobile
from gongzhi.people.models import User


class UsernameOrMobileBackend(ModelBackend):
    """Authenticate with a username (case-insensitive) or a registered mobile number."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        if username is None or password is None:
            return None
        login = username.strip()
        user: User | None
        if looks_like_mobile(login):
            from gongzhi.people.actions import mobile_lookup

            user = User.objects.filter(mobile_index=mobile_lookup(login)).first()
            if user is None:
                user = User.objects.filter(username__iexact=login).first()
        else:
            user = User.objects.filter(username__iexact=login).first()
        if user is None:
            User().set_password(password)  # spend the same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _keys(login: str, ip: str | None) -> list[str]:
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:user:{digest}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def is_locked(login: str, ip: str | None) -> bool:
    """Return whether sign-in is paused for this login or address after too many failures."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_keys(login, ip))
    # An address gets more room than one account (several people may share an office address).
    for key, count in counts.items():
        if count >= (limit * 4 if ":ip:" in key else limit):
            return True
    return False


def note_failure(login: str, ip: str | None) -> None:
    for key in _keys(login, ip):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear_failures(login: str, ip: str | None) -> None:
    cache.delete_many(_keys(login, ip)[:1])
