"""Geocoding against the town's own address list (issue 18): no external service.

The list is imported from a CSV (``import_addresses``): street, house number,
postcode, latitude, longitude – the shape of an ALKIS/OSM address extract. An
address-only report gets the position of its house number, or, without a known
number, the middle of the street's known addresses.
"""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg

from rathaus.core import audit

from .models import StreetAddress

_SUFFIXES = ((r"stra(ß|ss)e\b", "str"), (r"str\.", "str"), (r"\bstr\b", "str"))
# "Lindenstraße 12a, 14467 Potsdam" -> street "Lindenstraße", number "12a"
_ADDRESS = re.compile(
    r"^\s*(?P<street>[^\d,]+?)\s*(?P<number>\d{1,4}\s?[a-zA-Z]?)?\b\s*([-/,].*)?$"
)
COLUMNS = ("street", "house_number", "postcode", "latitude", "longitude")
MAX_ROWS = 200_000


def street_key(street: str) -> str:
    """The comparable form of a street name: case, ß/ss, "Str." and spaces do not matter."""
    key = street.strip().lower()
    for pattern, repl in _SUFFIXES:
        key = re.sub(pattern, repl, key)
    return re.sub(r"[\s.\-]+", "", key)[:120]


def split_address(text: str) -> tuple[str, str]:
    match = _ADDRESS.match(text or "")
    if not match:
        return "", ""
    number = (match.group("number") or "").replace(" ", "").lower()
    return match.group("street").strip(), number


def geocode(municipality, address: str, postcode: str = ""):
    """(latitude, longitude) for an address text, or None when the town does not know it.

    With a ``postcode``, a street name that the list knows under that postcode is
    looked up there only (the same name in two districts of a town)."""
    street, number = split_address((address or "")[:200])
    key = street_key(street)
    if not key:
        return None
    rows = StreetAddress.objects.for_municipality(municipality).filter(street_key=key)
    postcode = (postcode or "").strip()[:5]
    if postcode and rows.filter(postcode=postcode).exists():
        rows = rows.filter(postcode=postcode)
    if number:
        hit = rows.filter(house_number=number).first()
        if hit:
            return hit.latitude, hit.longitude
    middle = rows.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if middle["lat"] is None:
        return None
    q = Decimal("0.000001")
    return Decimal(str(middle["lat"])).quantize(q), Decimal(str(middle["lon"])).quantize(q)


def _decimal(value: str, low: int, high: int, line: int, name: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ValidationError(f"Zeile {line}: {name} ist keine Zahl.") from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError(f"Zeile {line}: {name} liegt außerhalb des Gültigen.")
    return number.quantize(Decimal("0.000001"))


def _controls(text: str) -> bool:
    return any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


@transaction.atomic
def import_addresses(
    municipality, text: str, *, replace: bool = True, actor=None, actor_label="Import"
):
    """Read the CSV (header with at least street, house_number, latitude, longitude).
    The whole file is checked first; a bad line changes nothing. Returns the row count."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error:
        raise ValidationError("Zeile 1: Die Kopfzeile ist kein gültiges CSV.") from None
    missing = {"street", "house_number", "latitude", "longitude"} - set(fieldnames)
    if missing:
        raise ValidationError(f"Es fehlen Spalten: {', '.join(sorted(missing))}.")
    rows = {}
    line = 1
    records = iter(reader)
    while True:
        line += 1
        try:
            raw = next(records)
        except StopIteration:
            break
        except csv.Error:
            raise ValidationError(f"Zeile {line}: kein gültiges CSV.") from None
        if line > MAX_ROWS:
            raise ValidationError(f"Höchstens {MAX_ROWS} Adressen je Datei.")
        street = (raw.get("street") or "").strip()[:120]
        if not street or _controls(street):
            raise ValidationError(f"Zeile {line}: Straße fehlt oder ist ungültig.")
        number = (raw.get("house_number") or "").replace(" ", "").lower()
        if len(number) > 12 or _controls(number):
            raise ValidationError(f"Zeile {line}: Die Hausnummer ist ungültig.")
        postcode = (raw.get("postcode") or "").strip()
        if postcode and not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
            raise ValidationError(f"Zeile {line}: Die Postleitzahl hat 5 Ziffern.")
        lat = _decimal(raw.get("latitude") or "", -90, 90, line, "Breitengrad")
        lon = _decimal(raw.get("longitude") or "", -180, 180, line, "Längengrad")
        rows[(street_key(street), number)] = StreetAddress(
            municipality=municipality,
            street=street,
            street_key=street_key(street),
            house_number=number,
            postcode=postcode,
            latitude=lat,
            longitude=lon,
        )
    if replace:
        StreetAddress.objects.for_municipality(municipality).delete()
    else:
        for key, number in list(rows):
            StreetAddress.objects.for_municipality(municipality).filter(
                street_key=key, house_number=number
            ).delete()
    StreetAddress.objects.bulk_create(rows.values(), batch_size=2000)
    audit.record(
        "participation.addresses_imported",
        municipality,
        municipality=municipality,
        actor=actor,
        actor_label=actor_label,
        data={"rows": len(rows), "replace": replace},
    )
    return len(rows)
