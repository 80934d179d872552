"""The one parsing module for everything that comes from outside.

Query and path parameters, form fields, protocol payloads and imported data are
read through these functions, never with ``int()``, ``str.isdigit()`` or
``date.fromisoformat()`` directly. Each function either returns a clean Python
value or raises :class:`ParseError` with the field's name and a German reason;
each interface turns that into its own error format (JSON ``{field, reason}``,
the Open311 error list, the OParl error object, a German HTML page) with a 400.

Why a module of our own: ``str.isdigit()`` accepts ``"²"`` and ``"٣"``, Python's
``int()`` accepts ``"1_000"`` and unlimited lengths (ids of 40 digits overflow the
database), ``datetime.fromisoformat`` accepts year 1 and 9999 (date arithmetic
then overflows) and Django's ``parse_datetime`` raises ``ValueError`` for
``2026-02-30`` instead of returning ``None``. Every rule lives here once.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.utils import timezone

# The largest id PostgreSQL's bigint (and SQLite's integer) can hold.
MAX_ID = 2**63 - 1
# Dates outside this window are refused: nothing in a town hall happens before
# 1900 or after 2200, and arithmetic near year 1 or 9999 overflows.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
# Real UTC offsets run from -12:00 to +14:00.
MAX_OFFSET = timedelta(hours=14)

_ASCII_INT = re.compile(r"[+-]?[0-9]{1,19}")
_ASCII_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:[.,][0-9]{1,15})?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?"
    r"(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
# C0 and C1 control characters except tab, line feed and carriage return, plus
# the Unicode non-characters and lone surrogates that break XML 1.0 output.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\r]")


@dataclass
class ParseError(ValueError):
    """A value from outside that cannot be used; ``reason`` is German, for people."""

    field: str
    reason: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def as_dict(self) -> dict:
        return {"field": self.field, "reason": self.reason}

    def in_language(self, language: str) -> str:
        """The reason in the request's language: German as written, English by its code
        (for protocol clients that ask in English, e.g. Open311's Accept-Language)."""
        if (language or "de").startswith("de"):
            return self.reason
        return ENGLISH_REASONS.get(self.code, ENGLISH_REASONS["invalid"])


ENGLISH_REASONS = {
    "invalid": "invalid value",
    "too_small": "the number is too small",
    "too_large": "the number is too large",
    "invalid_date": "this date does not exist",
    "out_of_range": "the value is outside the allowed range",
    "invalid_time": "this time does not exist",
    "invalid_timezone": "this time zone offset does not exist",
    "control_characters": "the text contains control characters",
    "required": "this field is required",
    "too_long": "the text is too long",
    "too_short": "the text is too short",
    "invalid_choice": "this value is not one of the allowed choices",
    "invalid_scheme": "only http:// and https:// addresses are allowed",
    "invalid_json": "the body is not valid JSON",
}


# --- Numbers ------------------------------------------------------------------------


def parse_int(raw, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer written in ASCII digits (optional sign), inside [minimum, maximum]."""
    if isinstance(raw, bool):
        raise ParseError(field, "Bitte eine ganze Zahl angeben.")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip() if raw is not None else ""
        if not _ASCII_INT.fullmatch(text):
            raise ParseError(field, "Bitte eine ganze Zahl aus den Ziffern 0–9 angeben.")
        value = int(text)
    if minimum is not None and value < minimum:
        raise ParseError(field, f"Die Zahl muss mindestens {minimum} sein.", "too_small")
    if maximum is not None and value > maximum:
        raise ParseError(field, f"Die Zahl darf höchstens {maximum} sein.", "too_large")
    return value


def parse_id(raw, field: str = "id") -> int:
    """A database id: 1 … 2^63-1 in ASCII digits (longer ids cannot exist)."""
    return parse_int(raw, field, minimum=1, maximum=MAX_ID)


def try_id(raw) -> int | None:
    """An id, or None for anything that cannot be one (a path segment to look up)."""
    try:
        return parse_id(raw)
    except ParseError:
        return None


def parse_optional_int(raw, field: str, *, default: int, minimum=None, maximum=None) -> int:
    """Like :func:`parse_int`, but an absent or empty parameter gives ``default``."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return default
    return parse_int(raw, field, minimum=minimum, maximum=maximum)


def parse_decimal(raw, field: str, *, minimum=None, maximum=None, places: int = 2) -> Decimal:
    """A finite decimal (German comma or point), rounded to ``places``; no ``nan``/``inf``."""
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ParseError(field, "Bitte eine endliche Zahl angeben.")
        text = repr(raw)
    else:
        text = str(raw).strip() if raw is not None else ""
        if not _ASCII_DECIMAL.fullmatch(text):
            raise ParseError(field, "Bitte eine Zahl aus den Ziffern 0–9 angeben (z. B. 12,50).")
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ParseError(field, "Bitte eine Zahl angeben.") from None
    if not value.is_finite() or abs(value) > Decimal(10) ** 15:
        raise ParseError(field, "Bitte eine endliche Zahl angeben.")
    value = value.quantize(Decimal(1).scaleb(-places))
    if minimum is not None and value < Decimal(str(minimum)):
        raise ParseError(field, f"Die Zahl muss mindestens {minimum} sein.", "too_small")
    if maximum is not None and value > Decimal(str(maximum)):
        raise ParseError(field, f"Die Zahl darf höchstens {maximum} sein.", "too_large")
    return value


def parse_float(raw, field: str, *, minimum: float, maximum: float) -> float:
    """A finite float inside a range (coordinates, measurements)."""
    value = float(parse_decimal(raw, field, places=9))
    if not minimum <= value <= maximum:
        raise ParseError(
            field, f"Der Wert muss zwischen {minimum} und {maximum} liegen.", "out_of_range"
        )
    return value


def parse_latitude(raw, field: str = "lat") -> float:
    return parse_float(raw, field, minimum=-90.0, maximum=90.0)


def parse_longitude(raw, field: str = "long") -> float:
    return parse_float(raw, field, minimum=-180.0, maximum=180.0)


# --- Dates and times -------------------------------------------------------------------


def _checked_date(year: int, month: int, day: int, field: str) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise ParseError(field, "Dieses Datum gibt es nicht.", "invalid_date") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise ParseError(
            field,
            f"Das Datum muss zwischen {MIN_DATE:%d.%m.%Y} und {MAX_DATE:%d.%m.%Y} liegen.",
            "out_of_range",
        )
    return value


def parse_date(raw, field: str, *, minimum: date | None = None, maximum: date | None = None):
    """A calendar date written ``YYYY-MM-DD`` (or ``TT.MM.JJJJ`` from German forms)."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        value = _checked_date(raw.year, raw.month, raw.day, field)
    else:
        text = str(raw).strip() if raw is not None else ""
        match = _DATE.fullmatch(text)
        german = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            value = _checked_date(year, month, day, field)
        elif german:
            day, month, year = (int(g) for g in german.groups())
            value = _checked_date(year, month, day, field)
        else:
            raise ParseError(field, "Bitte ein Datum im Format JJJJ-MM-TT angeben.")
    if minimum is not None and value < minimum:
        raise ParseError(field, f"Das Datum darf nicht vor dem {minimum:%d.%m.%Y} liegen.")
    if maximum is not None and value > maximum:
        raise ParseError(field, f"Das Datum darf nicht nach dem {maximum:%d.%m.%Y} liegen.")
    return value


def parse_optional_date(raw, field: str, **limits) -> date | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return parse_date(raw, field, **limits)


def parse_time(raw, field: str) -> time:
    """A clock time ``HH:MM`` or ``HH:MM:SS`` (00:00 … 23:59:59)."""
    text = str(raw).strip() if raw is not None else ""
    match = _TIME.fullmatch(text)
    if not match:
        raise ParseError(field, "Bitte eine Uhrzeit im Format HH:MM angeben.")
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ParseError(field, "Diese Uhrzeit gibt es nicht.", "invalid_time")
    return time(hour, minute, second)


def _offset(text: str | None, field: str):
    if text is None:
        return None
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if minutes > 59:
        raise ParseError(field, "Diese Zeitzone gibt es nicht.", "invalid_timezone")
    delta = timedelta(hours=hours, minutes=minutes)
    if delta > MAX_OFFSET:
        raise ParseError(field, "Diese Zeitzone gibt es nicht.", "invalid_timezone")
    from datetime import timezone as dt_timezone

    return dt_timezone(sign * delta)


def parse_datetime(raw, field: str, *, date_only_ok: bool = True) -> datetime:
    """An ISO 8601 date-time; naive values are read in the installation's time zone.

    A bare date (``2026-03-01``) means its midnight when ``date_only_ok``.
    The result is always aware.
    """
    if isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw).strip() if raw is not None else ""
        match = _DATETIME.fullmatch(text)
        if not match:
            raise ParseError(field, "Bitte einen Zeitpunkt nach ISO 8601 angeben.")
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        if hour is None and not date_only_ok:
            raise ParseError(field, "Bitte Datum und Uhrzeit angeben.")
        day_value = _checked_date(int(year), int(month), int(day), field)
        clock = parse_time(f"{hour or '00'}:{minute or '00'}:{second or '00'}", field)
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        value = datetime.combine(day_value, clock.replace(microsecond=micro))
        tz = _offset(zone, field)
        if tz is not None:
            value = value.replace(tzinfo=tz)
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except Exception:  # a wall time that does not exist (spring forward)
            value = timezone.make_aware(value + timedelta(hours=1))
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise ParseError(field, "Der Zeitpunkt liegt außerhalb des erlaubten Bereichs.")
    return value


def parse_optional_datetime(raw, field: str, **options) -> datetime | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    return parse_datetime(raw, field, **options)


# --- Text ---------------------------------------------------------------------------


def has_control_characters(text: str, *, multiline: bool = True) -> bool:
    if _CONTROL.search(text):
        return True
    return not multiline and bool(_LINE_BREAKS.search(text))


def strip_control_characters(text: str) -> str:
    """Remove characters that XML 1.0 cannot carry (for output of older stored data)."""
    return _CONTROL.sub("", text)


def clean_text(
    raw,
    field: str,
    *,
    max_length: int,
    min_length: int = 0,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """Text from outside: NFC, trimmed, no control characters, within length limits.

    Over-long text is refused, never silently cut: the client must know.
    """
    text = "" if raw is None else str(raw)
    text = unicodedata.normalize("NFC", text).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if has_control_characters(text, multiline=multiline):
        raise ParseError(field, "Der Text enthält Steuerzeichen.", "control_characters")
    if required and not text:
        raise ParseError(field, "Dieses Feld ist erforderlich.", "required")
    if len(text) > max_length:
        raise ParseError(field, f"Höchstens {max_length} Zeichen erlaubt.", "too_long")
    if text and len(text) < min_length:
        raise ParseError(field, f"Mindestens {min_length} Zeichen erforderlich.", "too_short")
    return text


def parse_choice(raw, field: str, choices) -> str:
    text = str(raw).strip() if raw is not None else ""
    if text not in choices:
        allowed = ", ".join(sorted(str(c) for c in choices))
        raise ParseError(field, f"Erlaubt sind: {allowed}.", "invalid_choice")
    return text


_TRUE = {"1", "true", "yes", "ja", "on"}
_FALSE = {"0", "false", "no", "nein", "off", ""}


def parse_bool(raw, field: str) -> bool:
    """A boolean from a form or a payload: the string ``"false"`` is False."""
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(field, "Erlaubt sind true oder false.", "invalid_choice")


def parse_url(raw, field: str, *, schemes=("http", "https"), max_length: int = 2000) -> str:
    """An absolute URL with one of the allowed schemes (never ``javascript:`` or ``file:``)."""
    text = clean_text(raw, field, max_length=max_length)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ParseError(field, "Das ist keine gültige Adresse.") from None
    if parts.scheme.lower() not in schemes or not parts.netloc:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ParseError(field, f"Erlaubt sind nur Adressen mit {allowed}.", "invalid_scheme")
    return text


# --- JSON bodies ----------------------------------------------------------------------


def _no_constant(name: str):
    raise ParseError("body", f"Der Wert {name} ist in JSON keine gültige Zahl.", "invalid_json")


def parse_json_body(raw: bytes, field: str = "body"):
    """A request body as JSON: UTF-8, valid syntax, finite numbers, a sane depth.

    Python's ``json`` accepts ``NaN``, ``Infinity`` and ``1e999`` (as float infinity,
    which no database column holds) and raises ``RecursionError`` on deep nesting;
    every such body is refused here with a German reason instead of a 500 or an
    English message from the framework.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(field, "Der Inhalt ist nicht in UTF-8 kodiert.", "invalid_json") from None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError(field, "Der Inhalt ist kein gültiges JSON.", "invalid_json") from None
    _refuse_unstorable_texts(data, field)
    return data


# A NUL (PostgreSQL's text refuses it) or a lone surrogate (``\ud800`` in JSON; no UTF-8
# encoding exists) fails in the database or the driver: a 500. Every endpoint checks its
# own texts with ``clean_text``; this net catches what a new endpoint might forget.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse_unstorable_texts(data, field: str) -> None:
    """Walks the parsed body without recursion (its depth is only bounded by ``json``'s)
    and names the top-level property that holds the text, else ``field``."""
    if isinstance(data, dict):
        pending = [(key, field) for key in data] + [(item, key) for key, item in data.items()]
    else:
        pending = [(data, field)]
    while pending:
        value, name = pending.pop()
        if isinstance(value, dict):
            pending.extend((key, name) for key in value)
            pending.extend((item, name) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, name) for item in value)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise ParseError(name, "Der Text enthält Steuerzeichen.", "control_characters")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError("body", "Die Zahl ist zu groß.", "too_large")
    return value
