"""Names written as handles: a message's ``name`` field, a username, a mention."""

from __future__ import annotations

import pytest

from router._params import hidden_text
from tests.support.findings import found


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("helena_shaw", "helena_shaw"),
        ("@helena_shaw said the refund never came", "helena_shaw"),
        ("ticket 4411\nhelena_shaw_61\nopened today", "helena_shaw_61"),
    ],
)
def test_a_handle_of_a_given_and_a_family_name_is_a_name(text: str, handle: str) -> None:
    assert found(text) == [("person", handle)]


def test_a_messages_name_field_is_read_as_a_handle() -> None:
    text = hidden_text({}, [{"role": "user", "name": "helena_shaw", "content": "where is my refund?"}])
    assert found(text) == [("person", "helena_shaw")]


@pytest.mark.parametrize(
    "text",
    [
        "max_price = 3",  # a given name and a family name, in code
        "df['max_price'].mean()",
        "print(hunter_green)",
        "@hunter_green()",
        "grace_period",  # "period" names no family
        "first_name",
        "MAX_RETRIES",
    ],
)
def test_identifiers_in_code_and_words_joined_by_underscores_are_no_names(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "person"] == []
