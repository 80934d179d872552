from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rathaus.core"
    label = "core"
    verbose_name = _("Grundlagen")

    def ready(self):
        from django.conf import settings

        from . import files, tenancy  # noqa: F401  (its memo listens for changed host names)
        from .deployment import refuse_unsafe_settings
        from .ops import signals  # noqa: F401  (task context, retries, metrics)
        from .ops.cache import take_over_close_caches
        from .ratelimit import trusted_networks

        # Before any request or command runs: no production start on demo defaults,
        # nor with a proxy list that cannot be read.
        refuse_unsafe_settings(settings)
        trusted_networks()
        files.connect()  # uploaded files are deleted with their row
        take_over_close_caches()  # only backends that close anything (ADR 0106)
