"""Pluggable senders for outside channels. Set GONGZHI_SMS_SENDER to a dotted path of a class with send()."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class OutboxSender:
    """Keep the message in the outbox only (no gateway configured); operators can read it there."""

    def send(self, *, address: str, subject: str, body: str) -> None:
        logger.info("sms/wechat outbox (no gateway configured): %s", subject)


class FailingSender:
    """A sender that always fails, for testing retries."""

    def send(self, *, address: str, subject: str, body: str) -> None:
        raise RuntimeError("gateway unavailable")
