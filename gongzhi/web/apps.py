from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def system_admins_only(request) -> bool:
    """Django admin is for system administrators: staff accounts that are superusers or hold system_admin."""
    from gongzhi import access
    from gongzhi.people.roles import Role

    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or Role.SYSTEM_ADMIN in access.roles(user)


class WebConfig(AppConfig):
    name = "gongzhi.web"
    label = "web"
    verbose_name = _("网页")

    def ready(self) -> None:
        from django.contrib import admin

        # The is_staff flag alone (which a careless edit could set) does not open the admin.
        admin.site.has_permission = system_admins_only
