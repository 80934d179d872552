"""Compress machine-readable answers (JSON, XML, iCalendar), never HTML pages.

An availability answer for one service at ten locations over two weeks is about
200 KB of JSON and 4 KB gzipped: the difference between a slow and an instant
calendar on a phone. HTML pages are left alone: they carry the CSRF token and
echo what a citizen typed, the combination the BREACH attack needs. The API,
OParl, Open311 and calendar feeds carry no secrets of the reader.

Answers below ``MIN_BYTES`` are sent as they are (Django's own limit is 200 bytes): a
hold's 201 (~400 bytes) shrinks by ~140 bytes, which is no packet less on the wire, and
packing it cost ~25-70 µs of CPU per request (gzip with Django's random filename
padding, the ``Vary`` and ``ETag`` edits; issue 24, ADR 0105).
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


#: Smaller answers are not compressed (see above). A response's headers (CSP, request id,
#: security headers) are ~600 bytes; with a body below 1 KB, packing it would save at most
#: one TCP segment of the answer, and none for a hold's 201.
MIN_BYTES = 1024


class MachineReadableGZipMiddleware(GZipMiddleware):
    """Django's gzip middleware, applied only to the content types above and only to
    answers of at least ``MIN_BYTES``."""

    def process_response(self, request, response):
        if not response.streaming and len(response.content) < MIN_BYTES:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
