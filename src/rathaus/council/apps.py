from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "rathaus.council"
    label = "council"
    verbose_name = _("Ratsinformation")

    def ready(self):
        from . import oparl_touch  # noqa: F401  (listens to OParlObject.save)
