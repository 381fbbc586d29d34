"""A machine's addresses in the forms other than the dotted quad that logs and tickets carry.

* An IPv4 address in a host name, its octets joined by dashes: cloud and ISP names say the
  address they resolve to (``ec2-54-212-34-56.compute-1.amazonaws.com``,
  ``ip-10-0-12-34.ec2.internal``, ``c-73-22-1-5.hsd1.ca.comcast.net``), so a log line
  with one carries the address as surely as ``54.212.34.56`` would (``ip_address``). Four
  dashed numbers count where they stand in a host name: after a label's letters and a dash
  (``ec2-``, ``ip-``), or before a dot and a domain's letters.
* A hardware (MAC) address: six pairs of hex digits joined by ":" or "-"
  (``00:1A:2B:3C:4D:5E``), or three groups of four joined by dots (``001a.2b3c.4d5e``, as
  Cisco writes them). It names one device for its life, someone's phone or laptop, and the
  law counts it as personal data: a ``record_id``. The all-zero and broadcast addresses,
  which name no device, do not count.

Both patterns are tried only near a mark that a literal-led pattern finds at memchr's pace
(a dash and a number, a colon or a dash and a hex pair, a dot and four hex digits).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from typing import Final

from router._signals._keyword_search import AS_WRITTEN, Family, matches_near
from router._signals._pii import NO_MACHINE_FIRST_OCTETS, OCTET
from router._signals._text import reach_back

__all__ = ["NetworkIdDetector"]

# Four octets joined by dashes, not within a longer run of dashed numbers.
_DASHED_QUAD: Final = re.compile(
    rf"(?<![0-9])(?:{OCTET}-){{3}}{OCTET}(?![0-9]|-[0-9])"
)  # fmt: skip
# "-" and an octet's digits, then "-": every dashed quad holds one, its octet the quad's
# first or second (the first such mark in a run of dashed numbers is at its first dash).
_DASHED_MARK: Final = re.compile(r"-[0-9]{1,3}-")
_QUAD_LENGTH: Final = 15  # the longest quad; a match also reads the two characters after it
_LABEL_CHARS: Final = string.ascii_letters + string.digits
_DOMAIN_AFTER: Final = re.compile(r"\.[A-Za-z]")

_HEX2: Final = "[0-9A-Fa-f]{2}"
_HEX4: Final = "[0-9A-Fa-f]{4}"
_MAC: Final = re.compile(
    rf"(?<![0-9A-Za-z.-])(?:{_HEX2}(?P<sep>[:-])(?:{_HEX2}(?P=sep)){{4}}{_HEX2}|{_HEX4}\.{_HEX4}\.{_HEX4})"
    r"(?![0-9A-Za-z]|[:.-][0-9A-Za-z])"
)
# A separator and a hex pair then the same separator, or a dot and four hex digits then a
# dot: every hardware address holds one. One pattern for each, led by its literal: an
# alternation of the three is read at a character a step, 1.3 ms a 100,000 characters
# where each of these takes 0.08.
_MAC_MARKS: Final = (re.compile(f":{_HEX2}:"), re.compile(f"-{_HEX2}-"), re.compile(rf"\.{_HEX4}\."))
_MAC_MARK: Final = re.compile(rf":{_HEX2}:|-{_HEX2}-|\.{_HEX4}\.")
# Where the marks' first two characters occur, from the scan's shared pass over a long text.
_HEX_DIGIT_CHARS: Final = "0123456789abcdefABCDEF"
_DASHED_STARTS: Final = Family((f"-{digit}" for digit in string.digits), AS_WRITTEN)
_MAC_STARTS: Final = Family((f"{sep}{digit}" for sep in ":-." for digit in _HEX_DIGIT_CHARS), AS_WRITTEN)
_MAC_LENGTH: Final = 17
# A hex pair standing alone before the address's colon: the six pairs are part of a longer
# chain (a key's fingerprint). After a word ("mac:00:1A:..."), the colon is the label's.
_PAIR_BEFORE: Final = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{2}:\Z")
_NO_DEVICE: Final = frozenset({"000000000000", "ffffffffffff"})
_NOT_HEX: Final = re.compile(r"[^0-9a-f]")


class NetworkIdDetector:
    """Finds IPv4 addresses in host names and hardware (MAC) addresses."""

    types: tuple[str, ...] = ("ip_address", "record_id")

    def __init__(self, types: tuple[str, ...] = types) -> None:
        self._types = frozenset(types)

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(type, start, end)`` for each address."""
        if "ip_address" in self._types:
            yield from _host_addresses(text)
        if "record_id" in self._types:
            yield from _hardware_addresses(text)


def _host_addresses(text: str) -> Iterator[tuple[str, int, int]]:
    # At the octet after each mark's dash: a quad holds it.
    marks = (start + 1 for start in _marks(text, _DASHED_STARTS, (_DASHED_MARK,), _DASHED_MARK))
    for match in matches_near(_DASHED_QUAD, text, marks, _QUAD_LENGTH, _QUAD_LENGTH + 2):
        start, end = match.span()
        if text[start:end].split("-", 1)[0] in NO_MACHINE_FIRST_OCTETS:  # as for a dotted quad
            continue
        if _after_label(text, start) or _DOMAIN_AFTER.match(text, end):
            yield "ip_address", start, end


def _marks(
    text: str, starts: Family, marks: Sequence[re.Pattern[str]], mark: re.Pattern[str]
) -> Iterator[int]:
    """Where ``mark`` (the alternation of ``marks``) matches, in order: in a long text tried
    where the scan's shared pass found its first two characters, in a short one found by each
    of ``marks`` (led by a literal, each is quick), in order."""
    found = starts.occurrences(text)
    if found is not None:
        return (start for start, _ in found if mark.match(text, start))
    # ``findall`` first: it reads a short text without a match in 0.6 us, where setting up
    # ``finditer`` alone costs 1.2.
    present = [each for each in marks if each.findall(text)]
    return iter(sorted(match.start() for each in present for match in each.finditer(text)))


def _after_label(text: str, start: int) -> bool:
    """Whether a host name's label with a letter in it ("ec2", "ip") and a dash end at ``start``."""
    if start < 2 or text[start - 1] != "-":
        return False
    label = text[reach_back(text, start - 1, _LABEL_CHARS, 63) : start - 1]
    return not label.isdigit() and label != ""


def _hardware_addresses(text: str) -> Iterator[tuple[str, int, int]]:
    marks = _marks(text, _MAC_STARTS, _MAC_MARKS, _MAC_MARK)
    for match in matches_near(_MAC, text, marks, _MAC_LENGTH, _MAC_LENGTH + 2):
        start, end = match.span()
        if _PAIR_BEFORE.match(text, max(0, start - 3), start):
            continue
        if _NOT_HEX.sub("", match.group().lower()) not in _NO_DEVICE:
            yield "record_id", start, end
