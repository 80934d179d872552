from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "rathaus.appointments"
    label = "appointments"
    verbose_name = _("Terminvergabe")

    def ready(self):
        from . import shown_offers, signals  # noqa: F401  (receivers)
