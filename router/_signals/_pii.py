"""Personal data with a fixed shape: e-mail addresses, phone numbers, payment cards, IBANs,
US social security numbers and IP addresses.

Why hand-written patterns and not a library: the whole scan has about 60 µs for a
1,000-character prompt, and libphonenumber's ``PhoneNumberMatcher`` alone takes 35 µs on
digit-free prose and over 1 ms on prose with a few dates and prices (presidio runs it, and
more, per recognizer). Most of a prompt cannot hold any of these types, so the scan is
driven by what every such value must contain:

* e-mail addresses are only looked for around each ``@`` and the ways people write one
  (``_emails``);
* every other type contains ASCII digits, so a prompt without any costs ten ``in`` tests;
  otherwise one pattern pass picks out the number clusters worth a look (long ones, digits
  after two letters, colon groups) and each type is tried only where it can start,
  cheapest and most specific test first.

Candidates are then confirmed by their check digits (Luhn, ISO 7064 mod 97), the US SSN
allocation rules or the address grammar (``ipaddress``), so a look-alike run of digits is
not reported.
"""

from __future__ import annotations

import bisect
import ipaddress
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Final

from router._signals._card_windows import card_windows
from router._signals._checksums import IBAN_LENGTHS, card_number_valid, iban_valid
from router._signals._digit_runs import digit_led
from router._signals._emails import emails
from router._signals._phone import PHONE_PATTERN, phone_at
from router._signals._text import ascii_word_char, reach_back

__all__ = ["NO_MACHINE_FIRST_OCTETS", "OCTET", "PII_TYPES", "PiiDetector"]

PII_TYPES: Final = ("email", "phone", "credit_card", "iban", "us_ssn", "ip_address")
_NUMERIC_TYPES: Final = frozenset(PII_TYPES) - {"email"}

Span = tuple[str, int, int]

_DIGIT_RUN: Final = re.compile(r"[0-9]+")
# A number worth a closer look: digit runs joined by at most two separator characters (one
# phone number, card, address or date) that are long (7+ characters: "1.1.1.1", "555 1234"),
# follow two letters (an IBAN's check digits) or carry colons (IPv6). A short one followed by
# a separator only a card or an IBAN takes ("4111_1111", "4111\n1111", "4111 - 1111") is
# read too, for the value it may begin (``_CardRuns.joined``). Prose is full of short
# numbers ("12%", "in 2024", "Q3"); they fail the test at their first digit, inside ``re``.
# The first digit comes first and the look-behind after it, so ``re`` can jump from digit to digit.
_NUMBER_CLUSTER: Final = re.compile(
    r"[0-9](?<![0-9][0-9])"
    r"(?:(?<=[A-Za-z]{2}[0-9])(?=[0-9])|(?=[0-9 .()/:+_\n\r-]{6})|(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:))"
    r"(?:[0-9]|[ .()/:+-]{1,2}(?=[0-9]))*"
)
# Dates and times are the most common long numbers in prompts and are none of the types.
_DATE_TIME: Final = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2}))"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_MIN_CLUSTER: Final = 7

# What may stand between the groups of a card or an IBAN: one space, dash, dot, slash,
# underscore or plus (a space in a form body: "card=4111+1111+..."), a line break (a number
# pasted from a form, a group a line; or after a dash, slash or space where a line wraps),
# or a dash or slash with a space on either side or both ("4111 - 1111"). A model reads the
# value through any of them, mixed or not; the check digits, not the separators, tell a card
# from other numbers.
_GROUP_SEPARATOR: Final = r"(?: ?[-/] | [-/]|[-/ ]?\r?\n|[ ._/+-]|\r)"
# A card is looked for in the longest run of digit groups joined by those separators; the
# run is atomic so it is read whole, then searched for card-shaped windows of groups.
_CARD_RUN: Final = re.compile(rf"(?>[0-9]+(?:{_GROUP_SEPARATOR}[0-9]+)*)")
_SPACED_RUN: Final = re.compile(r"(?>[0-9]+(?:[ -][0-9]+)*)")
_CARD_JOIN: Final = re.compile(rf"{_GROUP_SEPARATOR}[0-9]")
_CARD_JOIN_STARTS: Final = frozenset(" ._/+-\n\r")
# Next to a dot or an underscore, a block of 12-19 digits is the other part of a decimal
# number or of an identifier ("0.30000000000000004", "run_4111111111111111"), not a card.
_BLOCK_GLUE: Final = frozenset("._")
_CARD_MAX_GROUPS: Final = 5
# Groups joined by a dot, a slash, a line break, ... are as often a list of numbers ("1905\n
# 1906\n1907\n1908": years a line, a tenth of such windows pass Luhn): there a card must
# also start as issued ones do. Visa (4), Mastercard and Maestro (5, 2221-2720, 6), Discover,
# UnionPay, RuPay (6, 81, 82), Amex (34, 37), Diners (30, 36, 38, 39), JCB (35), Mir
# (2200-2204), UzCard (8600), Troy (9792), Humo (9860).
_SCHEME_PREFIXES: Final = (
    "22", "23", "24", "25", "26", "27", "30", "34", "35", "36", "37", "38", "39",
    "81", "82", "8600", "9792", "9860",
)  # fmt: skip
_SPACE_OR_DASH: Final = frozenset(" -")
_PHONE_JOINERS: Final = frozenset(" .-/")
_PHONE_GROUP_STARTS: Final = frozenset("0123456789(/")
# From this many characters a run's card windows are judged by numpy (``_card_windows``):
# group by group, Python takes about 6 us a group.
_VECTORISED_RUN: Final = 400

# An IBAN of each length, in groups or not: a group separator is skipped only before a letter
# or digit ("DE89  3704" and "DE89 _" end it).
_IBAN_BODIES: Final = {
    length: re.compile(rf"[A-Za-z0-9](?:{_GROUP_SEPARATOR}?[A-Za-z0-9]){{{length - 1}}}")
    for length in set(IBAN_LENGTHS.values())
}
_NOT_ALPHANUMERIC: Final = re.compile(r"[^A-Za-z0-9]+")

_SSN: Final = re.compile(
    r"(?<![0-9A-Za-z_])(?<![0-9][ .-])([0-9]{3})([- .]?)([0-9]{2})\2([0-9]{4})(?![0-9A-Za-z_]|[ .-][0-9])"
)
_SSN_WORDS: Final = re.compile(r"(?<![A-Za-z])(?:ssn|social security|social sec|soc\.? sec)", re.IGNORECASE)

OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4: Final = re.compile(rf"(?<![0-9A-Za-z_.])(?:{OCTET}\.){{3}}{OCTET}(?![0-9A-Za-z_]|\.[0-9])")
# A dotted quad after one of these words is a version or a section number, not an address.
_NUMBERING_WORDS: Final = re.compile(
    r"(?<![a-z])(?:v|ver|version|release|build|firmware|section|sec|chapter|ch|clause|article|art|"
    r"paragraph|para|step|item|rule|table|figure|fig)\.?\s*\Z"
)
_IPV6_CHARS: Final = "0123456789ABCDEFabcdef:"
_IPV6_BODY: Final = r"[0-9A-Fa-f:]{2,39}(?:(?<=:)(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?![0-9A-Za-z_]|\.[0-9])"
_IPV6: Final = re.compile(rf"(?<![0-9A-Za-z_.])(?<![0-9A-Fa-f:]:){_IPV6_BODY}")
# After a word ending in hex letters and a colon ("grazie:2001:db8::1", a full-width colon
# folded): the word is the label, the address starts after its colon.
_IPV6_AFTER_WORD: Final = re.compile(_IPV6_BODY)
# Addresses that name no machine: loopback, "any", broadcast and netmasks.
NO_MACHINE_FIRST_OCTETS: Final = frozenset({"0", "127", "255"})


class PiiDetector:
    """Finds e-mail addresses, phone numbers, cards, IBANs, US SSNs and IP addresses."""

    def __init__(self, types: Iterable[str] = PII_TYPES) -> None:
        wanted = frozenset(types)
        unknown = wanted - set(PII_TYPES)
        if unknown:
            raise ValueError(f"PiiDetector cannot find {sorted(unknown)}; it finds {list(PII_TYPES)}")
        self.types: tuple[str, ...] = tuple(t for t in PII_TYPES if t in wanted)
        self._wanted = wanted
        self._numeric = bool(wanted & _NUMERIC_TYPES)

    def find(self, text: str) -> Iterator[Span]:
        """Yield ``(type, start, end)`` for every value found, in text order per kind."""
        if "email" in self._wanted:
            yield from emails(text)
        if self._numeric and _has_ascii_digit(text):
            yield from self._numbers(text)

    def _numbers(self, text: str) -> Iterator[Span]:
        covered = 0
        cards = _CardRuns(text)
        for cluster in digit_led(_NUMBER_CLUSTER, text):
            if cluster.end() <= covered:
                continue
            for found in _in_cluster(text, cluster.start(), cluster.end(), covered, cards):
                # A disabled type still claims its characters, so no other type reads them.
                covered = found[2]
                if found[0] in self._wanted:
                    yield found


def _in_cluster(text: str, start: int, end: int, covered: int, cards: _CardRuns) -> Iterator[Span]:
    """Values in the number cluster ``text[start:end]``, none starting before ``covered``."""
    if end - start < _MIN_CLUSTER and not cards.joined(end):
        # Too short for a phone, card, SSN or IPv4 address: only an IBAN (letters before the
        # digits) or an IPv6 address (colons) can still contain it.
        found = _short_cluster(text, start, end)
        if found is not None and found[1] >= covered:
            yield found
        return
    if _DATE_TIME.fullmatch(text, start, end):
        return
    position = max(start, covered)
    while (run := _DIGIT_RUN.search(text, position, end)) is not None:
        # A value starts at the cluster's first run, after a space ("1.1.1.1 8.8.8.8") or
        # right after the separator that ends a value ("10.0.0.1-10.0.0.9"); any other run
        # after "-", "." or ")" is the inside of the number that began before it.
        at, position = run.span()
        if at < covered or (at > start and text[at - 1] != " " and at - 1 != covered):
            continue
        for found in _at_run(text, at, position, cards):
            if found[1] >= covered:
                covered = found[2]
                yield found
        # Every group between this one and the last of its run of digit groups follows a
        # digit and one space or dash: only the run's cards can start there, so where none
        # is left, the scan goes on at the last group ("1 2 3 …" is read in one step).
        position = max(position, cards.none_after(at))


def _at_run(text: str, start: int, end: int, cards: _CardRuns) -> tuple[Span, ...]:
    """The values that begin at (or just before) the digit run ``text[start:end]``; cheapest
    and most specific test first."""
    if start and _ascii_letter(text[start - 1]) and (found := _iban_at(text, start)):
        return (found,)
    # Right after another number and one separator ("1 2", "4111-1111") no SSN or phone
    # number can start (their patterns refuse it): only a card of the run or an address.
    after_number = start > 1 and text[start - 1] in " .,:/-" and "0" <= text[start - 2] <= "9"
    if not after_number and end - start in (3, 9) and (found := _ssn_at(text, start)):
        return (found,)
    found_cards = cards.at(start, end)
    if found_cards and found_cards[0][1] == start:
        return found_cards
    # A card later in the run (the run may go on over a line break: "10.0.0.1\n4111 1111 …")
    # leaves what starts here to the other types, if it ends before the card. After a space
    # or a line break the scan reaches the card's first group again; elsewhere ("5-4111-…")
    # it would not, so the cards come with the value.
    found = _address_or_phone_at(text, start, end, after_number)
    if found is None or (found_cards and found[2] > found_cards[0][1]):
        return found_cards
    if not found_cards or text[found_cards[0][1] - 1] in " \n\r":
        return (found,)
    return (found, *found_cards)


def _address_or_phone_at(text: str, start: int, end: int, after_number: bool) -> Span | None:
    """An IP address or a phone number beginning at the digit run ``text[start:end]``."""
    if text[end : end + 1] == "." and (found := _ipv4_at(text, start)):
        return found
    if ":" in (text[start - 1 : start], text[end : end + 1]) and (found := _ipv6_at(text, start)):
        return found
    return None if after_number or _too_short_for_phone(text, start, end) else _phone_at(text, start)


def _too_short_for_phone(text: str, start: int, end: int) -> bool:
    """Whether no phone number can start at the run: it follows a letter, or it has fewer
    digits than any phone number (7) and nothing joins another group to it (a space, dot,
    dash or slash before a digit or bracket, a space before a slash, a closing bracket, or
    the bracketed trunk zero of "+49(0)171 …")."""
    if start and _ascii_letter(text[start - 1]):
        return True  # glued to a word ("DE89 3704"): the phone pattern refuses the start
    if end - start >= 7:
        return False
    joiner = text[end : end + 1]
    return not (
        joiner == ")"
        or (joiner in _PHONE_JOINERS and text[end + 1 : end + 2] in _PHONE_GROUP_STARTS)
        or text.startswith("(0)", end)  # the trunk zero of "+44(0)20 …", written unspaced
    )


def _short_cluster(text: str, start: int, end: int) -> Span | None:
    if start and _ascii_letter(text[start - 1]) and (found := _iban_at(text, start)):
        return found
    if text.count(":", max(0, start - 5), end + 10) >= 2:
        return _ipv6_at(text, start)
    return None


def _ascii_letter(char: str) -> bool:
    # Only an ASCII letter can be an IBAN's country code; any other letter before the digits
    # (``口座DE89…``, ``Карта4539…``) is the text around the number, not part of it.
    return char.isascii() and char.isalpha()


def _has_ascii_digit(text: str) -> bool:
    # Ten memchr scans cost less than one regex pass over the text.
    return any(digit in text for digit in "0123456789")


def _iban_at(text: str, digits_start: int) -> Span | None:
    """An IBAN whose check digits begin at ``digits_start``, spaced in groups or not."""
    start = digits_start - 2
    if start < 0 or (start > 0 and ascii_word_char(text[start - 1])):
        return None
    country = text[start:digits_start]
    length = IBAN_LENGTHS.get(country.upper())
    if length is None or not (country.isupper() or country.islower()):
        return None
    # ``length`` letters and digits, a group separator allowed before each but the first.
    body = _IBAN_BODIES[length].match(text, start)
    if body is None:
        return None
    index = body.end()
    value = _NOT_ALPHANUMERIC.sub("", body.group())
    if index < len(text) and ascii_word_char(text[index]):
        return None
    # Printed IBANs are all capitals or (when a whole message is lower-cased) all small letters.
    if not (value.isupper() or value.islower()) or not iban_valid(value.upper()):
        return None
    return "iban", start, index


def _ssn_at(text: str, start: int) -> Span | None:
    """A US SSN: dashed AAA-GG-SSSS on its own; spaced, dotted or bare only after an SSN label."""
    match = _SSN.match(text, start)
    if match is None:
        return None
    area, separator, group, serial = match.groups()
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    if separator != "-" and not _SSN_WORDS.search(text, max(0, start - 40), start):
        return None
    return "us_ssn", start, match.end()


class _CardRuns:
    """Payment card numbers in runs of digit groups (joined by ``_GROUP_SEPARATOR``).

    Each run is read once, when the scan first reaches one of its groups; the scan asks again
    at later groups of the same run ("1 2 3 …" has one run of 2,000 groups), and reading the
    run from each group again made the scan quadratic. The scan's positions only grow, so
    the run read last is the only one to keep.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._start = self._end = -1
        self._cards: tuple[Span, ...] = ()
        self._card_starts: list[int] = []
        self._last_group = 0

    def at(self, start: int, end: int) -> tuple[Span, ...]:
        """The cards of the run holding the group ``text[start:end]``, from there on."""
        if not self._start <= start < self._end and end - start < 12 and not self.joined(end):
            # A group alone, too short for a card: the run is the group, with no card in it.
            self._start, self._end, self._cards, self._card_starts, self._last_group = start, end, (), [], 0
        elif not self._start <= start < self._end:
            run = _CARD_RUN.match(self._text, start)
            self._start, self._end = start, run.end() if run else start
            self._cards = _cards_in_run(self._text, start, self._end)
            self._card_starts = [card[1] for card in self._cards]
            # Past a group that follows a digit and one space or dash, only a card can
            # start (see ``_in_cluster``) up to the first other separator.
            spaced = _SPACED_RUN.match(self._text, start, self._end)
            spaced_end = spaced.end() if spaced else start
            self._last_group = reach_back(self._text, spaced_end, "0123456789", spaced_end - start)
        return self._cards[bisect.bisect_left(self._card_starts, start) :] if self._cards else ()

    def joined(self, end: int) -> bool:
        """Whether a group separator and a digit follow ``end``: the run goes on."""
        return (
            self._text[end : end + 1] in _CARD_JOIN_STARTS and _CARD_JOIN.match(self._text, end) is not None
        )

    def none_after(self, start: int) -> int:
        """Where the last group of the run holding ``start`` begins, if no card of the run
        starts after ``start``; 0 otherwise."""
        if not self._start <= start < self._end or bisect.bisect_right(self._card_starts, start) < len(
            self._card_starts
        ):
            return 0
        return self._last_group


def _cards_in_run(text: str, start: int, end: int) -> tuple[Span, ...]:
    """Payment card numbers in the run of digit groups ``text[start:end]``.

    Groups are read left to right; at each group the longest card-shaped window that passes
    the checks wins, so "4111 1111 1111 1111" is one card and "5 4111111111111111" (a stray
    digit before a card) still yields the card. Each group starts at most five windows, so
    the work is linear in the run.
    """
    if end - start < 12:
        return ()
    if end - start >= _VECTORISED_RUN:
        return _long_run_cards(text, start, end)
    groups = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(text, start, end)]
    # Digits before each group, so a window's digit count is one subtraction.
    before = list(itertools.accumulate((b - a for a, b in groups), initial=0))
    if before[-1] < 12:
        return ()  # fewer digits than the shortest card
    if _glued(text, end, end + 1, 1):
        groups.pop()
        before.pop()
    if groups and _glued(text, start - 1, start - 2, -1):
        del groups[0]
        before = [count - before[1] for count in before[1:]]
    cards: list[Span] = []
    first = 0
    while first < len(groups):
        size = _card_window(text, groups, first, before)
        if size:
            cards.append(("credit_card", groups[first][0], groups[first + size - 1][1]))
        first += size or 1
    return tuple(cards)


def _long_run_cards(text: str, start: int, end: int) -> tuple[Span, ...]:
    """``_cards_in_run`` for a long run: the same windows, judged by ``_card_windows``."""
    return tuple(
        ("credit_card", low, high)
        for low, high in card_windows(
            text[start:end],
            start,
            glued_first=_glued(text, start - 1, start - 2, -1),
            glued_last=_glued(text, end, end + 1, 1),
        )
    )


def _glued(text: str, next_to: int, beyond: int, direction: int) -> bool:
    """Whether the digit group ending (``direction`` 1) or starting (-1) next to
    ``text[next_to]`` is glued to a word, a sign or the other half of a decimal number:
    then it belongs to that and not to a card."""
    if not 0 <= next_to < len(text):
        return False
    char = text[next_to]
    if ascii_word_char(char) or (char == "+" and direction < 0):
        return True
    return char in ".," and 0 <= beyond < len(text) and "0" <= text[beyond] <= "9"


def _card_window(text: str, groups: list[tuple[int, int]], first: int, before: list[int]) -> int:
    """How many groups from ``groups[first]`` form a valid card number; 0 when none do.
    ``before[i]`` is the number of digits in the groups before ``groups[i]``."""
    widest = min(len(groups) - first, _CARD_MAX_GROUPS)
    if before[first + widest] - before[first] < 12:
        return 0  # too few digits in the widest window ("1 2 3 …")
    for size in range(widest, 0, -1):
        # Count before joining: a group of a million digits is never copied.
        if not 12 <= before[first + size] - before[first] <= 19:
            continue
        window = groups[first : first + size]
        if not _card_layout(window):
            continue
        if size == 1 and _block_glued(text, groups, first):
            continue
        digits = "".join(text[a:b] for a, b in window)
        # Two halves of eight (as some cards print, and people retype them) is also how two
        # numbers stand side by side: there the number must start as issued cards do.
        loose = size == 2 or _loosely_joined(text, window)
        if card_number_valid(digits) and (not loose or _scheme_prefix(digits)):
            return size
    return 0


def _loosely_joined(text: str, groups: list[tuple[int, int]]) -> bool:
    """Whether a separator other than one space or dash joins two of the groups."""
    return any(text[high:low] not in _SPACE_OR_DASH for (_, high), (low, _) in itertools.pairwise(groups))


def _scheme_prefix(digits: str) -> bool:
    """Whether a card number starts as the payment schemes' numbers do (see
    ``_SCHEME_PREFIXES``)."""
    return digits[0] in "456" or digits.startswith(_SCHEME_PREFIXES)


def _card_layout(groups: list[tuple[int, int]]) -> bool:
    """Whether digit groups are printed the way cards are: one block of 12-19 digits,
    4-4-4-4(-1..3) blocks, the 4-6-5 / 4-6-4 of Amex and Diners, or two halves of eight."""
    sizes = [b - a for a, b in groups]
    if len(sizes) == 1:
        return 12 <= sizes[0] <= 19
    if sizes in ([4, 6, 5], [4, 6, 4], [8, 8]):
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4 and len(sizes) >= 3


def _block_glued(text: str, groups: list[tuple[int, int]], index: int) -> bool:
    """Whether the block ``groups[index]`` is joined to other digits by a dot or an
    underscore (see ``_BLOCK_GLUE``), whether or not they were left out of the run's
    groups as glued ("9,1.4111111111111111")."""
    low, high = groups[index]
    return (low > 1 and text[low - 1] in _BLOCK_GLUE and "0" <= text[low - 2] <= "9") or (
        text[high : high + 1] in _BLOCK_GLUE and "0" <= text[high + 1 : high + 2] <= "9"
    )


def _ipv4_at(text: str, start: int) -> Span | None:
    match = _IPV4.match(text, start)
    if match is None or match.group().split(".", 1)[0] in NO_MACHINE_FIRST_OCTETS:
        return None
    if _NUMBERING_WORDS.search(text[max(0, start - 12) : start].lower()):
        return None
    if text[match.end() : match.end() + 1] == "-" and not text[match.end() + 1 : match.end() + 2].isdigit():
        return None  # "3.2.2.5- Emekli …" numbers an outline; "10.0.0.1-10.0.0.9" is a range
    return "ip_address", start, match.end()


def _ipv6_at(text: str, digits_start: int) -> Span | None:
    """An IPv6 address containing the digit run; it may begin with hex letters or colons."""
    start = reach_back(text, digits_start, _IPV6_CHARS, 39)
    if text.startswith(":", start) and not text.startswith("::", start):
        start += 1  # "host:2001:db8::1": the colon is the label's
    match = _IPV6.match(text, start)
    if match is None and start > 0 and text[start - 1].isalpha():
        colon = text.find(":", start, digits_start)
        if colon != -1 and text[start:colon].isalpha() and not text.startswith("::", colon):
            match = _IPV6_AFTER_WORD.match(text, colon + 1)
    if match is None or match.end() <= digits_start:
        return None
    candidate = match.group()
    if candidate.endswith(":") and not candidate.endswith("::"):
        candidate = candidate[:-1]  # "2001:db8::1: down": the colon is the sentence's
    if candidate.count(":") < 2:
        return None
    try:
        address = ipaddress.IPv6Address(candidate)
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:
        return None
    return "ip_address", match.start(), match.start() + len(candidate)


def _phone_at(text: str, digits_start: int) -> Span | None:
    # The number may open with "+" or "(" just before its first digits: "+41 …", "(555) …",
    # and a bracket may hold the whole number: "(+44 20 7946 0958)". Widest start first.
    starts = [digits_start]
    while len(starts) < 3 and starts[-1] > 0 and text[starts[-1] - 1] in "+(":
        starts.append(starts[-1] - 1)
    for start in reversed(starts):
        match = PHONE_PATTERN.match(text, start)
        if match is not None and phone_at(text, match):
            return "phone", start, match.end()
    return None
