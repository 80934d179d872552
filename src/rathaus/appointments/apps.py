from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "rathaus.appointments"
    label = "appointments"
    verbose_name = _("Terminvergabe")

    def ready(self):
        from rathaus.catalog import usage as catalog_usage

        from . import shown_offers, signals, usage  # noqa: F401  (receivers)

        catalog_usage.register(usage.figures)  # appointments on the OZG dashboard
