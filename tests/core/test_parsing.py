"""The one parsing module: every hostile shape of a value is refused with a reason."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from rathaus.core import parsing
from rathaus.core.parsing import ParseError


@pytest.mark.parametrize("raw", ["²", "٣", "1_000", "1e3", " ", "", "0x10", "1.0", "10" * 20, None])
def test_parse_int_refuses_what_is_not_ascii_digits(raw):
    with pytest.raises(ParseError) as info:
        parsing.parse_int(raw, "n")
    assert info.value.field == "n"


def test_parse_id_refuses_ids_the_database_cannot_hold():
    assert parsing.parse_id("9223372036854775807") == 2**63 - 1
    for raw in ("9223372036854775808", "0", "-1", "1" * 40):
        with pytest.raises(ParseError):
            parsing.parse_id(raw)
    assert parsing.try_id("²") is None
    assert parsing.try_id("42") == 42


def test_parse_int_ranges():
    assert parsing.parse_int(" 7 ", "n", minimum=1, maximum=10) == 7
    with pytest.raises(ParseError, match="höchstens 10"):
        parsing.parse_int("11", "n", maximum=10)
    assert parsing.parse_optional_int("", "n", default=3) == 3


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-45", "0001-01-01", "9999-12-31", "26-1-1"])
def test_parse_date_refuses_impossible_and_far_dates(raw):
    with pytest.raises(ParseError):
        parsing.parse_date(raw, "date_from")


def test_parse_date_accepts_iso_and_german():
    assert parsing.parse_date("2026-03-18", "d") == date(2026, 3, 18)
    assert parsing.parse_date("18.03.2026", "d") == date(2026, 3, 18)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-02-30T10:00:00Z",
        "2026-01-01T25:61:00Z",
        "2026-01-01T10:00:00+99:00",
        "2024-13-01T00:00:00+01:00",
        "2026-01-01T10:00:00+14:60",
        "yesterday",
    ],
)
def test_parse_datetime_refuses_impossible_values(raw):
    with pytest.raises(ParseError):
        parsing.parse_datetime(raw, "start_date")


def test_parse_datetime_reads_offsets_and_naive_values():
    value = parsing.parse_datetime("2026-03-01T10:00:00+01:00", "t")
    assert value.utcoffset() == timedelta(hours=1)
    naive = parsing.parse_datetime("2026-03-01T10:00", "t")
    assert naive.tzinfo is not None
    assert parsing.parse_datetime("2026-03-01", "t").hour == 0
    assert parsing.parse_datetime("2026-03-01T10:00:00.123456Z", "t").microsecond == 123456
    assert isinstance(parsing.parse_datetime(datetime(2026, 1, 1), "t"), datetime)


def test_clean_text_refuses_control_characters_and_overlong_text():
    with pytest.raises(ParseError, match="Steuerzeichen"):
        parsing.clean_text("Loch\x00", "description", max_length=100)
    with pytest.raises(ParseError, match="Steuerzeichen"):
        parsing.clean_text("a\nb", "name", max_length=100)
    assert parsing.clean_text("a\r\nb", "text", max_length=10, multiline=True) == "a\nb"
    with pytest.raises(ParseError, match="Höchstens 5"):
        parsing.clean_text("x" * 6, "name", max_length=5)
    assert parsing.clean_text(" 🐕 ", "name", max_length=5) == "🐕"


def test_numbers_must_be_finite():
    for raw in ("nan", "inf", "1e400", float("nan")):
        with pytest.raises(ParseError):
            parsing.parse_decimal(raw, "amount")
    assert parsing.parse_decimal("12,5", "amount") == Decimal("12.50")
    with pytest.raises(ParseError):
        parsing.parse_latitude("91")


def test_parse_bool_reads_false_as_false():
    assert parsing.parse_bool("false", "cancelled") is False
    assert parsing.parse_bool("true", "cancelled") is True
    with pytest.raises(ParseError):
        parsing.parse_bool("vielleicht", "cancelled")


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://x.example/a", "file:///etc/passwd"])
def test_parse_url_allows_only_http(raw):
    with pytest.raises(ParseError):
        parsing.parse_url(raw, "media_url")
    assert parsing.parse_url("https://x.example/a.jpg", "media_url")


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"not json", "invalid_json"),
        (b'{"a": "\xff"}', "invalid_json"),
        (b'{"a": NaN}', "invalid_json"),
        (b'{"a": -Infinity}', "invalid_json"),
        (b'{"a": 1e999999}', "too_large"),
        (b"[" * 100_000, "invalid_json"),
    ],
)
def test_json_body_refuses_what_no_column_holds(raw, code):
    with pytest.raises(ParseError) as refused:
        parsing.parse_json_body(raw)
    assert refused.value.field == "body" and refused.value.code == code
    assert refused.value.reason[0].isupper()  # a German sentence, not Python's message


def test_json_body_reads_ordinary_json():
    assert parsing.parse_json_body('{"a": [1, 2.5, "ä"]}'.encode()) == {"a": [1, 2.5, "ä"]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (rb'{"name": "a\u0000b"}', "name"),
        (rb'{"resources": [{"note": ["x", "\ud800"]}]}', "resources"),
        (rb'{"a\u0000": 1}', "body"),
        (rb'"\udfff"', "body"),
        (rb'[1, {"k": "\u0000"}]', "body"),
    ],
)
def test_json_body_refuses_texts_no_database_stores(raw, field):
    """A NUL or a lone surrogate anywhere in a body is refused before any view runs (a new
    endpoint that forgets ``clean_text`` still answers 400, not 500), naming the top-level
    property that holds it."""
    with pytest.raises(ParseError) as refused:
        parsing.parse_json_body(raw)
    assert (refused.value.field, refused.value.code) == (field, "control_characters")


def test_json_body_keeps_line_breaks_and_other_texts():
    raw = '{"question": "Zeile 1\\nZeile 2\\t😀 ²", "x": [null, true, 1]}'.encode()
    assert parsing.parse_json_body(raw)["question"] == "Zeile 1\nZeile 2\t😀 ²"
