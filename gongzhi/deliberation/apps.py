from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("协商议事")

    def ready(self) -> None:
        from gongzhi.deliberation.models import Inquiry, Resolution, Topic
        from gongzhi.units.actions import register_denormalized_path

        # These rows copy their unit's path for fast scoping; unit moves rewrite the copies.
        register_denormalized_path(Topic, "unit_path")
        register_denormalized_path(Resolution, "unit_path")
        register_denormalized_path(Inquiry, "unit_path")
