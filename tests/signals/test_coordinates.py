"""Coordinates that say they are a place: a latitude and a longitude are a street_address."""

from __future__ import annotations

import pytest

from router._signals._coordinates import CoordinateDetector
from tests.support.findings import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Location: 48.8584, 2.2945", "48.8584, 2.2945"),
        ("my location is 51.5074, -0.1278", "51.5074, -0.1278"),
        ("GPS 48.8584,2.2945", "48.8584,2.2945"),
        ("lat: 48.8584, lon: 2.2945", "48.8584, lon: 2.2945"),
        ('{"lat": 48.8584, "lng": 2.2945}', '48.8584, "lng": 2.2945'),
        ("Latitude: 48.8584 Longitude: 2.2945", "48.8584 Longitude: 2.2945"),
        ('"coordinates": [-122.4194, 37.7749]', "-122.4194, 37.7749"),  # GeoJSON: longitude first
        ("https://www.google.com/maps/@48.8584,2.2945,17z", "48.8584,2.2945"),
        ("https://maps.google.com/?q=48.8584,2.2945", "48.8584,2.2945"),
        ("geo:37.786971,-122.399677", "37.786971,-122.399677"),
        ("Standort: 52.5200, 13.4050", "52.5200, 13.4050"),
        ("coords 40.7128° N, 74.0060° W", "40.7128° N, 74.0060° W"),
        ("the cabin is at 48°51′30″N 2°17′40″E", "48°51′30″N 2°17′40″E"),
    ],
)
def test_a_latitude_and_a_longitude_that_say_they_are_a_place_are_a_street_address(
    text: str, value: str
) -> None:
    assert found(text) == [("street_address", value)]
    assert found(f"{text}.") == [("street_address", value)]  # a full stop ends the sentence


@pytest.mark.parametrize(
    "text",
    [
        "embedding [0.0123, -0.0456, 0.1234]",
        "temperature 23.5°C, humidity 0.4512",
        "position 3.14159, 2.71828 in the array",
        "The location of the bug is line 12.3456, col 2.3456",
        "lat: 148.8584, lon: 192.2945",  # no latitude on the globe
        "location: 48.8, 2.2",  # a region, not a house
        "it was 25° outside, 12 N",
        "plate 48.8584, 2.2945",  # "lat" inside a word is no label
        "prices 1.2345, 2.3456 and 3.4567 in the location sheet",  # the label comes after
    ],
)
def test_pairs_of_numbers_that_are_no_place_are_no_finding(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("label", ["Location:", "LOCATION:", "flat, location"])
def test_a_long_text_finds_the_pair_through_the_shared_keyword_pass(label: str) -> None:
    text = "filler words. " * 200 + f"{label} 48.8584, 2.2945 " + "more filler. " * 200
    assert found(text) == [("street_address", "48.8584, 2.2945")]
    assert CoordinateDetector.types == ("street_address",)


def test_a_short_text_with_many_decimals_finds_each_labelled_pair() -> None:
    text = "readings 0.1234 0.5678; lat 48.8584, lon 2.2945; 9.8765; gps 40.7128,-74.0060"
    assert found(text) == [
        ("street_address", "48.8584, lon 2.2945"),
        ("street_address", "40.7128,-74.0060"),
    ]


def test_pairs_in_degrees_are_found_among_other_degrees() -> None:
    text = "It was 21°C at noon and 14° at night. " * 60 + "We camped at -33.8568°, 151.2153° by the bay."
    assert found(text) == [("street_address", "-33.8568°, 151.2153°")]
