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
        from rathaus.core import embedding

        embedding.register(_("Online-Formulare"), _published_forms)  # ADR 0008


def _published_forms(municipality):
    """The start page of each published online form, for the embedding page."""
    from django.urls import reverse

    from .models import FormDefinition

    forms = (
        FormDefinition.objects.for_municipality(municipality)
        .filter(state=FormDefinition.State.PUBLISHED, service__is_published=True)
        .select_related("service")
        .order_by("title")
    )
    return [(f.title, reverse("applications:start", args=[f.service.slug])) for f in forms]
