from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from rathaus.api import api
from rathaus.core.ops import health, metrics
from rathaus.core.views import admin_login_redirect
from rathaus.sitesearch.views import site_search

admin.site.site_header = "Rathaus – Verwaltung"
admin.site.site_title = "Rathaus"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One login page for everyone: the admin's own form would skip the second factor
    # and the login throttle's messages (issue 14), so it sends people to /anmelden/.
    path("verwaltung/admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("verwaltung/admin/", admin.site.urls),
    path("land/oparl/v1/", include("rathaus.council.oparl_land")),
    path("land/vorlage/", include("rathaus.catalog.land_urls")),
    path("land/adressen/", include("rathaus.participation.land_urls")),
    path("land/", include("rathaus.core.land_urls")),
    path("api/v1/", api.urls),
    path("termine/", include("rathaus.appointments.urls")),
    path("vor-ort/", include("rathaus.onsite.urls")),
    path("antraege/", include("rathaus.applications.urls")),
    path("rat/", include("rathaus.council.urls")),
    path("beteiligung/", include("rathaus.participation.urls")),
    path("assistent/", include("rathaus.assistant.urls")),
    path("suche/alles/", site_search, name="site_search"),
    path("", include("rathaus.core.urls")),
    path("", include("rathaus.catalog.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "rathaus.core.views.bad_request"
handler403 = "rathaus.core.views.permission_denied"
handler404 = "rathaus.core.views.page_not_found"
handler500 = "rathaus.core.views.server_error"
