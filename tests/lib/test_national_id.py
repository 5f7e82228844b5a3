import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stafett.lib.national_id import InvalidNationalId, make_synthetic, mask, parse


@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2039, 12, 31)),
       st.integers(min_value=0, max_value=50))
def test_synthetic_numbers_round_trip(birth, serial):
    value = make_synthetic(birth, serial)
    parsed = parse(value, accept_synthetic=True)
    assert parsed.birth_date == birth and parsed.kind == "synthetic"
    with pytest.raises(InvalidNationalId) as error:
        parse(value)
    assert error.value.code == "synthetic"


@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2039, 12, 31)),
       st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10),
       st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught(birth, serial, position, delta):
    value = make_synthetic(birth, serial)
    digits = list(value)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(InvalidNationalId):
        parse("".join(digits), accept_synthetic=True)


def test_formats_and_codes():
    value = make_synthetic(dt.date(2019, 3, 12), 0)
    assert parse(f"{value[:6]} {value[6:]}", accept_synthetic=True).value == value
    for raw, code in [("123", "length"), ("abcdefghijk", "length"), ("12345678901", "checksum")]:
        with pytest.raises(InvalidNationalId) as error:
            parse(raw)
        assert error.value.code == code
    assert mask(value) == f"{value[:6]} *****"
