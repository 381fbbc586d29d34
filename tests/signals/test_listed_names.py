"""The other names of a list two of whose names were found."""

from __future__ import annotations

import pytest

from tests.support.findings import found


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "They had 6: Romi, Erik, Amy, Nathaniel, Donald and Kristen.",
            ["Romi", "Erik", "Amy", "Nathaniel", "Donald", "Kristen"],
        ),
        # "Eklund" alone, first in the list after a colon, is in no given-name list.
        (
            "Verdafero is the brainchild of our 3 founders: Eklund, Michael and Hodge.",
            ["Eklund", "Michael", "Hodge"],
        ),
        # The last item without its possessive, and a title after it no part of it.
        (
            "Owens, Duran and Oneal's Mrs. Kathrine Filemonsen DDS",
            ["Owens", "Duran", "Oneal", "Kathrine Filemonsen"],
        ),
    ],
)
def test_every_item_of_a_list_of_names_is_a_name(text: str, names: list[str]) -> None:
    assert [value for kind, value in found(text) if kind == "person"][-len(names) :] == names


@pytest.mark.parametrize(
    "text",
    [
        "We visited Paris, London and Berlin.",  # no item is a name
        "Ingredients: salt, pepper, sugar and flour",
    ],
)
def test_a_list_without_two_names_in_it_names_no_one(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "person"] == []


def test_a_list_of_two_names_and_other_words_stops_at_the_first_word_that_names_no_one() -> None:
    assert [value for kind, value in found("I met Anna, Maria and the kids") if kind == "person"] == [
        "Anna",
        "Maria",
    ]
