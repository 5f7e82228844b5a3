"""Norwegian national identity numbers (fødselsnummer, D-number, H-number).

An 11-digit number DDMMYY III KK: a birth date, an individual number that
also gives the century, and two modulo-11 check digits. D-numbers add 40 to
the day, H-numbers 40 to the month, and Test-Norge's synthetic numbers 80 to
the month; synthetic numbers are accepted only where settings allow, so that
demo data can never collide with a real person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class InvalidNationalId(ValueError):
    """Raised with a `code` that the form layer turns into a user message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NationalId:
    value: str
    birth_date: dt.date
    kind: str  # "fnr", "d", "h" or "synthetic"

    @property
    def masked(self) -> str:
        return mask(self.value)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def _century(year2: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year2 >= 54:
        return 1800
    if individual >= 500 and year2 <= 39:
        return 2000
    if individual >= 900 and year2 >= 40:
        return 1900
    return None


def normalise(raw: str) -> str:
    """Drop the spaces and dots people type between the parts."""
    return "".join(ch for ch in raw if ch not in " .-")


def parse(raw: str, *, accept_synthetic: bool = False) -> NationalId:
    value = normalise(raw)
    if len(value) != 11 or not value.isdigit():
        raise InvalidNationalId("length")
    k1 = _check_digit(value[:9], _K1_WEIGHTS)
    k2 = _check_digit(value[:10], _K2_WEIGHTS)
    if k1 is None or k2 is None or k1 != int(value[9]) or k2 != int(value[10]):
        raise InvalidNationalId("checksum")
    day, month, year2 = int(value[0:2]), int(value[2:4]), int(value[4:6])
    kind = "fnr"
    if day > 40:
        kind, day = "d", day - 40
    if month > 80:
        if not accept_synthetic:
            raise InvalidNationalId("synthetic")
        kind, month = "synthetic", month - 80
    elif month > 40:
        kind, month = "h", month - 40
    century = _century(year2, int(value[6:9]))
    if century is None:
        raise InvalidNationalId("date")
    try:
        birth_date = dt.date(century + year2, month, day)
    except ValueError:
        raise InvalidNationalId("date") from None
    return NationalId(value=value, birth_date=birth_date, kind=kind)


def mask(value: str) -> str:
    """Show the birth-date part only: enough to recognise, not to misuse."""
    value = normalise(value)
    return f"{value[:6]} *****" if len(value) == 11 else "*****"


def make_synthetic(birth_date: dt.date, serial: int) -> str:
    """A valid Test-Norge synthetic number (month + 80) for demo data and tests.

    `serial` picks among the individual numbers allowed for the century; numbers
    whose check digit would be 10 are skipped, so every serial gives a number.
    """
    year2 = birth_date.year % 100
    if birth_date.year >= 2000:
        individuals = range(500, 1000)
    else:
        individuals = range(0, 500)
    found = -1
    for individual in individuals:
        stem = f"{birth_date.day:02d}{birth_date.month + 80:02d}{year2:02d}{individual:03d}"
        k1 = _check_digit(stem, _K1_WEIGHTS)
        if k1 is None:
            continue
        k2 = _check_digit(stem + str(k1), _K2_WEIGHTS)
        if k2 is None:
            continue
        found += 1
        if found == serial:
            return f"{stem}{k1}{k2}"
    raise ValueError("serial out of range for this date")
