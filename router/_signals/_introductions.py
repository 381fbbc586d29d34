"""Given names that are places too, read as names where a writer introduces themselves by one.

Many given names are places ("Marco", "Jordan", "Sofia", "Lucía"), so the name rules leave
such a word alone unless a title or a naming cue stands before it. A message, a voicemail
transcript or a call note opens with who speaks: "This is Marco from sales", "Hi, it's
Sofia", "Hola, soy Lucía". The words before the name ("this is", "it's", "soy") say nothing
of whom on their own ("This is London"), so the introduction counts where it is a greeting's
("Hi, this is Jordan") or what follows the name is a speaker's ("Jordan here", "Jordan from
accounts", "Jordan speaking").
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["introduced"]

# The introduction, lower-cased, as the last words before the name.
_INTRODUCTIONS: Final = frozenset(
    (
        "this is", "it's", "it’s", "it is", "soy", "sono", "c'est", "c’est", "hier ist",
        "hier spricht",
    )
)  # fmt: skip
_GREETINGS: Final = frozenset(
    (
        "hi", "hello", "hey", "morning", "afternoon", "evening", "hola", "hallo", "bonjour",
        "salut", "ciao", "buongiorno", "olá", "oi", "tag", "servus", "moin",
    )
)  # fmt: skip
_SPEAKER_AFTER: Final = re.compile(r"[ ,]+(?:here|speaking|from|again|aquí|qui|ici)(?![^\W\d_])", re.I)
_PUNCTUATION: Final = ",.!:;—-"


def introduced(text: str, start: int, end: int) -> bool:
    """Whether the word at ``start:end`` is the name of a writer's introduction."""
    words = text[max(0, start - 40) : start].lower().split()
    for size in (1, 2):
        if len(words) >= size and " ".join(words[-size:]) in _INTRODUCTIONS:
            greeting = words[-size - 1].strip(_PUNCTUATION) if len(words) > size else ""
            return greeting in _GREETINGS or _SPEAKER_AFTER.match(text, end) is not None
    return False
