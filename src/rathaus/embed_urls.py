"""The URLconf of embedded pages (ADR 0008): the embeddable sections under /einbetten/.

Everything else keeps its usual address, so links to it (privacy, catalog) still
resolve; only pages under /einbetten/ can be framed, and only by listed origins.
"""

from django.urls import include, path

from rathaus import urls as site

EMBEDDED = {"termine/": "appointments", "antraege/": "applications", "assistent/": "assistant"}

urlpatterns = [
    path("einbetten/termine/", include("rathaus.appointments.urls")),
    path("einbetten/antraege/", include("rathaus.applications.urls")),
    path("einbetten/assistent/", include("rathaus.assistant.urls")),
    *(p for p in site.urlpatterns if str(p.pattern) not in EMBEDDED),
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
