from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "rathaus.council"
    label = "council"
    verbose_name = _("Ratsinformation")

    def ready(self):
        from rathaus.core import badinput

        from . import (
            oparl,
            oparl_touch,  # noqa: F401  (listens to OParlObject.save)
        )

        # What is refused before an OParl view (control characters) is an OParl error too.
        badinput.register_protocol(oparl.PATH_PATTERN, oparl.protocol_error)
