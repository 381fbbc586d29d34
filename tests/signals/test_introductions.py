"""Names a writer introduces themselves by: "This is Marco from sales", "Hola, soy Lucía"."""

from __future__ import annotations

import pytest

from tests.support.findings import found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This is Marco from sales, about the invoice", "Marco"),
        ("It's Marco here, call me back", "Marco"),
        ("It’s Marco from accounts", "Marco"),
        ("Hola, soy Lucía y te escribo por el pedido", "Lucía"),
        ("Hi, this is Jordan.", "Jordan"),
        ("Hello! It's Sofia, call me back", "Sofia"),
        ("ciao, sono Marco", "Marco"),
        ("Bonjour, c'est Margot.", "Margot"),
        ("Hallo, hier ist Jürgen", "Jürgen"),
        ("It is Anna who called", "Anna"),
    ],
)
def test_a_given_name_a_writer_introduces_themselves_by_is_a_name(text: str, name: str) -> None:
    assert ("person", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        # A given name that is a place counts only with a greeting or a speaker's words.
        "This is London calling",
        "This is Paris.",
        "It's Victoria's secret",
        "this is Python",
        "It's Monday again",
        "It's Will power that counts",
        "this is john",  # lower case: the lower-case rules decide, not this one
    ],
)
def test_an_introduction_of_a_place_or_a_word_is_no_name(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "person"] == []
