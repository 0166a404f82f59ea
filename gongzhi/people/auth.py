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
        user = _find(username)
        if user is None:
            User().set_password(password)  # spend the same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _account_key(login: str) -> str:
    """Return the failure counter key of the account a login names (username in any case, or mobile)."""
    user = _find(login)
    if user is not None:
        return f"login-fail:account:{user.pk}"
    # No such account: still count, so probing unknown names is throttled the same way.
    return "login-fail:name:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def _find(login: str) -> User | None:
    login = login.strip()
    if looks_like_mobile(login):
        from gongzhi.people.actions import mobile_lookup

        user = User.objects.filter(mobile_index=mobile_lookup(login)).first()
        if user is not None:
            return user
    return User.objects.filter(username__iexact=login).first()


def _counters(login: str, ip: str | None) -> list[tuple[str, int]]:
    """Return (counter key, limit) pairs: the account, and the client address with more room."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counters = [(_account_key(login), limit)]
    if ip:
        # An address gets more room than one account (several people may share an office address).
        counters.append((f"login-fail:ip:{ip}", limit * 4))
    return counters


def _lock_key(counter_key: str) -> str:
    return "login-lock:" + counter_key.removeprefix("login-fail:")


def is_locked(login: str, ip: str | None) -> bool:
    """Return whether sign-in is paused for this account or address after too many failures."""
    keys = [_lock_key(key) for key, _limit in _counters(login, ip)]
    return any(cache.get_many(keys).values())


def note_failure(login: str, ip: str | None) -> None:
    """Count a failed sign-in; at the limit, pause the account (or address) for LOGIN_LOCKOUT_SECONDS."""
    seconds = settings.LOGIN_LOCKOUT_SECONDS
    for key, limit in _counters(login, ip):
        cache.add(key, 0, timeout=seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
            count = 1
        if count >= limit:
            # A separate key with its own expiry: the pause lasts exactly the lockout, whatever the cache
            # backend does to the counter's expiry on incr (the file cache resets it).
            cache.set(_lock_key(key), True, timeout=seconds)
            cache.delete(key)


def clear_failures(login: str, ip: str | None) -> None:
    """Forget the account's failures after a successful sign-in (the address's count stays)."""
    cache.delete(_account_key(login))
