"""Names written in lower case, as chat types them: after a form's label ("Name: helena
shaw"), after a naming cue ("please email helena shaw", "my name is john smith"), and in a
text written all in lower case ("follow up with naomi ryan"). One lower-case word could be
anything, so only pairs of known names count, but for a label or an introduction, which
say that a name follows. Read by ``_people.names``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Final

from router._signals._keyword_search import Family
from router._signals._names import NameLists
from router._signals._text import find_all, lower_same_length

__all__ = ["FUNCTION_WORDS", "lower_case_names"]

Span = tuple[str, int, int]

# Function words that Faker's lists hold as names somewhere ("My" is a Vietnamese name).
FUNCTION_WORDS: Final = frozenset(
    (
        "my", "me", "we", "you", "he", "she", "it", "they", "his", "her", "our", "the", "and",
        "but", "for", "not", "all", "any", "can", "may", "will", "was", "are", "van", "von", "del",
        "las", "los", "das", "der", "die", "den", "dem", "und", "ist", "une", "les", "est", "son",
        "mon", "ton", "sur", "par", "per", "con", "non", "che", "una", "uno", "sei", "dos", "nos",
        "vos", "ele", "ela", "het", "een", "ons", "i'm", "i’m", "i'd", "i'll", "i've", "des"
    )
)  # fmt: skip


_LOWER_WORD: Final = re.compile(r"[a-z]{2,}")
_ASCII_CAPITALS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def lower_case_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Yield ``("person", start, end)`` for the names in ``text`` written in lower case."""
    if not any(capital in text for capital in _ASCII_CAPITALS):
        yield from _lower_case_names(text, lists)
    elif ":" in text:
        yield from _labelled_lower_case_names(text, lists)
    yield from _cued_lower_case_names(text, lists)


# Form and ticket labels whose value is a person: "Name: helena shaw", "Patient: jonas becker".
_NAME_LABELS: Final = frozenset(
    (
        "name", "full name", "patient", "customer", "client", "contact", "employee", "applicant",
        "passenger", "guest", "cardholder", "account holder", "attn", "nom", "nombre", "nome",
        "naam", "kunde", "kundin", "ansprechpartner", "cliente", "paciente", "paziente",
    )
)  # fmt: skip
# The cues that introduce a name and nothing else ("my name is", "je m'appelle"): after them
# one known name is a name even where it is also a word ("my name is john"), as after a label.
_INTRODUCTIONS: Final = (
    "name is ", "me llamo ", "mi chiamo ", "m'appelle ", "heiße ", "name ist ", "naam is ", "nazywam się ",
    "меня зовут ", "chamo-me ", "ik heet ", "jag heter ", "jeg heter ", "jeg hedder ",
)  # fmt: skip
# Titles written in lower case ("mr. elliott flew to finnbogastaðir"): any word after one that
# is no common or function word is a name, as after a capitalised title. Not "ms" without its
# full stop (milliseconds, "ms word", and "más" where a text lost its accents).
_TITLE_CUES: Final = ("mr. ", "mrs. ", "ms. ", "dr. ", "mr ", "mrs ", "dr ", "mme ", "mlle ")
# Cues a lower-case name follows in chat: introductions, greetings, the verbs of contacting
# someone and the roles of the people a ticket is about, looked for in the lower-cased text
# by the scan's shared keyword pass (a trie of every naming cue was a pass of 2.5 ms per
# 100,000 characters, a ``str.find`` per cue 1.8 ms between them).
_LOWER_CUES: Final = (
    "i'm ", "i am ", "dear ", "hi ", "hello ", "email ", "e-mail ", "contact ", "call ", "patient ",
    "customer ", "client ", "thanks ", "ich bin ", "je suis ", *_INTRODUCTIONS, *_TITLE_CUES,
)  # fmt: skip
_LOWER_CUE_FAMILY: Final = Family(_LOWER_CUES)
_LOWER_PAIR: Final = re.compile(r" ([a-z]{2,}) ([a-z]{2,})\b")
_LABELLED_VALUE: Final = re.compile(r"[ \t]*([^\W\d_]{2,})(?:[ \t]+([^\W\d_]{2,}))?")


def _labelled_lower_case_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Lower-case names after a label and a colon, in a text that has capitals elsewhere
    ("Name: helena shaw" in a ticket; text with no capital at all is read above). The label
    says a person follows, so a known given name or family name is enough, and a second word
    that is a family name or no common word belongs to it."""
    at = text.find(":")
    while at != -1:
        before = text[max(0, at - 24) : at].lower().split()
        if before and (before[-1] in _NAME_LABELS or " ".join(before[-2:]) in _NAME_LABELS):
            value = _LABELLED_VALUE.match(text, at + 1)
            if value is not None and value.group(1).islower():
                found = _lower_name(value, lists)
                if found is not None:
                    yield found
        at = text.find(":", at + 1)


def _cued_lower_case_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Lower-case names after a naming cue in a text with capitals elsewhere ("Hi, i'm helena
    shaw", "Please email helena shaw", "the patient john smith"): people type names in chat
    without capitals. Only a known given name and a known family name, neither a common
    word, count, as in all-lower-case text; the cue alone does not make a word a name, but
    an introduction does make a known one ("my name is john smith")."""
    lowered = lower_same_length(text)
    for at, end in _cue_occurrences(lowered):
        if not (at and lowered[at - 1].isalpha()):
            cue = lowered[at:end]
            if cue in _TITLE_CUES:
                found = _titled(text, end, lists)
            else:
                found = _introduced(text, at, end, lists) if cue in _INTRODUCTIONS else None
            found = found or _cued_pair(text, end - 1, lists)
            if found is not None:
                yield found


def _titled(text: str, end: int, lists: NameLists) -> Span | None:
    """The lower-case name after a lower-case title ending at ``end``, if any."""
    value = _LABELLED_VALUE.match(text, end)
    if value is None or not value.group(1).islower() or len(value.group(1)) < 3:
        return None
    name = value.group(1)
    if name in FUNCTION_WORDS or (name in lists.common and name not in lists.last):
        return None
    return "person", value.start(1), value.end(1)


def _introduced(text: str, start: int, end: int, lists: NameLists) -> Span | None:
    """The lower-case name that an introduction at ``start:end`` gives: a known one, or, when
    someone introduces themselves ("my name is", "je m'appelle"), two words that are no common
    or function words ("my name is borna jerković"; one unknown word alone may say how the
    name is: "my name is missing"; "the file name is invalid format" is no one's)."""
    value = _LABELLED_VALUE.match(text, end)
    if value is None or not value.group(1).islower():
        return None
    known = _lower_name(value, lists)
    if known is not None:
        return known
    given, family = value.group(1), value.group(2)
    if family is None or not family.islower() or len(given) < 3 or not _own(text, start):
        return None
    if _plain_word(given, lists) or _plain_word(family, lists):
        return None
    return "person", value.start(1), value.end(2)


# The introductions that name the one speaking by themselves; "name is" needs its possessive.
_OWN_NAME_BEFORE: Final = ("my ", "mein ", "mijn ", "mon ", "mi ", "meu ", "mój ")


def _own(text: str, start: int) -> bool:
    """Whether the introduction at ``start`` names the one who writes it."""
    if not text.startswith(("name", "naam"), start, start + 4):
        return True  # "me llamo", "je m'appelle", "ich heiße", "меня зовут"
    return text[max(0, start - 5) : start].lower().endswith(_OWN_NAME_BEFORE)


def _cue_occurrences(lowered: str) -> Iterable[tuple[int, int]]:
    """Where each of ``_LOWER_CUES`` occurs in ``lowered`` (start, end): from the scan's
    shared keyword pass, which saves the 18 ``str.find`` passes (1.8 ms per 100,000
    characters), or from them."""
    found = _LOWER_CUE_FAMILY.occurrences(lowered)
    if found is not None:
        return found
    return [(at, at + len(cue)) for cue in _LOWER_CUES for at in find_all(lowered, cue)]


def _cued_pair(text: str, at: int, lists: NameLists) -> Span | None:
    pair = _LOWER_PAIR.match(text, at)
    if pair is None:
        return None
    given, family = pair.group(1), pair.group(2)
    if (
        given in lists.first
        and family in lists.last
        and not (_plain_word(given, lists) or _plain_word(family, lists))
    ):
        return "person", pair.start(1), pair.end(2)
    return None


def _plain_word(word: str, lists: NameLists) -> bool:
    """Whether ``word`` is a common word of some language or a function word: two look-ups,
    where a test against the union of the two sets copied the 18,000 common words each time
    (0.7 ms per pair of known names written in lower case)."""
    return word in lists.common or word in FUNCTION_WORDS


def _lower_name(value: re.Match[str], lists: NameLists) -> Span | None:
    # After a label a known name counts even where it is also a word ("josé", "rose"); a
    # grammar word ("the", "our") never starts one.
    given, family = value.group(1), value.group(2)
    if given in FUNCTION_WORDS or not (
        given in lists.first or given in lists.last or given in lists.unaccented
    ):
        return None
    if (
        family is not None
        and family.islower()
        and family not in FUNCTION_WORDS
        and (family in lists.last or family in lists.unaccented or family not in lists.common)
    ):
        return "person", value.start(1), value.end(2)
    return "person", value.start(1), value.end(1)


def _lower_case_names(text: str, lists: NameLists) -> Iterator[Span]:
    """Names in a text written all in lower case ("naomi ryan"): a given name and a family
    name, neither a common word. Only pairs count; one lower-case word could be anything."""
    words = list(_LOWER_WORD.finditer(text))
    for first, last in itertools.pairwise(words):
        given, family = first.group(), last.group()
        if (
            given in lists.first
            and family in lists.last
            and text[first.end() : last.start()] == " "
            and not (_plain_word(given, lists) or _plain_word(family, lists))
        ):
            yield "person", first.start(), last.end()
