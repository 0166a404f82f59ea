from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gongzhi.services"
    label = "services"
    verbose_name = _("便民服务")

    def ready(self) -> None:
        # The duties register refuses an appeal dispatch to a unit outside its duties (appeals knows only the hook).
        if apps.is_installed("gongzhi.appeals"):
            from gongzhi.appeals import routing
            from gongzhi.services import dispatch_check
            from gongzhi.services.models import Duty

            routing.register_dispatch_check(dispatch_check.dispatch_refusal)
            post_save.connect(dispatch_check.duties_changed, sender=Duty, dispatch_uid="services-duties-changed")
            post_delete.connect(dispatch_check.duties_changed, sender=Duty, dispatch_uid="services-duties-deleted")
