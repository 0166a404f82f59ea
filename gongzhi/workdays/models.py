"""The admin-editable calendar table that extends or corrects the statutory calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day whose working status differs from what the statutory library or the weekend says.

    Used for years the chinese-calendar library does not know yet (it stops at 2026), and for
    local arrangements. An entry always wins over the library.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选表示调休上班；不勾选表示放假。"))
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("例如：国庆节、国庆调休上班"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")

    def __str__(self) -> str:
        status = _("上班") if self.is_workday else _("放假")
        return f"{self.date} {status} {self.name}".strip()
