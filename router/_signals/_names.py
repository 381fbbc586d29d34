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
"""

from __future__ import annotations

import functools
import importlib
import marshal
import os
import pkgutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from typing import Final

from router._signals._tokenizer_cache import _cache_dir

__all__ = ["NameLists", "name_lists"]

_CACHE_FORMAT: Final = 2
_FIRST_ATTRIBUTES: Final = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "first_romanized_names",
)
_LAST_ATTRIBUTES: Final = ("last_names", "last_names_male", "last_names_female", "last_romanized_names")
_PLACE_ATTRIBUTES: Final = ("cities", "city_names", "countries", "states", "provinces", "regions", "counties")


@dataclass(frozen=True)
class NameLists:
    """Lower-cased given names, family names, and the common words and place names (cities,
    countries, regions) of many languages: a name that is also one of those is not a name
    on its own."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str]
    places: frozenset[str]


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
    if not (isinstance(data, tuple) and len(data) == 4 and all(isinstance(part, frozenset) for part in data)):
        return None
    return NameLists(*data)


def _write(path: os.PathLike[str], lists: NameLists) -> None:
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False) as file:
            marshal.dump((lists.first, lists.last, lists.common, lists.places), file)
        os.replace(file.name, path)
    except OSError:
        return  # a read-only home only costs the next process the half second again


def _from_faker() -> NameLists:
    first: set[str] = set()
    last: set[str] = set()
    for provider in _providers("faker.providers.person"):
        first.update(_words(provider, _FIRST_ATTRIBUTES))
        last.update(_words(provider, _LAST_ATTRIBUTES))
    common: set[str] = set()
    for provider in _providers("faker.providers.lorem"):
        common.update(_words(provider, ("word_list",)))
    places: set[str] = set()
    for provider in _providers("faker.providers.address"):
        places.update(_words(provider, _PLACE_ATTRIBUTES))
    return NameLists(frozenset(first), frozenset(last), frozenset(common), frozenset(places))


def _providers(package: str) -> list[type]:
    module = importlib.import_module(package)
    return [
        importlib.import_module(f"{package}.{locale.name}").Provider
        for locale in pkgutil.iter_modules(module.__path__)
    ]


def _words(provider: type, attributes: tuple[str, ...]) -> set[str]:
    """Every single-word string in the provider's lists (tuples, or dicts of weights)."""
    words: set[str] = set()
    for attribute in attributes:
        values = provider.__dict__.get(attribute)
        if isinstance(values, (tuple, list, set, frozenset, dict)):
            for value in values:
                if isinstance(value, str):
                    words.update(part.lower() for part in value.split() if len(part) > 1)
    return words
