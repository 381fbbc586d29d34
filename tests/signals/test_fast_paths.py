"""The scan's fast paths find exactly what the plain paths find.

Two paths exist only for speed: the card windows of a long run of digit groups are judged by
numpy (``_card_windows``) instead of group by group, and where numbers are dense the address
and birth-date patterns run only where a keyword they need stands near the number
(``_places._Keywords``). Each is checked here against the plain path on texts built to hold
cards, look-alikes, addresses and birth dates.
"""

from __future__ import annotations

import random

import pytest

from router._signals import _pii, _places
from router._signals._checksums import luhn_valid


def _valid_card(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(15))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _digit_groups(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 200)):
        if rng.random() < 0.3:
            card = _valid_card(rng)
            parts.append(
                card if rng.random() < 0.5 else " ".join((card[:4], card[4:8], card[8:12], card[12:]))
            )
        else:
            size = rng.choice((1, 3, 4, 4, 4, 4, 5, 6, 12, 13, 16, 19))
            parts.append(
                "".join(rng.choice("0123456789" if rng.random() < 0.7 else "4") for _ in range(size))
            )
    separator = rng.choice((" ", "-"))
    return rng.choice(("", "x", "+", "1.", "a ")) + separator.join(parts) + rng.choice(("", "x", ".5", ",3"))


@pytest.mark.parametrize("seed", range(40))
def test_long_runs_of_digit_groups_yield_the_cards_the_group_by_group_reading_does(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _digit_groups(random.Random(seed))
    first_digit = next(i for i, char in enumerate(text) if char.isdigit())
    run = _pii._CARD_RUN.match(text, first_digit)
    assert run is not None
    monkeypatch.setattr(_pii, "_VECTORISED_RUN", 10**9)
    plain = _pii._cards_in_run(text, run.start(), run.end())
    monkeypatch.setattr(_pii, "_VECTORISED_RUN", 12)
    assert _pii._cards_in_run(text, run.start(), run.end()) == plain


_PLACE_WORDS = (
    "12", "5", "221B", "born", "Rue", "rue", "de", "la", "Paix", "Main", "Street", "St", "apt", "Apt.",
    "PO Box", "P.O. Box", "psc 1234, box", "Calle", "Mayor", "Hauptstraße", "u.", "3 March 1961",
    "aged", "42 years old", "DOB:", "ul.", "Narewska", "\n", ",", "ſt", "KÁLMÁN", "via", "c/", "2024",
    "20789 Allika 46", "né le", "12/03/1961", "Suite", "geboren am",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_keyword_gates_change_no_address_birth_date_or_age(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choice(_PLACE_WORDS) for _ in range(rng.randint(1, 400)))
    monkeypatch.setattr(_places, "_DENSE", 0)  # never gated
    plain = list(_places.places(text))
    monkeypatch.setattr(_places, "_GATED_AFTER", 1)
    monkeypatch.setattr(_places, "_DENSE", 10**9)  # gated from the first number
    assert list(_places.places(text)) == plain
    assert plain or not any(char.isdigit() for char in text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 " * 500 + "4111 1111 1111 1111", ("credit_card", 1000, 1019)),
        ("1 " * 500 + "10.0.0.1", ("ip_address", 1000, 1008)),
        ("1 " * 500 + "2001:db8::1", ("ip_address", 1000, 1011)),
    ],
    ids=["card", "ipv4", "ipv6"],
)
def test_a_long_run_of_digit_groups_is_skipped_to_its_last_group_which_is_still_read(
    text: str, expected: tuple[str, int, int]
) -> None:
    assert list(_pii.PiiDetector().find(text)) == [expected]
