from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("诉求")

    def ready(self) -> None:
        from gongzhi.appeals import models
        from gongzhi.units.actions import register_denormalized_path

        # These rows copy their unit's path for prefix scoping; a unit move rewrites them.
        for model in (
            models.Appeal,
            models.Rating,
            models.WhistleRating,
            models.DailyStat,
            models.DailyCategoryStat,
            models.DailyCommunityStat,
            models.DailyCommunityCategoryStat,
        ):
            register_denormalized_path(model, "unit_path")
