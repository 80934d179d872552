"""Files people upload: the type comes from the content, and the content must hold up.

Names and the browser's Content-Type are chosen by the uploader, so neither decides
anything here. ``detect_type`` reads the leading bytes; ``verify`` then decodes what
was detected (images fully, with a pixel limit against decompression bombs; PDFs must
parse) and refuses files whose first bytes hold HTML or script (a JPEG/HTML
polyglot would otherwise run as a page in a browser that sniffs). ``serve_headers``
makes a stored file harmless when shown: a sandbox CSP, nosniff, and inline display
only for PDFs and images. Messages are German, for the person who uploaded.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT, ODS, ODP = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
)
MS_OFFICE_LEGACY = {"doc": "application/msword", "xls": "application/vnd.ms-excel"}
MS_OFFICE_LEGACY["ppt"] = "application/vnd.ms-powerpoint"

IMAGES = {PNG, JPEG, GIF, WEBP}
OFFICE = {DOCX, XLSX, PPTX, ODT, ODS, ODP, *MS_OFFICE_LEGACY.values()}
COUNCIL_TYPES = {PDF, TEXT, *IMAGES, *OFFICE}
# Shown in the browser; everything else is only ever downloaded.
INLINE_TYPES = {PDF, *IMAGES}

MAX_IMAGE_PIXELS = 40_000_000  # a 20000×20000 PNG (400 MP) is refused before decoding
SNIFF_BYTES = 64 * 1024
MARKUP = (b"<html", b"<script", b"<!doctype html", b"<body", b"<iframe", b"<svg", b"<?xml")
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
LABELS = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    GIF: "GIF",
    WEBP: "WebP",
    TEXT: "Text",
}


def label(content_type: str) -> str:
    return LABELS.get(content_type, "Office-Dokument" if content_type in OFFICE else content_type)


def _read(uploaded, limit: int | None = None) -> bytes:
    uploaded.seek(0)
    data = uploaded.read() if limit is None else uploaded.read(limit)
    uploaded.seek(0)
    return data


def _zip_type(data: bytes) -> str | None:
    """OOXML (docx/xlsx/pptx) or OpenDocument, by the archive's own parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in {ODT, ODS, ODP} else None
            if "[Content_Types].xml" in names:
                for prefix, content_type in OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def _is_plain_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def detect_type(uploaded, name: str = "") -> str | None:
    """The content type the bytes say, or None for anything outside the known types."""
    head = _read(uploaded, SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(_read(uploaded))
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc, .xls, .ppt
        return MS_OFFICE_LEGACY.get(name.rsplit(".", 1)[-1].lower(), MS_OFFICE_LEGACY["doc"])
    if head and _is_plain_text(head):
        return TEXT
    return None


def _refuse_markup(uploaded) -> None:
    head = _read(uploaded, SNIFF_BYTES).lower()
    if any(tag in head for tag in MARKUP):
        raise ValidationError(
            "Die Datei enthält HTML oder Skript-Code und wird deshalb nicht angenommen."
        )


TOO_MANY_PIXELS = (
    f"Das Bild hat zu viele Bildpunkte (höchstens {MAX_IMAGE_PIXELS // 1_000_000} Millionen)."
)


def _verify_image(uploaded) -> None:
    data = _read(uploaded)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size  # read from the header, nothing decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decode every pixel: a truncated or forged image fails here
    except Image.DecompressionBombError:  # Pillow's own, larger limit, hit while opening
        raise ValidationError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("Das Bild ist beschädigt oder kein gültiges Bild.") from None


def _verify_pdf(uploaded) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(_read(uploaded)), strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise ValidationError("Die PDF-Datei ist beschädigt oder kein gültiges PDF.") from None


def verify(uploaded, content_type: str) -> None:
    """Raise a German ValidationError unless the file really is ``content_type``."""
    _refuse_markup(uploaded)
    if content_type in IMAGES:
        _verify_image(uploaded)
    elif content_type == PDF:
        _verify_pdf(uploaded)


def check(uploaded, allowed, max_bytes: int) -> str:
    """Size, type by content from ``allowed``, then the content itself; returns the type."""
    if uploaded.size == 0:
        raise ValidationError("Die Datei ist leer.")
    if uploaded.size > max_bytes:
        raise ValidationError(
            f"Die Datei ist zu groß (höchstens {max_bytes // (1024 * 1024)} MB erlaubt)."
        )
    detected = detect_type(uploaded, getattr(uploaded, "name", "") or "")
    if detected is None or detected not in allowed:
        labels = ", ".join(sorted({label(t) for t in allowed}))
        raise ValidationError(f"Dieser Dateityp ist nicht erlaubt. Erlaubt: {labels}.")
    verify(uploaded, detected)
    return detected


def serve_headers(response, content_type: str, filename: str, *, inline: bool = True):
    """Make a user's file harmless in the browser, whatever it contains."""
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    shown = inline and content_type.split(";")[0].strip().lower() in INLINE_TYPES
    if not shown:
        from django.utils.http import content_disposition_header

        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
