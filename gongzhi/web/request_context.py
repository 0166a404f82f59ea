"""Per-request context (the client address) for actions that record it, without passing requests down."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("gongzhi_ip", default=None)


def set_ip(value: str | None) -> object:
    return _ip.set(value)


def reset_ip(token: object) -> None:
    _ip.reset(token)  # type: ignore[arg-type]


def current_ip() -> str | None:
    return _ip.get()
