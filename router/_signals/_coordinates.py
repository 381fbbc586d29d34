"""A place on the map as coordinates (type ``street_address``): ``lat: 48.8584, lon: 2.2945``.

A delivery app's payload, a device's log or a location share carries where someone is as
a latitude and a longitude; three decimals place it within a street, four within a house.
A pair of decimal numbers is also a vector, a price list or a table row, so a pair counts
only where it says it is a place:

* after a word naming coordinates (``lat``, ``latitude``, ``lng``, ``GPS``, ``coords``,
  ``location``, ``Standort``, ``coordonnées``, …) or in a map link (``maps/@48.85,2.29``,
  ``?q=48.85,2.29``, ``ll=``), each number with three decimals or more;
* written with degrees and hemispheres (``40.7128° N, 74.0060° W``, ``48°51′30″N 2°17′40″E``).

The latitude must lie within ±90 and the longitude within ±180. The pair is reported as
one span, from the latitude's first character to the longitude's last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from router._signals._keyword_search import SHORTEST, Family, matches_at, matches_near
from router._signals._text import lower_same_length

__all__ = ["CoordinateDetector"]

_LABELS: Final = (
    "lat", "latitude", "gps", "geo", "coords", "coord",
    "coordinates", "location", "geolocation", "standort", "koordinaten", "coordonnées",
    "coordenadas", "coordinate", "ubicación", "localização", "współrzędne", "координаты",
    "maps/@", "q=", "ll=", "query=", "center=", "destination=",
)  # fmt: skip
_DECIMAL: Final = r"-?[0-9]{1,3}\.[0-9]{3,12}"
# A label, what joins it to a value (": ", '": ', " is "), the latitude, a joiner (", ",
# ", lon: ", ', "lng": '), the longitude. The label stands as a word of its own (or ends in
# a link's "@" or "=").
_JOIN: Final = r"[^\w\n-]{0,6}"
_LABELLED: Final = re.compile(
    r"(?<![^\W\d_])"  # the label starts a word
    rf"(?i:{'|'.join(map(re.escape, sorted(_LABELS, key=len, reverse=True)))})"
    rf"(?:(?<=[@=])|(?![^\W\d_])){_JOIN}(?i:(?:is|at|ist|est|es|è) {_JOIN})?"
    rf"(?P<lat>{_DECIMAL})(?:° ?[NSns]?)?[^\w\n-]{{1,6}}(?i:(?:lon|lng|long|longitude){_JOIN})?"
    rf"(?P<lon>{_DECIMAL})(?:° ?[EWOewo]?)?(?![0-9]|\.[0-9])"  # a full stop may end the sentence
)
# Where a label occurs, from the scan's shared keyword pass (``None``: run the pattern).
_LABEL_WORDS: Final = Family(word.lower() for word in _LABELS)
# Degrees, minutes and seconds (or decimal degrees) with their hemisphere letters.
_MINUTES_SECONDS: Final = r"(?:[0-9]{1,2}(?:\.[0-9]+)?['′’] ?(?:[0-9]{1,2}(?:\.[0-9]+)?[\"″”] ?)?)?"
_PART: Final = rf"[0-9]{{1,3}}(?:\.[0-9]{{1,12}})?° ?{_MINUTES_SECONDS}"
_DEGREES: Final = re.compile(
    rf"(?<![0-9.])(?P<lat>{_PART})[NS](?:,? ?)(?P<lon>{_PART})[EWO](?![^\W\d_])"
    rf"|(?<![0-9.])(?P<dlat>{_DECIMAL})°(?: ?[NS])?,? ?(?P<dlon>{_DECIMAL})°(?: ?[EWO])?"
)
# How far before its first "°" a pair in degrees starts ("-48.858412345678°"), and how far
# after it the pair can end.
_DEGREES_BEFORE: Final = 17
_DEGREES_AFTER: Final = 64
_NUMBER: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# A point and three decimals: every labelled latitude holds one, and prose seldom does. A
# pattern led by a literal is read at memchr's pace (1 us a 1,000 characters, where
# "[0-9]\.[0-9]{3}" takes 6).
_POINT_DECIMALS: Final = re.compile(r"\.[0-9]{3}")
# How far before the point the label can start (the longest label, its joiner, "is ", the
# integer digits), and how far after it the pair can end (the decimals, a joiner, a longitude
# label, the longitude).
_BEFORE: Final = 40
_AFTER: Final = 64


class CoordinateDetector:
    """Finds latitude and longitude pairs that say they are a place."""

    types: tuple[str, ...] = ("street_address",)

    def find(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``("street_address", start, end)`` for every pair of coordinates."""
        for match in _labelled(text):
            if _on_the_globe(match["lat"], match["lon"]):
                yield "street_address", match.start("lat"), _end(match)
        for match in _degrees(text):
            lat, lon = ("lat", "lon") if match["lat"] is not None else ("dlat", "dlon")
            if _on_the_globe(match[lat], match[lon]):
                yield "street_address", match.start(lat), _end(match)


def _end(match: re.Match[str]) -> int:
    """Where the pair ends: the match without the spaces a hemisphere's optional letter left."""
    return match.start() + len(match.group().rstrip())


def _degrees(text: str) -> Iterator[re.Match[str]]:
    """``_DEGREES.finditer(text)``, tried only around each "°" (``str.find`` reads a text in
    a few microseconds where the pattern's look-behind, tried at every character, takes a
    millisecond a 100,000)."""
    if "°" not in text:
        return iter(())
    return matches_near(_DEGREES, text, _each("°", text), _DEGREES_BEFORE, _DEGREES_AFTER)


def _each(mark: str, text: str) -> Iterator[int]:
    """Where ``mark`` occurs in ``text``, in order."""
    at = text.find(mark)
    while at != -1:
        yield at
        at = text.find(mark, at + 1)


def _labelled(text: str) -> Iterator[re.Match[str]]:
    """``_LABELLED.finditer(text)``, tried only where it can match: in a long text where the
    scan's shared keyword pass found a label (25 us a 100,000 characters, where the pattern's
    labels, tried at every letter, take 20 ms), in a short one within reach of a point and
    three decimals (which a text without one reads in about 1 us a 1,000 characters)."""
    if len(text) >= SHORTEST:
        found = _LABEL_WORDS.occurrences(lower_same_length(text))
        if found is not None:
            return matches_at(_LABELLED, text, (start for start, _ in found))
    if not _POINT_DECIMALS.findall(text):  # 0.6 us a 1,000 characters without one
        return iter(())
    points = (match.start() for match in _POINT_DECIMALS.finditer(text))
    return matches_near(_LABELLED, text, points, _BEFORE, _AFTER)


def _on_the_globe(first: str, second: str) -> bool:
    """Whether the two values (decimal, or the degrees that start them) are a latitude and a
    longitude, in either order: GeoJSON writes the longitude first."""
    one, other = (float(_NUMBER.findall(value)[0]) for value in (first, second))
    return max(one, other) <= 180 and min(one, other) <= 90
