"""A postcode named as one is a street address; a number alone is not."""

from __future__ import annotations

import pytest

from tests.support.findings import found

LABELLED = {
    "british": ("My postcode is SW1A 1AA", "SW1A 1AA"),
    "british, lower case": ("postcode: m1 1ae", "m1 1ae"),
    "us zip": ("Zip code 94103", "94103"),
    "us zip+4": ("ZIP: 94103-1234", "94103-1234"),
    "german": ("PLZ 10115 Berlin", "10115"),
    "german, long word": ("Postleitzahl: 10115", "10115"),
    "french": ("code postal 75008", "75008"),
    "brazilian": ("CEP 01310-100", "01310-100"),
    "japanese mark": ("〒100-0001", "100-0001"),
    "japanese word": ("郵便番号：100-0001", "100-0001"),
    "dutch": ("postcode 1234 AB", "1234 AB"),
    "australian, a word after it": ("Postcode: 2000 in Sydney", "2000"),  # no Dutch "2000 IN"
    "polish": ("kod pocztowy 00-950", "00-950"),
    "swedish": ("postnummer 114 55", "114 55"),
    "canadian": ("Canadian postal code K1A 0B1", "K1A 0B1"),
    "quoted json": ('{"zip": "94103"}', "94103"),
}


@pytest.mark.parametrize(("text", "code"), LABELLED.values(), ids=LABELLED.keys())
def test_a_postcode_after_a_word_naming_one_is_a_street_address(text: str, code: str) -> None:
    assert found(text) == [("street_address", code)]


@pytest.mark.parametrize(
    "text",
    [
        "unzip 12345 files",  # the label inside a word
        "zip(a, b) returns 12345 pairs",  # code
        "The ZIP file has 12345 entries",
        "We shipped 12345 parcels to 94103 customers",  # numbers without a label
    ],
)
def test_numbers_not_named_as_a_postcode_are_no_finding(text: str) -> None:
    assert found(text) == []


def test_a_long_text_finds_the_labelled_postcode_among_other_numbers() -> None:
    filler = "Order 12 of 3 items shipped on 2024-05-01 to 40 stores. " * 40
    assert found(filler + "Postcode: SW1A 1AA. " + filler) == [("street_address", "SW1A 1AA")]
