from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnsiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.onsite"
    verbose_name = _("Vor-Ort (Wartenummern, Aufruf, Kennzahlen)")

    def ready(self):
        from rathaus.catalog import usage as catalog_usage

        from . import usage

        catalog_usage.register(usage.figures)  # walk-ins on the OZG dashboard
