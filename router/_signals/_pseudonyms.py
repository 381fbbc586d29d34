"""Pseudonymise and restore: findings replaced by typed placeholders, and put back.

``Pseudonyms`` holds, for one call, which original value each placeholder stands for
(``<PERSON_1>``, ``<EMAIL_2>``): the same value gets the same placeholder in every message
of the call, and the placeholders in the model's answer are replaced by the originals
before the caller sees it, streamed (``restorer``) or not (``restore``). The originals
live only in this object, in the calling process's memory: it refuses to be pickled (so
it cannot reach Celery, Redis or a batch item's stored state) and its ``repr`` shows only
the number of values.

Restricted findings (cards, keys, national numbers) are never pseudonymised: a
placeholder would leave the decision to the model's provider that the value is safe to
send; ``pseudonymisable`` says which levels may be, and ``NEVER_PSEUDONYMISED`` names the
types that stay out even when routes.yaml lowers their level.

A rule's ``pseudonymise`` policy uses it: routing (``router._selection``) admits models
cleared for the level left once the findings are replaced, and the executor masks the
messages (``router._calls._masking``) and restores the answer.

A placeholder the model changes (``<Person_1>``, ``<PERSON 1>``, ``PERSON_1``) is not
recognised and reaches the caller as the model wrote it: restoring only exact placeholders
means no text of the model's own is ever mistaken for one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NoReturn

from router._levels import Sensitivity
from router._signals._sensitivity import DEFAULT_LEVELS, Finding

__all__ = [
    "NEVER_PSEUDONYMISED",
    "Pseudonyms",
    "StreamRestorer",
    "json_quoted",
    "pseudonymisable",
    "replaceable",
]

_PLACEHOLDER: Final = re.compile(r"<([A-Z][A-Z_]*)_([0-9]+)>")
# The longest placeholder a stream may hold back while waiting for its end.
_LONGEST: Final = 40
# A placeholder's label is the finding type in capitals, cut so the whole stays within _LONGEST.
_LABEL_MAX: Final = 24

NEVER_PSEUDONYMISED: Final[frozenset[str]] = frozenset(
    kind for kind, level in DEFAULT_LEVELS.items() if level >= Sensitivity.RESTRICTED
)
"""Built-in types restricted by default (cards, IBANs, keys, passwords, national ids): never
replaced by a placeholder, even where routes.yaml gives them a lower level, so a lowered
detector level cannot turn into a pseudonymised card number sent to an uncleared model."""

_UNREADABLE: Final = "unreadable_content"
# The type routing gives images, audio and files (``_sensitivity_signal.UNREADABLE``): no
# placeholder can stand for what the router cannot read.


def replaceable(kind: str, level: Sensitivity, levels: Iterable[Sensitivity]) -> bool:
    """Whether a policy pseudonymising ``levels`` replaces a finding of type ``kind`` at ``level``:
    the level is listed and may be pseudonymised at all, and the type is not one that never is."""
    return (
        level in tuple(levels)
        and pseudonymisable(level)
        and kind not in NEVER_PSEUDONYMISED
        and kind != _UNREADABLE
    )


Quote = Callable[[str], str]
"""How an original value is written back: as is, or escaped for where it goes (a JSON string)."""


def json_quoted(value: str) -> str:
    """``value`` escaped for the inside of a JSON string (tool-call arguments)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def pseudonymisable(level: Sensitivity) -> bool:
    """Whether findings of ``level`` may be replaced by placeholders and sent on."""
    return level < Sensitivity.RESTRICTED


class Pseudonyms:
    """The placeholders of one call and the original values they stand for."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        """``texts`` are those the call sends: a placeholder they already hold as written
        (``<PERSON_1>`` typed by the user) is never given out, so the model's answer quoting it
        is not mistaken for one of ours."""
        self._placeholders: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._taken = {match.group() for text in texts for match in _PLACEHOLDER.finditer(text)}

    def __len__(self) -> int:
        return len(self._originals)

    def __repr__(self) -> str:
        return f"<Pseudonyms: {len(self)} values>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("Pseudonyms hold original values and never leave the calling process")

    def mask(self, text: str, findings: Iterable[Finding]) -> str:
        """``text`` with each pseudonymisable finding replaced by its placeholder.

        ``findings`` are those of ``text`` (non-overlapping, as the scanner returns them);
        a restricted one is refused, as it may never be sent even pseudonymised.
        """
        parts: list[str] = []
        position = 0
        for finding in sorted(findings, key=lambda f: f.start):
            if not pseudonymisable(finding.level):
                raise ValueError(
                    f"a {finding.type} finding is {finding.level.label} and may not be pseudonymised"
                )
            if finding.start < position:
                continue  # overlaps the one before: already replaced
            parts.append(text[position : finding.start])
            parts.append(self._placeholder(finding.type, text[finding.start : finding.end]))
            position = finding.end
        parts.append(text[position:])
        return "".join(parts)

    def mask_all(self, texts: Sequence[str], findings: Sequence[Iterable[Finding]]) -> list[str]:
        """Every text of a call masked, with one set of placeholders across them."""
        return [self.mask(text, found) for text, found in zip(texts, findings, strict=True)]

    def restore(self, text: str, quote: Quote | None = None) -> str:
        """``text`` with every placeholder of this call replaced by its original value (passed
        through ``quote`` when given); a placeholder the model made up is left as it is."""

        def original(match: re.Match[str]) -> str:
            value = self._originals.get(match.group())
            if value is None:
                return match.group()
            return quote(value) if quote is not None else value

        return _PLACEHOLDER.sub(original, text) if "<" in text else text

    def restorer(self, quote: Quote | None = None) -> StreamRestorer:
        """A restorer for an answer that arrives in chunks."""
        return StreamRestorer(self, quote)

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        placeholder = self._placeholders.get(key)
        if placeholder is None:
            label = _label(kind)
            placeholder = self._next(label)
            while placeholder in self._taken:
                placeholder = self._next(label)
            self._placeholders[key] = placeholder
            self._originals[placeholder] = value
        return placeholder

    def _next(self, label: str) -> str:
        self._counts[label] = self._counts.get(label, 0) + 1
        return f"<{label}_{self._counts[label]}>"


class StreamRestorer:
    """Restores placeholders in a streamed answer, where one may be split across chunks: the
    tail of a chunk that could be the start of a placeholder is held until the next one."""

    def __init__(self, pseudonyms: Pseudonyms, quote: Quote | None = None) -> None:
        self._pseudonyms = pseudonyms
        self._quote = quote
        self._held = ""

    def feed(self, chunk: str) -> str:
        """The restored text that can be released after ``chunk``."""
        text = self._held + chunk
        cut = _unfinished_placeholder(text)
        self._held = text[cut:]
        return self._pseudonyms.restore(text[:cut], self._quote)

    def flush(self) -> str:
        """What is still held, restored, at the end of the stream."""
        text, self._held = self._held, ""
        return self._pseudonyms.restore(text, self._quote)


def _label(kind: str) -> str:
    """The placeholder label of a finding type: capitals and underscores only (a custom term
    may be called ``project-x2``), so every placeholder matches ``_PLACEHOLDER``."""
    label = re.sub(r"[^A-Z]+", "_", kind.upper()).strip("_")[:_LABEL_MAX].rstrip("_")
    return label or "VALUE"


def _unfinished_placeholder(text: str) -> int:
    """Where a placeholder that the text ends in the middle of begins; ``len(text)`` if none."""
    start = text.rfind("<", max(0, len(text) - _LONGEST))
    if start == -1 or ">" in text[start:]:
        return len(text)
    return start if re.fullmatch(r"<(?:[A-Z][A-Z_]*(?:_[0-9]*)?)?", text[start:]) else len(text)
