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
        from rathaus.core import embedding

        embedding.register(_("Terminbuchung"), _bookable)  # ADR 0008


def _bookable(municipality):
    """The booking of each service bookable online, for the embedding page."""
    from django.urls import reverse

    from .views import active_offers

    services = {o.service for o in active_offers(municipality).order_by("service__name")}
    return [
        (service.name, reverse("appointments:service", args=[service.slug]))
        for service in sorted(services, key=lambda s: s.name)
    ]
