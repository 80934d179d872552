from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "rathaus.applications"
    label = "applications"
    verbose_name = _("Online-Anträge")

    def ready(self):
        from rathaus.catalog import services as catalog_services
        from rathaus.catalog import usage as catalog_usage

        from . import usage
        from .services import published_form_maturity

        # A published online form proves the service's maturity; a catalog import
        # must not lower it (docs/adr/0016).
        catalog_services.register_maturity_floor(published_form_maturity)
        catalog_usage.register(usage.figures)  # online applications on the OZG dashboard
        catalog_usage.register_total(usage.active_accounts)
        # Bookings' reservation fees (the wedding calendar) are paid through this module.
        from rathaus.appointments import fees

        from .booking_fees import pay_url

        fees.register(pay_url)
