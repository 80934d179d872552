from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rathaus.core"
    label = "core"
    verbose_name = _("Grundlagen")

    def ready(self):
        from . import tenancy  # noqa: F401  (its memo listens for changed host names)
        from .ops import signals  # noqa: F401  (task context, retries, metrics)
