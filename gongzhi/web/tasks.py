"""Load the periodic task schedule (Huey discovers tasks modules of installed apps)."""

from gongzhi import schedule  # noqa: F401
