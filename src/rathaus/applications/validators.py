"""Validators for German form fields: IBAN, postcode, licence plate, phone, uploaded files."""

import re

from django.core.exceptions import ValidationError

from rathaus.core import uploads

IBAN_LENGTHS = {"DE": 22, "AT": 20, "CH": 21, "NL": 18, "FR": 27, "PL": 28, "DK": 18, "LU": 20}


def normalise_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_iban(value: str) -> None:
    """ISO 13616: country, length, and the mod-97 checksum."""
    iban = normalise_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        raise ValidationError(
            "Bitte geben Sie eine IBAN im Format DE12 3456 7890 1234 5678 90 ein."
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        raise ValidationError(f"Eine IBAN aus {iban[:2]} hat {expected} Zeichen.")
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    if int(digits) % 97 != 1:
        raise ValidationError("Die IBAN ist nicht gültig. Bitte prüfen Sie die Prüfziffer.")


def validate_postcode(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value or "") or value == "00000":
        raise ValidationError("Die Postleitzahl hat genau 5 Ziffern, z. B. 14467.")


# Unterscheidungszeichen (1–3 letters incl. umlauts), 1–2 letters, 1–4 digits, optional E/H.
PLATE_RE = re.compile(r"^([A-ZÄÖÜ]{1,3})[- ]?([A-Z]{1,2})[- ]?([1-9]\d{0,3})([EH])?$")


def normalise_plate(value: str) -> str:
    compact = re.sub(r"\s+", " ", (value or "").strip().upper())
    match = PLATE_RE.match(compact)
    if not match:
        return compact
    area, letters, number, suffix = match.groups()
    return f"{area}-{letters} {number}{suffix or ''}"


def validate_plate(value: str) -> None:
    """German licence plate: e.g. P-AB 123, HRO-X 1E; at most 8 characters without separators."""
    compact = re.sub(r"\s+", " ", (value or "").strip().upper())
    match = PLATE_RE.match(compact)
    if not match or len("".join(g or "" for g in match.groups())) > 8:
        raise ValidationError(
            "Bitte geben Sie das Kennzeichen wie auf dem Schild an, z. B. P-AB 123."
        )


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"\+?[0-9][0-9 /()-]{5,24}", (value or "").strip()):
        raise ValidationError("Bitte geben Sie eine Telefonnummer an, z. B. 0331 123456.")


def check_upload(uploaded, allowed: list[str], max_bytes: int) -> str:
    """Return the type detected from the content, or raise a German ValidationError.

    The content must hold up too (core.uploads): images decode fully within a pixel
    limit, PDFs parse, and no file may start with HTML or script (polyglots).
    """
    return uploads.check(uploaded, allowed, max_bytes)
