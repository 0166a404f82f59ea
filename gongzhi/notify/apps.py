from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "gongzhi.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        # A sender that cannot be imported would only fail at the first delivery, hours later: fail now.
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.utils.module_loading import import_string

        for variable, path in (
            ("GONGZHI_SMS_SENDER", settings.GONGZHI_SMS_SENDER),
            ("GONGZHI_EMAIL_BACKEND", settings.EMAIL_BACKEND),
        ):
            try:
                import_string(path)
            except ImportError as exc:
                raise ImproperlyConfigured(f"{variable} cannot be imported: {path!r} ({exc})") from None
        if not callable(getattr(import_string(settings.GONGZHI_SMS_SENDER), "send", None)):
            raise ImproperlyConfigured(
                "GONGZHI_SMS_SENDER must name a class with a send(address=, subject=, body=) method"
            )
