"""Given names and family names, from the lists that Faker ships for its 86 locales.

Why Faker: it is a maintained package whose person providers carry tens of thousands of real
first and last names per locale (de, fr, es, it, pt, nl, pl, ru, ja romanised, ...), in the
wheel itself: nothing is downloaded, no model is loaded. Its lorem providers also ship each
language's common words, which tell a name that is also a word ("Will", "Rose", "Bauer")
from one that is only a name.

Importing all 86 locale modules takes about half a second, so the lists are read once and
kept as marshal data beside the tokenizer cache (``$XDG_CACHE_HOME/llm-router``), keyed by
Faker's version; a damaged or foreign entry is rebuilt. Without Faker installed the lists
are empty and only titles and context find names.

Its date-time providers give the month and day names of 49 locales ("Mart", "Pazartesi",
"Mai" are given names too, and capitalised in Turkish and German text), its address
providers the full names of cities, countries and regions ("San Marino", "Hong Kong" are
a given name and a family name in the lists), and its company providers the legal-form
words ("GmbH", "Group", "Inc") that make "Smith Group" a company, not a person.
"""

from __future__ import annotations

import functools
import importlib
import marshal
import os
import pkgutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Final

from router._signals._text import fold_accents
from router._signals._tokenizer_cache import _cache_dir

__all__ = ["NameLists", "name_lists"]

_CACHE_FORMAT: Final = 8
_FIRST_ATTRIBUTES: Final = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "first_romanized_names",
)
_LAST_ATTRIBUTES: Final = ("last_names", "last_names_male", "last_names_female", "last_romanized_names")
# Locales name their lists in their own ways beyond these: "unisex_last_names" and
# "male_last_names" (Polish: 3,890 family names, Kowalski and Tomaszewski among them),
# "last_names_common" (Ukrainian), "first_names_est" (Estonian). A list whose name says it
# holds given or family names counts; not middle names (Vietnamese "Văn", "Thị" and "Đức" are
# words too, a patronymic follows a given name, which goes on over it) nor Icelandic
# "last_names_without_suffix" (the stems of patronymics: "Michaels", "Har").
_FIRST_KINDS: Final = ("first_name", "first_romanized", "first_kana")
_LAST_KINDS: Final = ("last_name", "last_romanized", "last_kana")
_CITY_ATTRIBUTES: Final = ("cities", "city_names")
_REGION_ATTRIBUTES: Final = ("countries", "states", "provinces", "regions", "counties")
_PLACE_ATTRIBUTES: Final = _CITY_ATTRIBUTES + _REGION_ATTRIBUTES
# Faker's Spanish, Czech, Polish, French and Italian word lists are the most frequent words of
# their Wikipedias, names among them: as common words, "José García", "María López", "Petr" and
# "Jan" were never names without a title or a cue. These are names far more than words; the
# lists' other names are words too ("Blanco", "Costa", "Svoboda": freedom) and stay common.
_NAMES_IN_WORD_LISTS: Final = frozenset(
    (
        "antonio", "carlos", "felipe", "fernando", "francisco", "garcía", "gonzález", "jorge", "josé",
        "juan", "luis", "lópez", "manuel", "marco", "martín", "maría", "miguel", "pablo", "pedro",
        "rafael", "rodríguez", "boleslav", "david", "hana", "havel", "jakub", "jaromír", "jaroslav",
        "kateřina", "petr", "tomáš", "zdeněk", "zuzana", "françois", "pierre", "massimo", "jan",
        "piotr",
    )
)  # fmt: skip


@dataclass(frozen=True)
class NameLists:
    """Lower-cased given names, family names, and the common words and place names (cities,
    countries, regions) of many languages: a name that is also one of those is not a name
    on its own."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str]
    places: frozenset[str]
    # Month and day names; place names of two or more words, whole; company legal forms.
    calendar: frozenset[str] = frozenset()
    place_phrases: frozenset[str] = frozenset()
    company_words: frozenset[str] = frozenset()
    # Given names that are words of longer town names ("Maria", "Peter"): no places on their
    # own, but the words of a language that no word list here holds may be among them
    # ("Alla", "Delle"), so a sentence's first word is no name when it is one.
    town_words: frozenset[str] = frozenset()
    # Given and family names as chat types them without accents ("vitoria", "szollossy"),
    # where that form is no name and no common word as it stands: read only where a label or
    # an introduction says a name follows (in prose, "Bao" and "Rio" are words and places).
    unaccented: frozenset[str] = frozenset()
    # Family names of the locales whose names are read from cues and honorifics rather than
    # capitals (``_cued_names``, ``_honorifics``), by locale: kept here so that no process
    # imports Faker to read them (3.4 MB and 40-400 ms).
    surnames: Mapping[str, frozenset[str]] = field(default_factory=dict)


SURNAME_LOCALES: Final = ("zh_CN", "zh_TW", "ja_JP", "ko_KR")


@functools.cache
def name_lists() -> NameLists:
    """The name lists, from the disk cache when it holds this Faker version's."""
    try:
        version = metadata.version("faker")
    except metadata.PackageNotFoundError:
        return NameLists(frozenset(), frozenset(), frozenset(), frozenset())
    path = _cache_dir() / f"names-faker-{version}.v{_CACHE_FORMAT}.marshal"
    cached = _read(path)
    if cached is not None:
        return cached
    lists = _from_faker()
    _write(path, lists)
    return lists


def _read(path: os.PathLike[str]) -> NameLists | None:
    try:
        with open(path, "rb") as file:
            data = marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (
        isinstance(data, tuple) and len(data) == 10 and all(isinstance(part, frozenset) for part in data[:9])
    ):
        return None
    surnames = data[9]
    if not (isinstance(surnames, dict) and all(isinstance(names, frozenset) for names in surnames.values())):
        return None
    return NameLists(*data)


def _write(path: os.PathLike[str], lists: NameLists) -> None:
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as file:
            marshal.dump(_fields(lists), file)
        os.replace(file.name, path)
    except OSError:
        return  # a read-only home only costs the next process the half second again


def _from_faker() -> NameLists:
    first: set[str] = set()
    last: set[str] = set()
    for provider in _providers("faker.providers.person"):
        first.update(_words(provider, _name_attributes(provider, _FIRST_ATTRIBUTES, _FIRST_KINDS)))
        last.update(_words(provider, _name_attributes(provider, _LAST_ATTRIBUTES, _LAST_KINDS)))
        last.update(_polish_female_forms(_words(provider, ("male_last_names", "unisex_last_names"))))
    common: set[str] = set()
    for provider in _providers("faker.providers.lorem"):
        common.update(_words(provider, ("word_list",)))
    common -= _NAMES_IN_WORD_LISTS
    places: set[str] = set()
    phrases: set[str] = set()
    town_words: set[str] = set()
    regions: set[str] = set()
    for provider in _providers("faker.providers.address"):
        regions.update(_words(provider, _REGION_ATTRIBUTES))
        towns = _strings(provider, _CITY_ATTRIBUTES)
        places.update(_town_words(towns, first))
        town_words.update(_words_of_longer(towns) & first)
        phrases.update(_phrases(provider, _PLACE_ATTRIBUTES))
    places |= regions
    # A family name that is a word of a country's or region's name ("Czech", a Polish name) is
    # no second part of a name after an unknown word: "Southern Czech Republic" names no one.
    last -= regions
    calendar: set[str] = set()
    for provider in _providers("faker.providers.date_time"):
        calendar.update(_words(provider, ("DAY_NAMES", "MONTH_NAMES")))
    company: set[str] = set()
    for provider in _providers("faker.providers.company"):
        # Single-word forms only: the words of "Công ty Cổ phần" or "& Co. KG" are not
        # company words on their own.
        company.update(
            value.lower() for value in _strings(provider, ("company_suffixes",)) if " " not in value
        )
    return NameLists(
        frozenset(first),
        frozenset(last),
        frozenset(common),
        frozenset(places),
        frozenset(calendar),
        frozenset(phrases),
        # A legal form that is also a name ("San", "Con") is left out: "Jose San" is a person.
        frozenset(company - first - last),
        frozenset(town_words - places),
        frozenset((_unaccented(first) | _unaccented(last)) - first - last - common),
        {locale: _locale_surnames(locale) for locale in SURNAME_LOCALES},
    )


def _locale_surnames(locale: str) -> frozenset[str]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return frozenset(getattr(provider, "last_names", ()))


def _fields(lists: NameLists) -> tuple[frozenset[str] | dict[str, frozenset[str]], ...]:
    """The lists in the order the cache stores them."""
    return (
        lists.first,
        lists.last,
        lists.common,
        lists.places,
        lists.calendar,
        lists.place_phrases,
        lists.company_words,
        lists.town_words,
        lists.unaccented,
        dict(lists.surnames),
    )


def _providers(package: str) -> list[type]:
    module = importlib.import_module(package)
    return [
        importlib.import_module(f"{package}.{locale.name}").Provider
        for locale in pkgutil.iter_modules(module.__path__)
    ]


def _words(provider: type, attributes: tuple[str, ...]) -> set[str]:
    """Every word of the strings in the provider's lists, lower-cased."""
    return {
        part.lower() for value in _strings(provider, attributes) for part in value.split() if len(part) > 1
    }


def _name_attributes(provider: type, known: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The provider's attributes that hold names of one kind: ``known``, and every other whose
    name begins with one of ``kinds`` or ends in one ("male_last_names"), but for pairs (a
    name and its reading, which ``_strings`` would not read) and the names of languages."""
    names = [
        name
        for name in vars(provider)
        if name not in known
        and "pairs" not in name
        and "without_suffix" not in name
        and any(name.startswith(kind) or name.endswith(f"{kind}s") for kind in kinds)
    ]
    return (*known, *names)


def _unaccented(names: set[str]) -> set[str]:
    return {folded for name in names if (folded := fold_accents(name)) != name}


def _polish_female_forms(names: set[str]) -> set[str]:
    """The female forms of Polish family names in -ski, -cki and -dzki (Kowalska, Tomaszewska),
    which Faker makes from the male ones when it writes a woman's name."""
    return {name[:-1] + "a" for name in names if name.endswith(("ski", "cki"))}


def _town_words(names: list[str], given: set[str]) -> set[str]:
    """The words of town names, lower-cased, but for the given names in longer ones: "Santa
    Maria", "Maria Hoop", "Sankt Peter" and "Liptovský Peter" made Maria and Peter places, and
    so no names without a title or a cue. A given name stays a place where it is a town alone
    ("Victoria") or a word of a country's or region's name ("British Columbia"), and the
    whole name is still read as a phrase."""
    words: set[str] = set()
    for name in names:
        parts = name.lower().split()
        words.update(part for part in parts if len(part) > 1 and (len(parts) == 1 or part not in given))
    return words


def _words_of_longer(names: list[str]) -> set[str]:
    """The words, lower-cased, of the names of two or more words."""
    longer = (name.lower().split() for name in names)
    return {part for parts in longer if len(parts) > 1 for part in parts if len(part) > 1}


def _phrases(provider: type, attributes: tuple[str, ...]) -> set[str]:
    """The strings of two or more words in the provider's lists, lower-cased, one space apart."""
    return {
        " ".join(value.lower().split()) for value in _strings(provider, attributes) if len(value.split()) > 1
    }


def _strings(provider: type, attributes: tuple[str, ...]) -> list[str]:
    """The strings in the provider's lists: tuples, or dicts of weights (keys) or of names
    by number (values, as the date-time providers hold their month and day names)."""
    strings: list[str] = []
    for attribute in attributes:
        values = provider.__dict__.get(attribute)
        if isinstance(values, dict) and not any(isinstance(key, str) and not key.isdigit() for key in values):
            values = list(values.values())
        if isinstance(values, (tuple, list, set, frozenset, dict)):
            strings.extend(value for value in values if isinstance(value, str))
    return strings
