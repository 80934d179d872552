"""Photo intake: check by content (not by name or header), re-encode, drop all metadata.

The check is the project's one upload check (``core.uploads``): the type comes from the
leading bytes, markup in the first bytes (a JPEG/HTML polyglot) is refused, and the
image is decoded in full under a pixel limit before it is re-encoded here.

Re-encoding writes only pixels: EXIF (including GPS), XMP, IPTC, ICC comments and
thumbnails of the original never reach the stored public copy.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from rathaus.core import uploads

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
ALLOWED_TYPES = {uploads.JPEG, uploads.PNG, uploads.WEBP}
MAX_PIXELS = 40_000_000
MAX_EDGE = 2000


def sanitize_photo(upload) -> ContentFile:
    """Return a clean JPEG copy of ``upload`` or raise ValidationError (German message)."""
    if upload.size > settings.PARTICIPATION_PHOTO_MAX_BYTES:
        limit = settings.PARTICIPATION_PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"Das Foto ist zu groß (höchstens {limit} MB).")
    detected = uploads.detect_type(upload, getattr(upload, "name", "") or "")
    if detected in uploads.IMAGES and detected not in ALLOWED_TYPES:
        raise ValidationError("Nur Fotos im Format JPEG, PNG oder WebP sind erlaubt.")
    if detected not in ALLOWED_TYPES:
        raise ValidationError("Die Datei ist kein lesbares Foto (erlaubt: JPEG, PNG, WebP).")
    uploads.verify(upload, detected)
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "Die Datei ist kein lesbares Foto (erlaubt: JPEG, PNG, WebP)."
        ) from None
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError("Nur Fotos im Format JPEG, PNG oder WebP sind erlaubt.")
    if width * height > MAX_PIXELS:
        raise ValidationError("Das Foto hat zu viele Bildpunkte.")
    with Image.open(io.BytesIO(data)) as image:
        # Apply the EXIF orientation first, so dropping EXIF does not turn the photo.
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail((MAX_EDGE, MAX_EDGE))
        clean = Image.new("RGB", image.size)
        clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")
