from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "rathaus.appointments"
    label = "appointments"
    verbose_name = _("Terminvergabe")

    def ready(self):
        from rathaus.catalog import usage as catalog_usage

        # Receivers; lottery, releases and waitlist listen to the booking core (hooks.py).
        from . import lottery, releases, shown_offers, signals, usage, waitlist  # noqa: F401

        catalog_usage.register(usage.figures)  # appointments on the OZG dashboard
