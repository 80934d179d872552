"""Compress machine-readable answers (JSON, XML, iCalendar), never HTML pages.

An availability answer for one service at ten locations over two weeks is about
200 KB of JSON and 4 KB gzipped: the difference between a slow and an instant
calendar on a phone. HTML pages are left alone: they carry the CSRF token and
echo what a citizen typed, the combination the BREACH attack needs. The API,
OParl, Open311 and calendar feeds carry no secrets of the reader.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = (
    "application/json",
    "application/geo+json",
    "application/problem+json",
    "application/xml",
    "text/xml",
    "text/calendar",
    "application/rss+xml",
    "application/atom+xml",
    "text/csv",
)


class MachineReadableGZipMiddleware(GZipMiddleware):
    """Django's gzip middleware, applied only to the content types above."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
