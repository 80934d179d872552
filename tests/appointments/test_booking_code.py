"""Booking codes: eight characters of the alphabet, every position uniform (issue 24)."""

from collections import Counter

from rathaus.appointments.models import CODE_ALPHABET, new_booking_code


def test_codes_use_every_character_in_every_position_and_differ():
    codes = [new_booking_code() for _ in range(3000)]
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    for position in range(8):
        seen = Counter(code[position] for code in codes)
        assert set(seen) == set(CODE_ALPHABET)  # ~97 each; missing one: p < 1e-38
        assert max(seen.values()) < 200  # far from uniform would pile up
