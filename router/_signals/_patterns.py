"""Custom-term regular expressions that cannot hang the router.

A backtracking engine can take exponential time on a pattern such as ``(a+)+b`` or
``(a|aa)+b`` and a text that almost matches; since custom patterns run on every prompt, one
such pattern in routes.yaml would let any prompt stall a worker. Two guards:

- at load, :func:`pattern_hazard` refuses the shapes known to backtrack catastrophically: a
  backreference or a conditional on a group (matching with them is NP-hard), and a repeat
  nested in a repeat where the inner one has a variable count and can still be backtracked
  into (not inside an atomic group or under a possessive quantifier);
- at match time, patterns run on the ``regex`` module with a time budget per scan
  (:data:`SCAN_TIMEOUT_S`), for what a static check cannot see (overlapping alternatives in a
  repeat, ``(a|aa)+``). A scan that runs out of time is reported as a match over the whole
  text: the router cannot tell, so it treats the text as carrying the term (fail closed).

Why ``regex`` and not RE2, which is linear by construction: RE2's ``\\b``, ``\\w`` and ``\\d``
are ASCII-only and it has no lookarounds, so patterns written for Python's ``re`` (the
documented syntax) would silently match differently; ``regex`` keeps ``re``'s syntax and
meaning and adds the per-call timeout. It is already installed (tiktoken requires it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from re import _compiler  # type: ignore[attr-defined]  # re's own parser: no public API for the tree
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Final

import regex

__all__ = ["SCAN_TIMEOUT_S", "SafePattern", "compiles", "pattern_hazard"]

# Per pattern per text. A linear pattern scans 1 MB in about 25 ms; the engine checks its clock
# coarsely, so a runaway scan stops within a few times this.
SCAN_TIMEOUT_S: Final = 0.1

_REPEATS: Final = {sre.MAX_REPEAT, sre.MIN_REPEAT}
_SINGLE: Final = {sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY}  # items that take one character
_FIX_NESTED: Final = (
    "rewrite it so that no repeated group contains a variable-length repeat (e.g. '(a+)+' -> 'a+', "
    "'(\\w+\\s?)+' -> '[\\w\\s]+'), or make the inner part atomic: '(?>a+)+'"
)
_FIX_BACKREF: Final = (
    "spell the repeated text out instead of referring back to a group (\\1, (?P=name), (?(1)...))"
)


def pattern_hazard(pattern: str) -> str | None:
    """Why ``pattern`` could hang a backtracking engine, with the fix; None if it is safe to run.

    The pattern must already compile with ``re``.
    """
    return _hazard(sre_parse.parse(pattern), inside_repeat=False)


def _hazard(items: Any, *, inside_repeat: bool) -> str | None:
    for op, av in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return f"it refers back to a group, which can take exponential time; {_FIX_BACKREF}"
        found = _hazard_in(op, av, inside_repeat=inside_repeat)
        if found:
            return found
    return None


def _hazard_in(op: Any, av: Any, *, inside_repeat: bool) -> str | None:
    if op in _REPEATS:
        low, high, body = av
        if high > 1 and inside_repeat and low != high:
            return f"it nests a repeat inside a repeat, which can take exponential time; {_FIX_NESTED}"
        # A pass of the body that must cross a character none of its repeats can take cannot
        # trade characters with the next pass: ``(?:-[a-z]+)*`` is as safe as ``[a-z]+``.
        nested = inside_repeat or (high > 1 and not _delimited(body))
        return _hazard(body, inside_repeat=nested)
    if op in (sre.POSSESSIVE_REPEAT, sre.ATOMIC_GROUP):
        # Never backtracked into: what is inside still must not hang on its own.
        body = av[2] if op == sre.POSSESSIVE_REPEAT else av
        return _hazard(body, inside_repeat=False)
    return _hazard_children(op, av, inside_repeat=inside_repeat)


def _hazard_children(op: Any, av: Any, *, inside_repeat: bool) -> str | None:
    if op == sre.SUBPATTERN:
        return _hazard(av[3], inside_repeat=inside_repeat)
    if op == sre.BRANCH:
        for branch in av[1]:
            found = _hazard(branch, inside_repeat=inside_repeat)
            if found:
                return found
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return _hazard(av[1], inside_repeat=inside_repeat)
    return None


def _delimited(body: Any) -> bool:
    """Whether ``body`` is single characters and fixed repeats around one variable repeat of a
    single character class, with a literal character that the class cannot match: each pass
    then has one way to take its text.

    Two repeats in one pass (``-a*a*``) could split it several ways, and the ways multiply
    across passes; such bodies count as not delimited.
    """
    items = list(_flat(body))
    literals = {chr(av) for op, av in items if op == sre.LITERAL}
    variable = [av[2] for op, av in items if op in _REPEATS and av[0] != av[1]]
    if len(variable) != 1 or any(op not in _SINGLE and op not in _REPEATS for op, _ in items):
        return False
    return any(not _may_take(variable[0], char) for char in literals)


def _flat(body: Any) -> Any:
    """The items of ``body``, a plain group's own items in place of the group."""
    for op, av in body:
        if op == sre.SUBPATTERN and not av[1] and not av[2]:
            yield from _flat(av[3])
        else:
            yield op, av


def _may_take(repeat_body: Any, char: str) -> bool:
    """Whether one pass of a repeat's body could consume ``char``; True when unsure."""
    if len(repeat_body) != 1 or repeat_body[0][0] not in _SINGLE:
        return True
    return _compiler.compile(repeat_body).fullmatch(char) is not None


class SafePattern:
    """A checked pattern run on ``regex`` under a time budget; see the module docstring."""

    def __init__(self, pattern: str, timeout_s: float = SCAN_TIMEOUT_S) -> None:
        self.pattern = pattern
        self.timeout_s = timeout_s
        self._compiled = regex.compile(pattern, flags=regex.VERSION0)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Non-empty match spans; ``(0, len(text))`` alone if the scan runs out of time."""
        deadline = time.monotonic() + self.timeout_s
        found: list[tuple[int, int]] = []
        try:
            # The engine's budget holds for each step of the iteration; the deadline for the whole.
            for match in self._compiled.finditer(text, timeout=self.timeout_s):
                if match.end() > match.start():
                    found.append(match.span())
                if time.monotonic() > deadline:
                    raise TimeoutError
        except TimeoutError:
            found = [(0, len(text))] if text else []
        yield from found


def compiles(pattern: str) -> str | None:
    """Why ``pattern`` does not compile (in ``re`` and in ``regex``), or None."""
    try:
        re.compile(pattern)
        regex.compile(pattern, flags=regex.VERSION0)
    except (re.error, regex.error) as exc:
        return str(exc)
    return None
