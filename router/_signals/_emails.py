"""E-mail addresses, as written and as people write them to keep them from harvesters:
with a bracketed "at" and "dot", spelled out in words, spaced ("jane @ example . com"), or
percent-encoded in a URL.

Each form is looked for only where it can be: around each "@", each closing "at)", each
encoded "%40" in a text with a "%", in a text with " dot " for the spelled form, and after
each " at " for a spelled "at" before a written domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Final

from router._signals._keyword_search import Markers
from router._signals._text import find_all, lower_same_length, reach_back, word_class

__all__ = ["emails"]

Span = tuple[str, int, int]

_EMAIL_LOCAL_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+'-"
# Labels of letters and digits in any script (internationalised domains, RFC 5890, as people
# write them: "exämple.de"); the top-level domain ASCII, punycode ("xn--p1ai") or letters of
# another script ("рф"). An ASCII one ends at the first non-ASCII letter: in
# "yamada@example.jpです" the kana that follow are the sentence, not the domain.
# The vowel signs and viramas of the Indic and Southeast Asian scripts are marks, not letters
# (``\w`` leaves them out), yet every word of those scripts holds them: "राम@उदाहरण.भारत". The
# blocks from Devanagari to Sinhala, Thai and Lao, Myanmar and Khmer, less the danda and the
# double danda, which end sentences.
_MARKED: Final = "\u0900-\u0963\u0966-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_LABEL_CHAR: Final = rf"(?:[^\W_]|[{_MARKED}])"
_EMAIL_DOMAIN: Final = re.compile(
    rf"(?:{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|-){{0,61}}{_LABEL_CHAR})?\.)+"
    r"(?:(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-])"
    rf"|(?:[^\W\dA-Za-z_]|[{_MARKED}]){{2,24}}(?![\w-]))"
)

# An address written to keep it from harvesters: "jane [at] example [dot] com",
# "jane(at)example(dot)com", "{at}", mixed with real dots or a real "@". "at" and "dot" as
# bare words are ordinary English: they count only spelling a whole address that ends in a
# top-level domain (``_SPELLED_EMAIL``).
# Both read in the lower-cased text; the second, led by a literal, is the one run over it.
_BRACKETED_AT: Final = re.compile(r"[\[({] {0,2}at {0,2}[\])}]")
_AT_CLOSED: Final = re.compile(r"at {0,2}[\])}]")
_BRACKETED_DOT: Final = r"[ \t]{0,2}[\[({][ \t]{0,2}(?i:dot)[ \t]{0,2}[\])}][ \t]{0,2}"
_OBFUSCATED_DOMAIN: Final = re.compile(
    rf"(?:[^\W_](?:[\w-]{{0,61}}[^\W_])?(?:\.|{_BRACKETED_DOT}))+"
    r"(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-])"
)
_SPACES_AROUND_AT: Final = " "
# The local part may be spelled with "dot" too ("jane dot doe at example dot org"): without
# it the address was "doe at …", and pseudonymising sent "jane dot" as written.
_SPELLED_EMAIL: Final = re.compile(
    r"(?<![\w.+-])(?:[A-Za-z0-9][A-Za-z0-9._+-]{0,63} (?i:dot) ){0,3}"
    r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63} (?i:at) (?P<domain>[A-Za-z0-9][A-Za-z0-9-]{0,62})"
    r"(?: (?i:dot) [A-Za-z0-9][A-Za-z0-9-]{0,62}){0,6} (?i:dot) "
    r"(?i:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|eu|info|biz|me|us|ca|au)"
    r"(?![\w-])"
)
# An address at a mail provider written without its top-level domain ("john.smith@gmail"):
# whoever reads it knows the address. A full stop may end the sentence after it.
_PROVIDERS: Final = (
    r"(?i:gmail|googlemail|yahoo|hotmail|outlook|live"
    r"|icloud|protonmail|proton|gmx|aol|yandex|qq|163|126|naver|daum|libero|orange|wanadoo|t-online)"
)
_PROVIDER_ONLY: Final = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}@" + _PROVIDERS + r"(?![\w@-]|\.[\w-])"
)
# And so spelled out, its local part with a "dot" ("jane dot doe at gmail"): "at gmail" alone
# is prose ("I'm at Gmail now").
_SPELLED_PROVIDER_ONLY: Final = re.compile(
    r"(?<![\w.+-])(?:[A-Za-z0-9][A-Za-z0-9._+-]{0,63} (?i:dot) ){1,3}"
    r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63} (?i:at) " + _PROVIDERS + r"(?![\w@-]|\.[\w-]| (?i:dot) )"
)
# An address with spaces around its "@" or its dots, "jane @ example . com" (typed so, or so
# that a harvester misses it): the top-level domain must be one people write so, as for the
# spelled form, since a spaced "@" is also prose ("meet @ 5").
_SPACED_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SPACED_DOMAIN: Final = re.compile(
    rf"{_SPACED_LABEL}(?: {{0,2}}\. {{0,2}}{_SPACED_LABEL}){{0,4}} {{0,2}}\. {{0,2}}"
    r"(?i:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|eu|info|biz|me|us|ca|au)"
    r"(?![\w-])"
)
# An "at" spelled out before a written domain, "jane.doe at example.com": the local part must
# look like one (a ".", "_", "+" or a digit in it, led by a letter and with two letters at
# least), since "look at example.com", "sign in at gmail.com" and "v2.0 at pypi.org" are
# prose; the domain ends in a top-level domain people write so. Only " at " in lower case:
# each form more is another pass over the text (0.1 ms a 100,000 wide characters).
_LOCAL_BEFORE_AT: Final = re.compile(r"(?<![\w.+%@-])[A-Za-z][A-Za-z0-9._+-]{0,63}\Z")
_LOCAL_MARK: Final = re.compile(r"[._+0-9]")
_WRITTEN_DOMAIN: Final = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,4}\."
    r"(?i:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|eu|info|biz|me|us|ca|au)"
    r"(?![\w-]|\.[A-Za-z0-9])"
)
_NOT_DOMAINS: Final = frozenset(("the", "a", "an", "this", "that", "our", "your", "their", "its", "my"))
# An address percent-encoded, as URLs carry it in a query or a mailto: link
# ("?email=jane%40example.com", "jane%2Bsales%40example.com"): "%40" is the "@", "%2540" the
# same encoded twice. The local part's characters include "%" and hex digits, so it is read
# back as a plain one; an encoded "=", "&", "?", "/", ":", space, quote, comma or bracket in
# it ends the value before it ("u%3Fe%3Djane%40...": the address is "jane%40...").
_ENCODED_ATS: Final = ("%40", "%2540")
# The spelled-out addresses' words, looked for before their pattern runs.
_MARKERS: Final = Markers((" dot ", " DOT "))
_ENCODED_DELIMITER: Final = re.compile(r"%(?:2[026CcFf]|3[AaCcDdEeFf])")


def emails(text: str) -> Iterator[Span]:
    """Yield ``("email", start, end)`` for every address in ``text``, in each form."""
    if "@" in text:
        yield from _emails(text)
        yield from (("email", match.start(), match.end()) for match in _provider_only(text))
    yield from _bracketed_emails(text)
    has = _MARKERS.of(text)
    if has(" dot ") or has(" DOT "):
        yield from _spelled_emails(text)
    if "%" in text:
        yield from _encoded_emails(text)
    yield from _at_word_emails(text)


def _looks_local(word: str) -> bool:
    return _LOCAL_MARK.search(word.rstrip("._+-")) is not None and sum(map(str.isalpha, word)) >= 2


def _at_word_emails(text: str) -> Iterator[Span]:
    """Addresses with the "at" spelled and the domain written, "jane.doe at example.com",
    read from each " at " that a written domain follows."""
    for at in find_all(text, " at "):
        domain = _WRITTEN_DOMAIN.match(text, at + 4)
        local = _LOCAL_BEFORE_AT.search(text, max(0, at - 64), at) if domain else None
        if domain and local and _looks_local(local.group()):
            yield "email", local.start(), domain.end()


def _address(text: str, start: int, local_end: int, end: int) -> Span | None:
    """The address from ``start`` to ``end``, without a sentence's full stop before it; none
    when nothing of the local part is left."""
    while text[start] == ".":
        start += 1
    return ("email", start, end) if start < local_end else None


def _emails(text: str) -> Iterator[Span]:
    at = text.find("@")
    while at != -1:
        start = _local_start(text, at)
        domain = (
            (_EMAIL_DOMAIN.match(text, at + 1) or _OBFUSCATED_DOMAIN.match(text, at + 1))
            if start < at
            else None
        )
        found = _address(text, start, at, domain.end()) if domain else None
        if found is None and " " in text[at - 1 : at + 2]:
            # Spaced next to the "@" ("jane @ example . com"): "a@b.a@b." has an "@" every
            # four characters, each tried for nothing otherwise.
            found = _spaced_address(text, at)
        if found is not None:
            yield found
        at = text.find("@", at + 1)


def _spaced_address(text: str, at: int) -> Span | None:
    """The address around an "@" at ``at`` written with spaces (see ``_SPACED_DOMAIN``)."""
    local_end = reach_back(text, at, _SPACES_AROUND_AT, 2)
    after = text[at + 1 : at + 3]
    domain_start = at + 1 + len(after) - len(after.lstrip(_SPACES_AROUND_AT))
    start = _local_start(text, local_end)
    domain = _SPACED_DOMAIN.match(text, domain_start) if start < local_end else None
    if domain is None or not (" " in domain.group() or (local_end < at and domain_start > at + 1)):
        # Spaced on one side only: "@example.com" after a word is a handle, and
        # "jane@example.com" failed the plain form for a reason.
        return None
    return _address(text, start, local_end, domain.end())


def _encoded_emails(text: str) -> Iterator[Span]:
    """Addresses whose "@" is percent-encoded (see ``_ENCODED_ATS``)."""
    for marker in _ENCODED_ATS:
        at = text.find(marker)
        while at != -1:
            start = _local_start(text, at)
            for delimiter in _ENCODED_DELIMITER.finditer(text, start, at):
                start = delimiter.end()
            domain = _EMAIL_DOMAIN.match(text, at + len(marker)) if start < at else None
            if domain and (found := _address(text, start, at, domain.end())) is not None:
                yield found
            at = text.find(marker, at + 1)


def _bracketed_emails(text: str) -> Iterator[Span]:
    """Addresses whose "@" is written as a bracketed "at" (see ``_BRACKETED_AT``)."""
    lowered = lower_same_length(text)
    for closed in _AT_CLOSED.finditer(lowered):
        marker = _BRACKETED_AT.search(lowered, max(0, closed.start() - 3), closed.end())
        if marker is None or marker.end() != closed.end():
            continue
        local_end = reach_back(text, marker.start(), _SPACES_AROUND_AT, 2)
        start = _local_start(text, local_end)
        after = text[marker.end() : marker.end() + 2]
        domain_start = marker.end() + len(after) - len(after.lstrip(_SPACES_AROUND_AT))
        domain = _OBFUSCATED_DOMAIN.match(text, domain_start) if start < local_end else None
        if domain and (found := _address(text, start, local_end, domain.end())) is not None:
            yield found


def _provider_only(text: str) -> Iterator[re.Match[str]]:
    """``_PROVIDER_ONLY.finditer(text)``, tried only from the local part of each "@" (a search
    from every letter of the text would read each run of address characters from each of
    its letters)."""
    at = text.find("@")
    while at != -1:
        match = _PROVIDER_ONLY.match(text, _local_start(text, at))
        if match is not None and match.end() > at:
            yield match
        at = text.find("@", at + 1)


def _spelled_emails(text: str) -> Iterator[Span]:
    """Addresses written out in words, "jane at example dot com": the words "at" and "dot"
    are ordinary English, so the address must end in a top-level domain people spell out
    this way, and a domain word of prose ("look at the dot com bubble") is no domain."""
    for match in _SPELLED_EMAIL.finditer(text):
        if match.group("domain").lower() not in _NOT_DOMAINS:
            yield "email", match.start(), match.end()
    for match in _SPELLED_PROVIDER_ONLY.finditer(text):
        # A local part that starts with an article or a possessive is prose: "the dot product at yahoo".
        if match.group().split(" ", 1)[0].lower() not in _NOT_DOMAINS:
            yield "email", match.start(), match.end()


def _letter_or_mark(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char) in ("Mn", "Mc")


def _local_start(text: str, at: int) -> int:
    """Where the local part of an address whose "@" is at ``at`` starts (64 characters at most).

    ASCII first, in C; then, only where a letter of another script stands before it
    ("jürgen.müller@"; RFC 6531 addresses, with the vowel signs of Indic scripts), a step back
    over each such letter. Letters of scripts written without spaces are taken only when the
    local part has nothing else: in "連絡先はyamada@" the words run into it, but "山田@example.jp"
    is an address whatever its local part, so the letters before the "@" are taken (all of
    the run, up to 64: no word boundary tells where it starts; fail closed).
    """
    low = max(0, at - 64)
    start = reach_back(text, at, _EMAIL_LOCAL_CHARS, at - low)
    while start > low and not text[start - 1].isascii() and _letter_or_mark(text[start - 1]):
        if text[start - 1].isalpha() and word_class(text[start - 1]) is None:
            if start == at:
                return _unspaced_start(text, at, low)
            break
        start = reach_back(text, start - 1, _EMAIL_LOCAL_CHARS, start - 1 - low)
    return start


def _unspaced_start(text: str, at: int, low: int) -> int:
    """The start of the run of letters (and marks) of unspaced scripts before ``at``."""
    start = at
    while start > low and not text[start - 1].isascii() and _letter_or_mark(text[start - 1]):
        start -= 1
    return start
