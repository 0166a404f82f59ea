"""In-app notifications and the outbox for e-mail and SMS/WeChat deliveries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message shown in the recipient's inbox."""

    ACCESS_OWNER = "recipient"
    ACCESS_UNIT_PATH = "recipient__grants__anchor_path"

    recipient = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A message to send through an outside channel (e-mail, SMS, WeChat), retried by a task."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")
        WECHAT = "wechat", _("微信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    ACCESS_OWNER = "recipient"
    ACCESS_UNIT_PATH = "recipient__grants__anchor_path"

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Addresses (e-mail, mobile) are encrypted like the register.
    address_encrypted = models.CharField(max_length=300)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]), name="delivery_status"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="delivery_pending")]

    def __str__(self) -> str:
        return f"{self.channel} {self.subject}"
