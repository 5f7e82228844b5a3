"""Norwegian organisation numbers (Enhetsregisteret): nine digits, the last a
modulus-11 check digit with the weights 3 2 7 6 5 4 3 2."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first_eight: str) -> int | None:
    """The ninth digit for these eight, or None when no number can end them."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, WEIGHTS, strict=True)) % 11
    digit = 0 if remainder == 0 else 11 - remainder
    return None if digit == 10 else digit


def is_valid(number: str) -> bool:
    return (len(number) == 9 and number.isdigit()
            and check_digit(number[:8]) == int(number[8]))


def make(first_eight: str) -> str:
    """The whole number from its first eight digits (for fictional demo data)."""
    digit = check_digit(first_eight)
    if digit is None:
        raise ValueError(f"no organisation number starts with {first_eight}")
    return first_eight + str(digit)


def validate(number: str) -> None:
    if number and not is_valid(number):
        raise ValidationError(
            _("An organisation number has nine digits and a valid check digit."), code="invalid")
