"""A postcode named as one (type ``street_address``): "My postcode is SW1A 1AA", "PLZ: 10115".

A full postcode narrows where someone lives to a street or a building (a British one to
fifteen households on average), and a form, a ticket or a delivery chat often gives it on
its own line. Alone, a number of four to six digits could be anything, so a postcode counts
only right after a word that names one, in the languages the router routes ("postcode",
"ZIP code", "PLZ", "code postal", "CEP", "郵便番号", "〒", …), and only in a layout some
country's post uses: British and Canadian alphanumeric codes, Dutch ``1234 AB``, five digits
(with a US ZIP+4 or a Brazilian ``-123`` suffix), four (with Portugal's ``-123``), six,
Poland's ``12-345``, Japan's ``123-4567``, the Nordic and Czech ``123 45``, and three digits
(Iceland's, a US ZIP's first three).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._digit_runs import run_starts
from router._signals._keyword_search import SHORTEST, Family, matches_at, matches_near
from router._signals._text import keyword_pattern, lower_same_length

__all__ = ["PostcodeDetector"]

_LABELS: Final = (
    "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "zip/postal code",
    "plz", "postleitzahl", "code postal", "código postal", "codigo postal", "cep", "c.a.p.",
    "codice postale", "codice di avviamento postale", "postcode", "postnummer", "postnr",
    "kod pocztowy", "psč", "irányítószám", "posta kodu", "cod poștal", "cod postal",
    "почтовый индекс", "ταχυδρομικός κώδικας", "kode pos", "mã bưu chính", "mã bưu điện",
    "מיקוד", "الرمز البريدي", "رمز بريدي", "کد پستی", "पिन कोड", "รหัสไปรษณีย์",
    "郵便番号", "〒", "邮编", "邮政编码", "우편번호",
)  # fmt: skip
_LABEL_WORDS: Final = Family(_LABELS)
# What joins a label to its code: a closing quote, ":", "=", "#", "is" and the like.
_JOIN: Final = (
    r"[\"'”]?(?:\s*+(?:(?:is|ist|lautet|was|war|est|es|era|è|é|je|är|er)(?![^\W\d_])|[:=#：-]))"
    r"{0,2}\s*[\"'“]?"
)
_CODE: Final = (
    r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"  # British: SW1A 1AA, M1 1AE
    r"|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]"  # Canadian: K1A 0B1
    r"|[1-9][0-9]{3} ?(?-i:[A-Z]{2})"  # Dutch: 1234 AB (in capitals: "2000 in" is no code)
    r"|[0-9]{5}(?:-[0-9]{4}|-[0-9]{3})?"  # five digits, a ZIP+4, a Brazilian CEP
    r"|[0-9]{3}-[0-9]{4}"  # Japanese
    r"|[0-9]{4}(?:-[0-9]{3})?"  # four digits, a Portuguese code
    r"|[0-9]{3} [0-9]{2}"  # Swedish, Czech, Slovak, Greek
    r"|[0-9]{2}-[0-9]{3}"  # Polish
    r"|[0-9]{6}"  # Indian, Russian, Chinese
    r"|[0-9]{3}"  # Icelandic, and a US ZIP's first three digits
)
# The label starts a word of an alphabet (a label of an unspaced script may follow other
# letters: "住所郵便番号") and ends one; the code ends where letters and digits do.
_LABELLED: Final = re.compile(
    rf"(?<![A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]){keyword_pattern(_LABELS)}"
    rf"{_JOIN}(?P<code>{_CODE})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# How far before a code's first digit its label can start (the longest label and a join),
# and how far after it the code can end.
_BEFORE: Final = max(map(len, _LABELS)) + 16
_AFTER: Final = 12


class PostcodeDetector:
    """Finds postcodes right after a word that names one."""

    types: tuple[str, ...] = ("street_address",)

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``("street_address", start, end)`` for each labelled postcode."""
        for match in _labelled(text):
            yield "street_address", match.start("code"), match.end("code")


def _labelled(text: str) -> Iterator[re.Match[str]]:
    """``_LABELLED``'s matches on the text lower-cased: in a long text tried where the scan's
    shared keyword pass found a label, in a short one within reach of each run of digits
    (every code holds one)."""
    lowered = lower_same_length(text)
    if len(text) >= SHORTEST:
        found = _LABEL_WORDS.occurrences(lowered)
        if found is not None:
            return matches_at(_LABELLED, text, (start for start, _ in found))
    return matches_near(_LABELLED, text, run_starts(text), _BEFORE, _AFTER)
