"""Check digits that tell a real card number or IBAN from a look-alike run of digits.

Only candidates the pattern scan already found reach these functions, so they are written
for clarity; each is a few microseconds on a 20-character string.
"""

from __future__ import annotations

from typing import Final

__all__ = ["IBAN_LENGTHS", "card_number_valid", "iban_valid", "luhn_valid"]

# IBAN length per country, from the SWIFT IBAN Registry (ISO 13616). A country missing here
# has no IBAN, so a candidate naming it is rejected before the checksum is computed.
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# Maestro is the one scheme that issues 12-digit numbers; the other schemes start at 13.
# Prefixes from the Maestro ranges (50, 56-69); a 12-digit run outside them is not a card.
_TWELVE_DIGIT_PREFIXES: Final = ("50", "56", "57", "58", "6")


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn (mod 10) check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number_valid(digits: str) -> bool:
    """Whether a digit string is a plausible payment card number: length, scheme and Luhn."""
    if len(digits) == 12:
        if not digits.startswith(_TWELVE_DIGIT_PREFIXES):
            return False
    elif not 13 <= len(digits) <= 19:
        return False
    # An all-same-digit run ("0000 0000 0000 0000") passes Luhn but is a placeholder.
    return len(set(digits)) > 1 and luhn_valid(digits)


def iban_valid(compact: str) -> bool:
    """Whether an upper-case IBAN without spaces has its country's length and passes mod 97."""
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is None or len(compact) != expected or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    # int(char, 36) maps 0-9 to themselves and A-Z to 10-35, as ISO 7064 MOD 97-10 requires.
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1
