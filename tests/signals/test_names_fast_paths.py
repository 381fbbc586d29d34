"""The name detector's one-match readings give what the matches they replace gave."""

from __future__ import annotations

import random
import re

import pytest

from router._signals import _people

_PIECES = (
    "Anna", "Smith", "Jean-Pierre", "O'Brien", "Müller's", "Kishiev’s", "K.", "J", "B.", "NASA", "Über",
    "Σ", "Ⓐ", "x", "de", "van", "der", "von", "da", "al", "'t", "The", "und", "(", ",", ".", "1", "-",
)  # fmt: skip
_SPACES = ("", " ", " ", "  ", "\n", "\t", "\u00a0")


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) + rng.choice(_SPACES) for _ in range(rng.randint(0, 10)))


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [_text(rng) for _ in range(count)]


def _next_capitalised_in_two_matches(text: str, end: int) -> str | None:
    initial = _people._INITIAL.match(text, end)
    at = initial.end() if initial else end
    if not text.startswith(" ", at):
        return None
    match = _people._WORD.match(text, at + 1)
    if match is None or not match.group()[0].isupper() or match.group().isupper():
        return None
    word = match.group()
    return word[:-2] if word.endswith(_people._POSSESSIVE) else word


def _name_end_in_three_matches(text: str, end: int) -> int:
    for _ in range(3):
        initial = _people._INITIAL.match(text, end)
        at = initial.end() if initial else end
        particles = _people._LOWER_PARTICLES.match(text, at)
        at = particles.end() if particles else at
        if not text.startswith(" ", at):
            break
        match = _people._WORD.match(text, at + 1)
        if match is None or not match.group()[0].isupper() or match.group().isupper():
            break
        if match.group().lower() in _people._NOT_SECOND_PARTS:
            break
        end = match.end()
        if match.group().endswith(_people._POSSESSIVE):
            return end - 2
    return end


@pytest.mark.parametrize("seed", range(5))
def test_the_word_after_a_name_and_its_end_are_those_the_separate_matches_find(seed: int) -> None:
    for text in _texts(seed, 400):
        for end in range(len(text) + 1):
            assert _people._name_end(text, end) == _name_end_in_three_matches(text, end), (text, end)
            if text[end : end + 1].isspace():
                expected = _next_capitalised_in_two_matches(text, end)
                assert _people._next_capitalised(text, end) == expected, (text, end)


_SENTENCE_END_SEARCH = re.compile(r"(?:\A|[.!?:;\"“”«»()\[\]\n>|*•-])\s*\Z")


@pytest.mark.parametrize("seed", range(5))
def test_a_sentence_end_is_told_as_the_search_of_the_four_characters_before_tells(seed: int) -> None:
    rng = random.Random(seed)
    characters = 'ab .\n\t\u00a0\u2028!?:;"“”«»()[]>|*•-x\r\x0b\x1c'
    for _ in range(20_000):
        text = "".join(rng.choice(characters) for _ in range(rng.randint(0, 7))) + "Z"
        start = len(text) - 1
        expected = _SENTENCE_END_SEARCH.search(text[max(0, start - 4) : start]) is not None
        assert _people._after_sentence_end(text, start) == expected, repr(text)
