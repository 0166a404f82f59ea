"""Open311 API keys: issued by administrators to client applications; only a hash is stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key that lets an Open311 client submit service requests (appeals) for a unit's area."""

    ACCESS_UNIT_PATH = "unit__path"

    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("受理单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("通过该密钥提交的诉求默认归属的单位（坐标可定位到其下级网格）。"),
    )
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Submission(models.Model):
    """What an Open311 client sent with an appeal beyond the appeal itself (who sent it, device, media)."""

    ACCESS_UNIT_PATH = "appeal__unit_path"

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.CASCADE, related_name="open311")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 提交")
        verbose_name_plural = _("Open311 提交")

    def __str__(self) -> str:
        return f"{self.appeal_id} via {self.api_key_id}"
