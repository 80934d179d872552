from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "rathaus.participation"
    label = "participation"
    verbose_name = _("Beteiligung")

    def ready(self):
        from rathaus.core import badinput
        from rathaus.core import geocoding as core_geocoding

        from .reports import open311
        from .reports.geocoding import geocode

        # Locations get their position from the town's address list (ADR 0223).
        core_geocoding.register(geocode)
        # What is refused before an Open311 view (control characters, an unknown path)
        # still answers as GeoReport v2 errors in the requested format.
        badinput.register_protocol(open311.PATH_PATTERN, open311.protocol_error)
