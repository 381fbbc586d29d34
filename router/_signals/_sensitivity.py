"""The sensitivity signal: what sensitive content a text holds, and so how sensitive it is.

A :class:`SensitivityScanner` runs detectors over a text and returns :class:`Finding`\\ s:
a type, a level and a position. A finding never holds the matched text, so findings can be
logged, cached and sent across processes without leaking what they point at.

Built-in finding types (``BUILTIN_TYPES``) and how each is confirmed:

* ``email``: local part, ``@``, a domain with a top-level label; also with the ``@`` and
  dots written as bracketed words (``jane [at] example [dot] com``, ``(at)``, ``{at}``), and
  with the ``@`` percent-encoded, as URLs carry it (``?email=jane%40example.com``).
* ``phone``: international, North-American and trunk-zero national formats on their own;
  other digit groupings only next to a phone word (see ``_phone.py``).
* ``credit_card``: 13-19 digits (12 for Maestro) printed as one block or card-style groups,
  passing the Luhn check; the groups joined by spaces, dashes, dots, slashes, underscores,
  line breaks (alone or after a dash, slash or space) or spaced dashes and slashes, mixed
  or not.
* ``iban``: country code, check digits and BBAN, in groups (joined as a card's) or not,
  with the country's length and a valid ISO 7064 mod-97 checksum.
* ``us_ssn``: AAA-GG-SSSS outside the never-issued ranges (area 000, 666, 9xx; group 00;
  serial 0000). The undashed, space- and dot-separated forms are nine digits that could
  be anything, so they count only within 40 characters after "SSN" or "social security".
* ``ip_address``: IPv4 with valid octets and IPv6 by the standard grammar. Private ranges
  are reported: they describe an internal network, which is what the ``internal`` level is
  for. Loopback, unspecified (``0.0.0.0``, ``::``) and ``255.x`` broadcast/netmask values
  are not, as they name no machine. A dotted quad after "version"/"v" is a version number.
  An IPv4 address in a host name, its octets dashed (``ec2-54-212-34-56.compute-1…``,
  ``ip-10-0-12-34``), is one too (see ``_network_ids``).
* ``api_key``: provider tokens by their documented prefixes (OpenAI, Anthropic, AWS
  access key ids and the 40-character secret written near one, Google, GitHub, GitLab,
  Slack, Stripe live and test keys, SendGrid, npm, PyPI, Hugging Face, Groq, xAI, Perplexity,
  Replicate, Atlassian, Linear, Notion, Mailgun, Mailchimp, Twilio, Square, JWTs), ``Bearer``
  tokens and ``Basic`` credentials, Azure ``AccountKey=`` and values assigned to
  credential-named keys (``api_key = "..."``) that mix letters and digits, or written after
  a key's or token's name with a space ("api key 3f9a…", "auth token 9f8e…").
* ``private_key``: PEM blocks ``-----BEGIN … PRIVATE KEY-----`` with key material, with or
  without the END line, on the header's line or with ``\n`` escapes (a JSON key file); a
  Bitcoin key in wallet import format or a private extended key (``xprv…``) by its
  Base58Check checksum (see ``_crypto_wallets``).
* ``password``: a value after "password", "passcode", "PIN", "passphrase", "credentials" (and their words
  in the language signal's languages), also as a setting's name (``DB_PASSWORD=``,
  ``DB_PASS=``, ``"password": "..."``, ``pass: ...``), and
  the password of a login pair ``jane@example.com / W!nter2024`` or ``login: admin / P@ssw0rd!``;
  a stored password hash (bcrypt ``$2b$…``, SHA-crypt ``$6$…``, Argon2, Django's, LDAP's
  ``{SSHA}``; see ``_password_hashes``).
* ``national_id``, ``driver_license``, ``account_number``, ``record_id``: an identifier-shaped
  value right after words that name it (passport, tax id, driver's licence, account or
  routing number, patient/policy/employee id, login or username, in seven languages, and the names of national
  numbers in others: CPF, personnummer, マイナンバー, 身份证号...), checksum or not; a
  device's hardware (MAC) address is a ``record_id`` (see ``_network_ids``); a passport's
  or an identity card's machine-readable lines are a ``national_id`` (see ``_mrz``); a
  cryptocurrency address is an ``account_number`` by its own checksum (Base58Check,
  bech32/bech32m: ``1…``, ``3…``, ``bc1…``), an ``0x…`` address after a word naming a
  wallet or a coin (see ``_crypto_wallets``); and
  national numbers found by their own check digits (python-stdnum), see ``_national_ids``.
  A card-shaped number after "card number" is a ``credit_card`` even when it fails Luhn.
* ``person``, ``street_address``, ``date_of_birth``, ``age``: names by Faker's name lists,
  titles and context, and the values of fields named for one (``"last_name": "Raman"``);
  house numbers with street words in the formats of the 30 languages, address fields and
  East Asian addresses by their units (都道府県, 省市区, 시도구), and a latitude and
  longitude that say they are a place (``lat: 48.8584, lon: 2.2945``, a map link, degrees
  with hemispheres; see ``_coordinates``), a postcode right after a word naming one
  ("postcode SW1A 1AA", "PLZ: 10115"; see ``_postcodes``); dates next to birth words of the 30 languages
  (see ``_places``). A name alone is ``confidential``.

Custom terms (:class:`CustomTerm`) add the organisation's own keywords and patterns.
"""

from __future__ import annotations

import codecs
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import starmap
from types import MappingProxyType
from typing import Final, Protocol

from router._levels import Sensitivity
from router._signals._command_credentials import CommandCredentialDetector
from router._signals._coordinates import CoordinateDetector
from router._signals._crypto_wallets import CryptoWalletDetector
from router._signals._custom_terms import CustomTerm, CustomTermDetector
from router._signals._deep import DeepTier
from router._signals._identifiers import IDENTIFIER_TYPES, IdentifierDetector
from router._signals._invisible import visible
from router._signals._keyword_search import AS_WRITTEN, LOWER_CASED
from router._signals._mrz import MrzDetector
from router._signals._national_ids import load_validators
from router._signals._network_ids import NetworkIdDetector
from router._signals._password_hashes import PasswordHashDetector
from router._signals._people_detector import PEOPLE_TYPES, PeopleDetector
from router._signals._pii import PII_TYPES, PiiDetector
from router._signals._postcodes import PostcodeDetector
from router._signals._secrets import SECRET_TYPES, SecretDetector
from router._signals._text import fold_noting_invisible, sharing_lowered
from router._signals._url_credentials import UrlCredentialDetector

__all__ = [
    "BUILTIN_TYPES",
    "DEFAULT_LEVELS",
    "CustomTerm",
    "Detector",
    "Finding",
    "SensitivityScanner",
    "builtin_detectors",
    "highest_level",
    "warm_up",
]

BUILTIN_TYPES: Final[tuple[str, ...]] = (
    "email",
    "phone",
    "credit_card",
    "iban",
    "us_ssn",
    "ip_address",
    "api_key",
    "private_key",
    "password",
    "national_id",
    "driver_license",
    "account_number",
    "record_id",
    "person",
    "street_address",
    "date_of_birth",
    "age",
)

DEFAULT_LEVELS: Final[Mapping[str, Sensitivity]] = MappingProxyType(
    {
        "email": Sensitivity.CONFIDENTIAL,
        "phone": Sensitivity.CONFIDENTIAL,
        "credit_card": Sensitivity.RESTRICTED,
        "iban": Sensitivity.RESTRICTED,
        "us_ssn": Sensitivity.RESTRICTED,
        "ip_address": Sensitivity.INTERNAL,
        "api_key": Sensitivity.RESTRICTED,
        "private_key": Sensitivity.RESTRICTED,
        "password": Sensitivity.RESTRICTED,
        "national_id": Sensitivity.RESTRICTED,
        "driver_license": Sensitivity.RESTRICTED,
        "account_number": Sensitivity.RESTRICTED,
        "record_id": Sensitivity.CONFIDENTIAL,
        "person": Sensitivity.CONFIDENTIAL,
        "street_address": Sensitivity.CONFIDENTIAL,
        "date_of_birth": Sensitivity.CONFIDENTIAL,
        "age": Sensitivity.INTERNAL,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of sensitive content: its type, its level and where it is, never the text."""

    type: str
    level: Sensitivity
    start: int
    end: int


class Detector(Protocol):
    """A detector finds spans of one or more finding types."""

    # A read-only property rather than a plain attribute, so that a class attribute such
    # as ``types = ("employee_id",)`` (inferred ``tuple[str]``) satisfies the protocol.
    @property
    def types(self) -> tuple[str, ...]:
        """The finding types it can emit."""
        ...

    def find(self, text: str) -> Iterable[tuple[str, int, int]]:
        """Yield ``(type, start, end)`` for each span found in ``text``."""
        ...


def builtin_detectors(types: Iterable[str] = BUILTIN_TYPES) -> tuple[Detector, ...]:
    """The built-in detectors, looking only for ``types`` (a subset of ``BUILTIN_TYPES``).

    Pass ``(*builtin_detectors(), MyDetector())`` as ``detectors`` to add one of your own.
    """
    wanted = set(types)
    unknown = wanted - set(BUILTIN_TYPES)
    if unknown:
        raise ValueError(f"unknown built-in finding types {sorted(unknown)}; known: {list(BUILTIN_TYPES)}")
    detectors: list[Detector] = []
    if wanted & set(PII_TYPES):
        detectors.append(PiiDetector(wanted & set(PII_TYPES)))
    if wanted & set(SECRET_TYPES):
        detectors.append(SecretDetector(wanted & set(SECRET_TYPES)))
    if wanted & {*IDENTIFIER_TYPES, "credit_card"}:
        detectors.append(IdentifierDetector())
    if "national_id" in wanted:
        detectors.append(MrzDetector())
    if wanted & set(PEOPLE_TYPES):
        detectors.append(PeopleDetector())
    if "street_address" in wanted:
        detectors.extend((CoordinateDetector(), PostcodeDetector()))
    if wanted & set(NetworkIdDetector.types):
        detectors.append(NetworkIdDetector(tuple(wanted & set(NetworkIdDetector.types))))
    if wanted & set(CryptoWalletDetector.types):
        detectors.append(CryptoWalletDetector(tuple(wanted & set(CryptoWalletDetector.types))))
    if "password" in wanted:
        detectors.extend((UrlCredentialDetector(), CommandCredentialDetector(), PasswordHashDetector()))
    return tuple(detectors)


def highest_level(findings: Iterable[Finding]) -> Sensitivity:
    """The highest level among ``findings``; ``PUBLIC`` when there are none."""
    return max((finding.level for finding in findings), default=Sensitivity.PUBLIC)


def warm_up() -> None:
    """Do now what the first long scan of a process would otherwise do in a user's call:
    build the keyword automata (25 ms), import numpy (120 ms, unless the language models
    have), the stdnum validators of national numbers (30 ms) and the UTF-16 and UTF-32
    codecs the folding and the digit runs encode with (0.25 ms). The router's warm-up
    (``router._warm``) calls it; until then none of it is loaded, so reading routes.yaml
    stays cheap."""
    LOWER_CASED.build()
    AS_WRITTEN.build()
    importlib.import_module("numpy")  # read by the digit runs and card windows of long texts
    load_validators()
    for codec in ("utf-16-le", "utf-32-le"):
        codecs.lookup(codec)  # each imports its module on first use


class SensitivityScanner:
    """Finds sensitive content in a text.

    ``levels`` maps finding types to levels; when given, a built-in type missing from it is
    not looked for at all. ``detectors`` replaces the built-in detectors (``None`` keeps
    them); every type a non-built-in detector declares needs a level in ``levels``.
    ``custom_terms`` bring their own levels. ``deep``, an optional named-entity tier, reads
    the texts it wants after the built-in detectors (see ``_deep``).
    """

    def __init__(
        self,
        levels: Mapping[str, Sensitivity] | None = None,
        custom_terms: Sequence[CustomTerm] = (),
        detectors: Sequence[Detector] | None = None,
        deep: DeepTier | None = None,
    ) -> None:
        levels = DEFAULT_LEVELS if levels is None else levels
        resolved = {kind: Sensitivity.parse(level) for kind, level in levels.items()}
        if detectors is None:
            detectors = builtin_detectors(kind for kind in BUILTIN_TYPES if kind in resolved)
        bound = (_bind(detector, resolved) for detector in detectors)
        # A detector whose every type is disabled is not run at all.
        self._detectors = tuple((detector, kinds) for detector, kinds in bound if kinds)
        self._terms = _bind_terms(custom_terms)
        self._deep = deep
        self._deep_levels = (
            {kind: resolved[kind] for kind in set(deep.labels.values()) if kind in resolved} if deep else {}
        )

    def scan(self, text: str) -> tuple[Finding, ...]:
        """Every finding in ``text``, ordered by position.

        Where detectors report overlapping spans (a JWT that is also a ``Bearer`` token, digits
        inside an e-mail address), only the higher-level, then longer, finding is kept.
        Custom-term findings are all kept: they describe the organisation's vocabulary, not
        competing readings of the same characters.

        Detectors read the text folded to ASCII where it has full-width forms, other scripts'
        digits or Unicode spaces and hyphens (see ``_text.fold``), and without the invisible
        characters a model reads through (zero-width spaces, soft hyphens, ...), the
        combining marks on digits, and with HTML character references decoded (see
        ``_invisible``); offsets are mapped back, so they are those of ``text``.
        """
        seen = visible(*fold_noting_invisible(text))
        folded = seen.text
        with sharing_lowered():  # the detectors lower-case the folded text once between them
            found = _run(self._detectors, folded)
            if (
                self._deep_levels
                and self._deep is not None
                and self._deep.wanted(folded, [(start, end) for _, _, start, end in found])
            ):
                found.extend(_bound_findings(self._deep.find(folded), self._deep_levels, len(folded)))
            kept = _resolve_overlaps(found)
            if self._terms is not None:
                kept.extend(_run((self._terms,), folded))
        # Findings are made only of what is kept, with their offsets in ``text``: a frozen
        # dataclass costs 0.5 us to make, and a text dense with values has thousands.
        # They are put in order as tuples (indexing costs less than a slotted attribute), and
        # made by ``starmap``, which calls the class with each tuple as it is: ``Finding(*found)``
        # in a comprehension unpacks it into a new one first, and took twice as long.
        if len(folded) != len(text):
            kept = [(kind, level, *seen.span(start, end)) for kind, level, start, end in kept]
        kept.sort(key=lambda f: (f[2], -f[3], f[0]))
        return tuple(starmap(Finding, kept))


_Bound = tuple[Detector, Mapping[str, Sensitivity]]


def _bind(detector: Detector, levels: Mapping[str, Sensitivity]) -> _Bound:
    """Pair a detector with the levels of the types it may report; a built-in type without a
    level is disabled, any other type without one is a configuration error."""
    missing = [kind for kind in detector.types if kind not in levels and kind not in BUILTIN_TYPES]
    if missing:
        raise ValueError(
            f"detector {type(detector).__name__} emits {missing} but `levels` gives no level for them; "
            f"add e.g. {{{missing[0]!r}: Sensitivity.CONFIDENTIAL}}"
        )
    return detector, {kind: levels[kind] for kind in detector.types if kind in levels}


def _bind_terms(terms: Sequence[CustomTerm]) -> _Bound | None:
    names = [term.name for term in terms]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"custom term names must be unique; repeated: {duplicates}")
    return (CustomTermDetector(terms), {term.name: term.level for term in terms}) if terms else None


# A finding before it is made one: type, level, start, end.
_Found = tuple[str, Sensitivity, int, int]


def _run(detectors: Iterable[_Bound], text: str) -> list[_Found]:
    found: list[_Found] = []
    for detector, levels in detectors:
        found.extend(_bound_findings(detector.find(text), levels, len(text)))
    return found


def _bound_findings(
    spans: Iterable[tuple[str, int, int]], levels: Mapping[str, Sensitivity], length: int
) -> list[_Found]:
    # A type the detector did not declare or that is disabled, or an empty or out-of-range
    # span from a faulty detector, cannot be reported meaningfully. A list, not a generator:
    # a text dense with values has thousands, each a generator step more.
    return [
        (kind, level, start, end)
        for kind, start, end in spans
        if (level := levels.get(kind)) is not None and 0 <= start < end <= length
    ]


# Types confirmed by a fixed format or a checksum; at equal level they win an overlap over
# the types read from context (a card number after "routing no" is a card).
_EXACT_TYPES: Final = frozenset(PII_TYPES) | frozenset(SECRET_TYPES)


def _resolve_overlaps(found: list[_Found]) -> list[_Found]:
    """Keep, of findings that overlap, the one with the higher level, then the exactly
    confirmed type, then the longer span."""
    if len(found) < 2:
        return found
    found.sort(key=lambda f: (f[2], -f[3]))
    kept = [found[0]]
    for finding in found[1:]:
        last = kept[-1]
        if finding[2] >= last[3]:
            kept.append(finding)
        elif _rank(finding) > _rank(last):
            kept[-1] = finding
    return kept


def _rank(found: _Found) -> tuple[Sensitivity, bool, int]:
    kind, level, start, end = found
    return level, kind in _EXACT_TYPES, end - start
