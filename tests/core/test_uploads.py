"""Uploads are checked by content: real polyglots and decompression bombs, generated
here, are refused with German reasons; stored files are served harmlessly."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rathaus.core import uploads

MB = 1024 * 1024


def jpeg(size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="JPEG")
    return out.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A valid JPEG whose comment segment (right after SOI) is an HTML page with script:
    it decodes as an image, and a sniffing browser would render it as HTML."""
    payload = b"<html><body><script>fetch('/verwaltung/')</script></body></html>"
    comment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    data = jpeg()
    return data[:2] + comment + data[2:]


def png_bomb(width=20000, height=20000) -> bytes:
    """A real 20000×20000 PNG (400 MP, ~1.2 GB of pixels) that is a few hundred kB."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def real_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(data: bytes, name="datei.bin"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # a lie, ignored


def refused(data, allowed, name="datei.bin", max_bytes=20 * MB) -> str:
    with pytest.raises(ValidationError) as info:
        uploads.check(upload(data, name), allowed, max_bytes)
    return " ".join(info.value.messages)


def test_jpeg_html_polyglot_is_refused():
    data = jpeg_html_polyglot()
    assert Image.open(io.BytesIO(data)).size == (16, 16)  # it really is a JPEG
    assert "HTML oder Skript" in refused(data, uploads.IMAGES)


@pytest.mark.parametrize("edge", [20000, 9000])  # 400 MP; 81 MP is below Pillow's own limit
def test_png_decompression_bomb_is_refused_before_decoding(edge):
    data = png_bomb(edge, edge)
    assert len(data) < 2 * MB
    assert "zu viele Bildpunkte" in refused(data, uploads.IMAGES)


def test_truncated_image_is_refused():
    assert "beschädigt" in refused(jpeg((200, 200))[:300], uploads.IMAGES)


def test_pdf_that_does_not_parse_is_refused():
    assert "PDF-Datei ist beschädigt" in refused(b"%PDF-1.4\nkein PDF\n%%EOF", {uploads.PDF})


def test_pdf_with_html_up_front_is_refused():
    data = b"%PDF-1.4\n<html><script>alert(1)</script>" + real_pdf()[9:]
    assert "HTML oder Skript" in refused(data, {uploads.PDF})


def test_size_cap_is_checked_first():
    assert "zu groß" in refused(real_pdf() + b" " * MB, {uploads.PDF}, max_bytes=MB)


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (real_pdf(), "a.pdf", uploads.PDF),
        (jpeg(), "a.jpg", uploads.JPEG),
        (docx(), "a.docx", uploads.DOCX),
        ("Tagesordnung – öffentlich\n".encode(), "a.txt", uploads.TEXT),
    ],
)
def test_council_allow_list_accepts_real_documents(data, name, expected):
    assert uploads.check(upload(data, name), uploads.COUNCIL_TYPES, 20 * MB) == expected


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<!DOCTYPE html><html><script>fetch('/verwaltung/')</script></html>", "a.html"),
        (b"fetch('/verwaltung/').then(r => r.text())", "a.js"),  # plain text? no: no .js
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.svg"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "a.exe"),
    ],
)
def test_council_allow_list_refuses_pages_scripts_and_programs(data, name):
    if name == "a.js":
        # JavaScript is text by its bytes; it is stored as text/plain and only ever
        # downloaded (never inline), so it cannot run on the town's origin.
        assert uploads.check(upload(data, name), uploads.COUNCIL_TYPES, MB) == uploads.TEXT
        return
    message = refused(data, uploads.COUNCIL_TYPES, name)
    assert "HTML oder Skript" in message or "nicht erlaubt" in message


@pytest.mark.parametrize(
    "content_type, inline",
    [("application/pdf", True), ("image/png", True), ("text/html", False), ("text/plain", False)],
)
def test_served_files_are_sandboxed_and_inline_only_for_pdf_and_images(content_type, inline):
    from django.http import HttpResponse

    response = uploads.serve_headers(HttpResponse(b"x"), content_type, "datei.x")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ("Content-Disposition" not in response) is inline
