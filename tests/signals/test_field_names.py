"""Names in the values of structured fields whose keys name a person: JSON, dicts, XML."""

from __future__ import annotations

import json

import pytest

from tests.support.findings import found

FIELDS = {
    "json": ('{"first_name": "Priya", "last_name": "Raman"}', ["Priya", "Raman"]),
    "json, compact and camel-case": ('{"firstName":"Priya","lastName":"Raman"}', ["Priya", "Raman"]),
    "a family name alone, lower case": ('{"surname": "raman"}', ["raman"]),
    "python dict, german keys": ("{'Nachname': 'Müller', 'Vorname': 'Jürgen'}", ["Müller", "Jürgen"]),
    "bare key": ("lastName: 'Raman'", ["Raman"]),
    "ruby hash": ("last_name => 'raman'", ["raman"]),
    "key with a space": ('{"last name": "raman"}', ["raman"]),
    "xml": ("<first_name>Priya</first_name><last_name>Raman</last_name>", ["Priya", "Raman"]),
    "xml with a namespace": ("<ns:Surname>Raman</ns:Surname>", ["Raman"]),
    "initials and an apostrophe": ('{"full_name": "J. R. R. O\'Brien"}', ["J. R. R. O'Brien"]),
    "cardholder in capitals": ('"cardholder": "PRIYA RAMAN"', ["PRIYA RAMAN"]),
    "spaces around the value": ('{"first_name": " Priya "}', ["Priya"]),
}


@pytest.mark.parametrize(("text", "names"), FIELDS.values(), ids=FIELDS.keys())
def test_the_value_of_a_field_that_names_a_person_is_a_name(text: str, names: list[str]) -> None:
    assert found(text) == [("person", name) for name in names]


def test_a_field_in_a_long_text_is_found_from_the_shared_keyword_pass() -> None:
    # Past 1,500 characters the quotes read are those after a key's stem (``_STEMS``).
    filler = "The order was shipped on time and the customer was happy with it.\n" * 40
    text = filler + json.dumps({"customer": {"last_name": "Raman", "notes": "none"}}) + "\n" + filler
    assert found(text) == [("person", "Raman")]


def test_a_tool_calls_arguments_are_read_through_their_escapes() -> None:
    arguments = json.dumps({"first_name": "Priya", "last_name": "Raman"})
    assert found(json.dumps({"name": "create_contact", "arguments": arguments})) == [
        ("person", "Priya"),
        ("person", "Raman"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "requests", "version": "2.32"}',  # "name" alone names packages, tools, models
        '{"last_name": "string"}',  # a schema's type
        '{"last_name": "{{last}}"}',  # a template
        '{"last_name": ""}',
        '{"last_name": "Raman2"}',
        '{"first_name": {"type": "string"}}',
    ],
)
def test_fields_without_a_persons_name_are_no_findings(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []
