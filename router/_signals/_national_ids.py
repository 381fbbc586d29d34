"""National identity and tax numbers that carry their own check, found without a label.

Validated with python-stdnum (the maintained library of identifier validators) for every
number it knows: the German tax id (``de.idnr``), French NIR (``fr.nir``), Spanish DNI and
NIE, Italian codice fiscale, Dutch BSN, Polish PESEL, UK NHS number, Indian Aadhaar and PAN,
Canadian SIN and Australian TFN. Hand-written below, because stdnum has no module for
them: the German identity card number (Personalausweis, ICAO 9303 check digit) and the UK
National Insurance number (HMRC's prefix rules; it has no check digit). Korea's resident
registration number, China's resident identity number and Brazil's CPF (stdnum's
``kr.rrn``, ``cn.ric``, ``br.cpf``) are found in their printed layouts too.

A checksum alone is proof only where the number's shape is rare in prose: letters and
digits in the country's layout (DNI ``12345678Z``, PAN ``ABCDE1234F``), or digits printed in
a layout no phone number has (NIR ``1 84 12 76 451 089 46``, Aadhaar ``2341 2341 2346``).
NHS (``943 476 5919``), SIN and TFN (``046 454 286``) numbers are printed like phone
numbers, and a bare run of 9-12 digits passes one of the mod-11 or Luhn checks one time in
ten, so those count only after a label (``_identifiers``): a label that names them counts
whatever the value, a generic one ("ID", "Nr.", "n°") when the value passes their check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Final

from router._signals._digit_runs import digit_led

__all__ = ["LABELLED_LENGTHS", "load_validators", "national_ids", "stdnum_check", "valid_national_number"]

Span = tuple[str, int, int]
Check = Callable[[str], bool]


# The stdnum modules the checks below name, imported on first use or by ``load_validators``.
_STDNUM_MODULES: Final[set[str]] = set()


def _stdnum(module: str) -> Check:
    """``is_valid`` of a stdnum module, imported on first use (stdnum loads lazily per country)."""
    checker: list[Check] = []
    _STDNUM_MODULES.add(module)

    def is_valid(value: str) -> bool:
        if not checker:
            import importlib

            checker.append(importlib.import_module(f"stdnum.{module}").is_valid)
        return bool(checker[0](value))

    return is_valid


def load_validators() -> None:
    """Import every stdnum module the checks use: about 30 ms (``stdnum.util`` brings pydoc),
    which a warmed-up process pays before its first text holding a national number."""
    import importlib

    for module in sorted(_STDNUM_MODULES):
        importlib.import_module(f"stdnum.{module}")


stdnum_check: Final = _stdnum  # for the labelled numbers of ``_identifiers``


# ICAO 9303 weights 7-3-1 over digits and letters (A=10 ... Z=35).
def _icao_check(body: str, check: str) -> bool:
    total = sum(int(char, 36) * (7, 3, 1)[index % 3] for index, char in enumerate(body))
    return str(total % 10) == check


def german_id_card_valid(value: str) -> bool:
    """A German identity card (Personalausweis) number: 9 characters from the card's alphabet
    (digits and consonants C F G H J K L M N P R T V W X Y Z), then an ICAO check digit.
    stdnum has no module for it."""
    if len(value) != 10 or not re.fullmatch(r"[CFGHJKLMNPRTVWXYZ][0-9CFGHJKLMNPRTVWXYZ]{8}[0-9]", value):
        return False
    return any(char.isdigit() for char in value[:9]) and _icao_check(value[:9], value[9])


_NINO: Final = re.compile(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]")


def uk_nino_valid(value: str) -> bool:
    """A UK National Insurance number: two prefix letters HMRC issues, six digits, A-D.
    It has no check digit and stdnum has no module for it; the prefix rules are HMRC's."""
    return _NINO.fullmatch(value) is not None


# Surname and name letters, year, month letter, day, municipality, check letter; digits
# may be replaced by letters (omocodia).
_CODICE_FISCALE: Final = r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
# Letters-and-digits shapes: (shape, validator) tried in order; the first that passes wins.
_ALNUM_CHECKS: Final[tuple[tuple[re.Pattern[str], Check], ...]] = (
    (re.compile(r"[0-9]{8}[A-Z]"), _stdnum("es.dni")),
    (re.compile(r"[XYZ][0-9]{7}[A-Z]"), _stdnum("es.nie")),
    (re.compile(_CODICE_FISCALE), _stdnum("it.codicefiscale")),
    (re.compile(r"[A-Z]{3}[PCHFATBLJG][A-Z][0-9]{4}[A-Z]"), _stdnum("in_.pan")),
    (re.compile(r"[A-Z]{2}[0-9]{6}[A-D]"), uk_nino_valid),
    (re.compile(r"[0-9CFGHJKLMNPRTVWXYZ]{9}[0-9]"), german_id_card_valid),
)  # fmt: skip
# Digits in a national layout: (layout, validator). Spaces or dashes between the groups.
_LAYOUT_CHECKS: Final[tuple[tuple[re.Pattern[str], Check], ...]] = (
    (re.compile(r"[12] [0-9]{2} [0-9]{2} (?:[0-9]{2}|2[AB]) [0-9]{3} [0-9]{3} [0-9]{2}"), _stdnum("fr.nir")),
    (re.compile(r"[12][0-9]{14}"), _stdnum("fr.nir")),
    (re.compile(r"[2-9][0-9]{3}([ -])[0-9]{4}\1[0-9]{4}"), _stdnum("in_.aadhaar")),
    # Korea's resident registration number: the birth date, a dash, seven digits.
    (re.compile(r"[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9]{7}"), _stdnum("kr.rrn")),
    # China's resident identity number: region, birth date, sequence, a check digit or X.
    (
        re.compile(
            r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
        ),
        _stdnum("cn.ric"),
    ),
)
# Each list's shapes as one pattern, which fully matches a candidate where one of them does:
# most candidates (part numbers, dates, phone numbers) have none of the shapes, and one
# ``fullmatch`` turns them down instead of a call per shape. The Aadhaar layout's group is
# the only one in the layouts, so its ``\1`` still names it.
_ALNUM_SHAPES: Final = re.compile("|".join(f"(?:{shape.pattern})" for shape, _ in _ALNUM_CHECKS))
_LAYOUTS: Final = re.compile("|".join(f"(?:{layout.pattern})" for layout, _ in _LAYOUT_CHECKS))
# Every national number stdnum validates, by name, for values that stand after a label, with
# the lengths of the value its check accepts, as stdnum's validators test them (a BSN shorter
# than 9 digits is padded with zeros; an 11-digit codice fiscale is a VAT number); a test
# pins them to the installed stdnum.
LABELLED_LENGTHS: Final[Mapping[str, tuple[int, ...]]] = {
    "es.dni": (9,),
    "es.nie": (9,),
    "it.codicefiscale": (11, 16),
    "in_.pan": (10,),
    "fr.nir": (15,),
    "de.idnr": (11,),
    "nl.bsn": tuple(range(1, 10)),
    "pl.pesel": (11,),
    "gb.nhs": (10,),
    "in_.aadhaar": (12,),
    "ca.sin": (9,),
    "au.tfn": (8, 9),
    "kr.rrn": (13,),
    "cn.ric": (18,),
    "br.cpf": (11,),
}
_ANY_CHECKS: Final[tuple[tuple[Check, tuple[int, ...]], ...]] = (
    (uk_nino_valid, (9,)),
    (german_id_card_valid, (10,)),
    *((_stdnum(module), lengths) for module, lengths in LABELLED_LENGTHS.items()),
)
# The checks of each length. Trying all 17 cost 50-100 us a value: stdnum cleans its input a
# character at a time in each. A value of ASCII capitals and digits alone is one that none
# of their cleanings changes (they take out punctuation and map other scripts' forms of it),
# so its length is the one they test; any other value is tried against all of them.
_CHECKS_BY_LENGTH: Final = {
    length: tuple(check for check, lengths in _ANY_CHECKS if length in lengths)
    for length in {length for _, lengths in _ANY_CHECKS for length in lengths}
}
_PLAIN_VALUE: Final = re.compile(r"[0-9A-Z]+")
_SEPARATORS: Final = re.compile(r"[ .-]")

# The class first, so that ``re`` skips to capitals and digits; the look-behind after it
# checks the character before the candidate.
_ALNUM_CANDIDATE: Final = re.compile(r"[A-Z0-9](?<![A-Za-z0-9].)[A-Z0-9]{8,15}(?![A-Za-z0-9])")
# A Chinese identity number may end in "X", its check character for 10.
_DIGIT_CANDIDATE: Final = re.compile(
    r"[0-9](?<![0-9A-Za-z_.,/-].)(?:[0-9]|[ -](?=[0-9])){8,20}(?:(?<=[0-9])[Xx])?"
    r"(?![0-9A-Za-z_]|[.,/-][0-9])"
)
# Brazil's CPF as it is printed, ddd.ddd.ddd-dd: no other number has that layout, and two
# check digits confirm it.
# The digit first, so that ``re`` skips ahead to digits; the look-behind after it checks the
# character before (a look-behind in front made the pattern try every position).
_CPF: Final = re.compile(r"[0-9](?<![0-9.].)[0-9]{2}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}(?![0-9]|[.,][0-9])")
_CPF_VALID: Final = _stdnum("br.cpf")
# The runs of digits they begin with (ddd., dddddd-): the walk tries them at those alone.
_CPF_RUN: Final = frozenset({3})
_HETU_RUN: Final = frozenset({6})


# Finland's personal identity code, read apart from the digit layouts: it may end in a letter.
_HETU: Final = re.compile(
    r"[0-3](?<![0-9A-Za-z_.,/-].)[0-9](?:0[1-9]|1[0-2])[0-9]{2}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y](?![0-9A-Za-z])"
)
_HETU_VALID: Final = _stdnum("fi.hetu")


def national_ids(text: str) -> Iterator[Span]:
    """National numbers whose shape and check digits identify them without a label."""
    for match in _ALNUM_CANDIDATE.finditer(text):
        value = match.group()
        if _ALNUM_SHAPES.fullmatch(value) and any(
            shape.fullmatch(value) and check(value) for shape, check in _ALNUM_CHECKS
        ):
            yield "national_id", match.start(), match.end()
    for match in digit_led(_DIGIT_CANDIDATE, text):
        value = match.group()
        if _LAYOUTS.fullmatch(value) and any(
            layout.fullmatch(value) and check(value) for layout, check in _LAYOUT_CHECKS
        ):
            yield "national_id", match.start(), match.end()
    for match in digit_led(_HETU, text, _HETU_RUN):
        if _HETU_VALID(match.group()):
            yield "national_id", match.start(), match.end()
    if "." in text and "-" in text:
        for match in digit_led(_CPF, text, _CPF_RUN):
            if _CPF_VALID(match.group()):
                yield "national_id", match.start(), match.end()


def valid_national_number(value: str) -> bool:
    """Whether ``value`` passes the check of any national number this module knows."""
    compact = _SEPARATORS.sub("", value.upper())
    if _PLAIN_VALUE.fullmatch(compact):
        checks = _CHECKS_BY_LENGTH.get(len(compact), ())
    else:
        checks = tuple(check for check, _ in _ANY_CHECKS)
    return any(check(compact) for check in checks)
