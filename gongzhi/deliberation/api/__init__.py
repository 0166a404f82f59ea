"""JSON API of deliberation, mounted at /api/v1/deliberation/... (one router, endpoints split by subject)."""

from gongzhi.deliberation.api import bodies, meetings, outcomes, participation, topics  # noqa: F401
from gongzhi.deliberation.api.base import router

__all__ = ["router"]
