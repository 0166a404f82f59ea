from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "gongzhi.units"
    label = "units"
    verbose_name = _("组织架构")
