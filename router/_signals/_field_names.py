"""Names in structured fields: a JSON or dict key, or an XML element, that names a person's name.

``{"first_name": "Priya", "last_name": "Raman"}``, ``lastName: 'Raman'``,
``<surname>Raman</surname>``: what the key says is enough, whether or not the value is in a
name list or capitalised, and the prose rules (``_people``) do not read it there, as a quote or
a tag stands between the key and its value. Tool calls, API payloads, CRM exports and form
dumps write people so.

A key counts when, lower-cased without ``_``, ``-`` and spaces, it is one of ``_PERSON_KEYS``:
the parts of a name and the people whose name a record keeps (customer, patient, cardholder,
recipient), in the router's main languages. A bare ``"name"`` does not: it names tools, models,
packages and products as often as people. The value is 2-60 characters of letters, spaces,
apostrophes, dots and hyphens, not a schema's or a template's word (``"string"``, ``"null"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

from router._signals._keyword_search import Family
from router._signals._text import lower_same_length

__all__ = ["field_names"]

Span = tuple[str, int, int]

_PERSON_KEYS: Final = frozenset(
    (
        "firstname", "lastname", "surname", "surnames", "givenname", "givennames", "familyname",
        "middlename", "fullname", "maidenname", "displayname", "legalname", "preferredname",
        "forename", "forenames", "nickname", "personname", "customername", "clientname",
        "contactname", "patientname", "cardholder", "cardholdername", "holdername",
        "accountholder", "accountholdername", "recipientname", "sendername", "billingname",
        "shippingname", "employeename", "guestname", "passengername", "applicantname",
        "membername", "studentname", "ownername", "beneficiaryname",
        "vorname", "nachname", "familienname", "rufname", "prenom", "prénom", "nomdefamille",
        "nombre", "apellido", "apellidos", "nombrecompleto", "cognome", "nomecompleto",
        "sobrenome", "achternaam", "voornaam", "imie", "imię", "nazwisko", "fornavn",
        "efternavn", "etternavn", "förnamn", "efternamn", "etunimi", "sukunimi",
    )
)  # fmt: skip
# Values that stand for a type, a state or a template, not for a person.
_NOT_VALUES: Final = frozenset(
    (
        "string", "str", "text", "varchar", "char", "null", "none", "nil", "undefined", "unknown",
        "n/a", "na", "required", "optional", "redacted", "hidden", "anonymous", "todo", "tbd",
        "true", "false", "yes", "no", "first name", "last name", "full name", "name", "surname",
    )
)  # fmt: skip
# A key's sign before the quote its value opens with: a colon, "=" or "=>" (JSON, Python and
# JS objects, YAML, Ruby), a space or a tab between them or not.
_SIGNS: Final = frozenset(":=>")
# Every person key holds one of these stems. In a long text they come from the scan's shared
# keyword pass, and only the quotes right after one are read: finding every quote costs
# 0.3-0.5 ms a 100,000 characters of wide-character text.
_STEMS: Final = Family(
    ("name", "nom", "navn", "namn", "nimi", "holder", "imie", "imię", "nazwisko", "apellido")
)
_AFTER_STEM: Final = re.compile(r"[\w-]{0,16}[\"']?[ \t]*(?::|=>?)[ \t]*([\"'])")
_KEY_REACH: Final = 32
_KEY_CHARS: Final = re.compile(r"[^\W\d][\w-]{0,29}\Z")
_ELEMENT: Final = re.compile(r"<(?P<key>[^\W\d][\w:-]{0,39})>(?P<value>[^<>\n]{2,60})</(?P=key)>")
_NAME_VALUE: Final = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'’-](?=[^\W\d_ ])|\.(?= )| (?=[^\W\d_]))*\.?")


def field_names(text: str) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for the value of every field that names a person."""
    if "'" in text or '"' in text:
        stems = _STEMS.occurrences(lower_same_length(text))
        quotes = _all_quotes(text) if stems is None else _quotes_after(text, stems)
        yield from _assigned(text, quotes)
    if "</" in text:
        for element in _ELEMENT.finditer(text):
            if _person_key(element.group("key")):
                yield from _name_at(text, element.start("value"), element.end("value"))


def _all_quotes(text: str) -> Iterator[int]:
    for quote in ('"', "'"):
        at = text.find(quote)
        while at != -1:
            yield at
            at = text.find(quote, at + 1)


def _quotes_after(text: str, stems: list[tuple[int, int]]) -> Iterator[int]:
    for _, end in stems:
        after = _AFTER_STEM.match(text, end, end + 40)
        if after is not None:
            yield after.start(1)


def _assigned(text: str, quotes: Iterable[int]) -> Iterator[Span]:
    """The names in the quoted values opening at ``quotes`` whose keys name a person."""
    for at in quotes:
        sign = at - 1 if at and text[at - 1] in _SIGNS else _spaced_sign(text, at)
        if sign is None:
            continue
        key = _key_before(text, sign - 1 if sign and text[sign - 1 : sign + 1] == "=>" else sign)
        end = text.find(text[at], at + 1, at + 62)
        if key is not None and _person_key(key) and end != -1 and _plain(text, at + 1, end):
            yield from _name_at(text, at + 1, end)


def _spaced_sign(text: str, at: int) -> int | None:
    """Where the sign is when a space or a tab stands between it and the quote at ``at``."""
    if at > 1 and text[at - 1] in " \t" and text[at - 2] in _SIGNS:
        return at - 2
    return None


def _plain(text: str, start: int, end: int) -> bool:
    """Whether a quoted value is on one line and holds no escape."""
    return "\n" not in text[start:end] and "\\" not in text[start:end]


def _key_before(text: str, sign: int) -> str | None:
    """The key before a sign at ``sign``: quoted (``"last name":``, ``'lastName' =>``) or bare
    (``last_name =``), spaces between them allowed."""
    before = text[max(0, sign - _KEY_REACH) : sign].rstrip(" \t")
    if before[-1:] in ('"', "'"):
        opening = before.rfind(before[-1], 0, -1)
        return before[opening + 1 : -1] if opening != -1 else None
    key = _KEY_CHARS.search(before)
    return None if key is None else key.group()


def _name_at(text: str, start: int, end: int) -> Iterator[Span]:
    found = _name_in(text[start:end])
    if found is not None:
        yield "person", start + found[0], start + found[1]


def _person_key(key: str) -> bool:
    """Whether a field's key names a person's name: ``last_name``, ``lastName``, ``Nachname``;
    an XML element's namespace prefix is dropped (``<ns:surname>``)."""
    key = key.rsplit(":", 1)[-1].lower()
    return key.replace("_", "").replace("-", "").replace(" ", "") in _PERSON_KEYS


def _name_in(value: str) -> tuple[int, int] | None:
    """Where the name is in a field's value (its letters, without the spaces around them), or
    ``None`` when the value is not one: a digit, a symbol, a type or a placeholder."""
    stripped = value.strip()
    if stripped.lower() in _NOT_VALUES:
        return None
    offset = value.index(stripped[0]) if stripped else 0
    match = _NAME_VALUE.fullmatch(value, offset, offset + len(stripped))
    return None if match is None else match.span()
