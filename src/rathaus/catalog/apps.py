from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "rathaus.catalog"
    label = "catalog"
    verbose_name = _("Leistungskatalog")

    def ready(self):
        from . import signals  # noqa: F401  (connects the search-index invalidation)
