from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "gongzhi.units"
    label = "units"
    verbose_name = _("组织架构")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from gongzhi.units.models import Unit
        from gongzhi.units.queries import units_changed

        post_save.connect(units_changed, sender=Unit, dispatch_uid="units-kept-copies-save")
        post_delete.connect(units_changed, sender=Unit, dispatch_uid="units-kept-copies-delete")
