"""Domain errors with stable codes and messages in Chinese and English.

Actions and queries raise these; they become HTTP responses in exactly two places:
the API exception handler (gongzhi/api.py) and the HTML view decorator (gongzhi/web/errors.py).
Messages are lazy translations, so the same error reads in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every error an action or query may raise on purpose."""

    status = 400
    code = "invalid"
    default_message: str | Promise = _("请求无效。")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = {
            name: [str(m) for m in (value if isinstance(value, list | tuple) else [value])]
            for name, value in (fields or {}).items()
        }
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        """Return the body of the one error shape: {"error": {"code", "message", "fields"}}."""
        return {"error": {"code": self.code, "message": str(self.message), "fields": self.fields}}


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule; `fields` names what is wrong."""

    status = 422
    code = "invalid_input"
    default_message = _("提交的内容有误，请检查标出的字段。")


class BadRequest(DomainError):
    """The request itself cannot be read (malformed JSON, wrong content type)."""

    status = 400
    code = "bad_request"
    default_message = _("无法读取请求内容。")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("请先登录。")


class Forbidden(DomainError):
    """The object is visible to the actor, but their role does not allow this action."""

    status = 403
    code = "forbidden"
    default_message = _("您没有执行此操作的权限。")


class NotFound(DomainError):
    """The object does not exist, or is outside the actor's scope: the same answer for both."""

    status = 404
    code = "not_found"
    default_message = _("找不到该对象，或您无权查看。")


class Conflict(DomainError):
    """The object changed under the actor (a concurrent edit, a duplicate)."""

    status = 409
    code = "conflict"
    default_message = _("该对象已被他人修改，请刷新后重试。")


class InvalidTransition(DomainError):
    """The workflow does not allow this move from the current state."""

    status = 409
    code = "invalid_transition"
    default_message = _("当前状态下不能执行此操作。")


class TooLarge(DomainError):
    status = 413
    code = "too_large"
    default_message = _("提交的内容过大。")


class Throttled(DomainError):
    status = 429
    code = "throttled"
    default_message = _("尝试次数过多，请稍后再试。")


def field_errors_from_django(error: Any) -> dict[str, list[str]]:
    """Turn a django ValidationError into the fields mapping of InvalidInput."""
    if hasattr(error, "message_dict"):
        return {("__all__" if k == "__all__" else k): [str(m) for m in v] for k, v in error.message_dict.items()}
    return {"__all__": [str(m) for m in getattr(error, "messages", [str(error)])]}
