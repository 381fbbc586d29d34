"""The optional deep tier: a named-entity model the user installed, run after the fast tier.

The fast tier (name lists, titles, context) misses names it has never seen written without
a cue. When routes.yaml names a backend under ``signals.sensitivity.deep``, a spaCy
pipeline (an installed package or a folder) or a GLiNER model (a folder) also reads the
texts the fast tier finds borderline (a capitalised word inside a sentence that no finding
covers), or every text up to ``max_chars``. It is never required and never downloads:
spaCy loads only what is installed, GLiNER only from a local folder with
``local_files_only``. A backend that is not installed is reported by ``router validate``
(:func:`deep_tier_problem`); at call time the fast tier then runs alone, as validate said.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Protocol

__all__ = ["DeepTier", "DeepTierConfig", "build_deep_tier", "deep_tier_problem", "load_recogniser"]

Entity = tuple[str, int, int]
"""A model's entity: its label, start and end."""
Recogniser = Callable[[str], Iterable[Entity]]

# Entity labels of the common spaCy and GLiNER models, and the finding type of each.
DEFAULT_LABELS: Final[Mapping[str, str]] = {
    "PERSON": "person",
    "PER": "person",
    "person": "person",
    "ADDRESS": "street_address",
    "street address": "street_address",
}
_GLINER_LABELS: Final = ("person", "street address")
_MID_SENTENCE_CAPITAL: Final = re.compile(r"(?<=[^\W\d_] )[^\W\da-z_][^\W\d_]+")


def deep_tier_problem(backend: str, model: str) -> str | None:
    """Why the deep tier cannot run here, or ``None`` when its backend and model are installed."""
    if backend == "spacy":
        if importlib.util.find_spec("spacy") is None:
            return "spaCy is not installed (pip install spacy)"
        if not Path(model).is_dir() and importlib.util.find_spec(model.replace("-", "_")) is None:
            return f"spaCy pipeline {model!r} is neither an installed package nor a folder"
        return None
    if importlib.util.find_spec("gliner") is None:
        return "GLiNER is not installed (pip install gliner)"
    if not Path(model).is_dir():
        return f"GLiNER model {model!r} is not a local folder (the deep tier never downloads)"
    return None


def load_recogniser(backend: str, model: str) -> Recogniser:
    """The named-entity function of an installed backend; imported here, on first use."""
    if backend == "spacy":
        import spacy

        pipeline: Any = spacy.load(model)
        return lambda text: [(e.label_, e.start_char, e.end_char) for e in pipeline(text).ents]
    from gliner import GLiNER

    gliner: Any = GLiNER.from_pretrained(model, local_files_only=True)
    return lambda text: [
        (e["label"], e["start"], e["end"]) for e in gliner.predict_entities(text, list(_GLINER_LABELS))
    ]


@dataclass
class DeepTier:
    """Runs a recogniser on the texts that need it and maps its labels to finding types."""

    load: Callable[[], Recogniser]
    run: Literal["borderline", "always"] = "borderline"
    max_chars: int = 20_000
    labels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    _recogniser: Recogniser | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def wanted(self, text: str, covered: Sequence[tuple[int, int]]) -> bool:
        """Whether ``text`` goes to the model: short enough, and borderline when so asked."""
        if len(text) > self.max_chars:
            return False
        if self.run == "always":
            return True
        for match in _MID_SENTENCE_CAPITAL.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end in covered):
                return True  # a capitalised word no finding explains
        return False

    def find(self, text: str) -> list[Entity]:
        """``(type, start, end)`` of the model's entities that map to a finding type."""
        with self._lock:  # one load, whichever thread scans first
            if self._recogniser is None:
                self._recogniser = self.load()
        found = []
        for label, start, end in self._recogniser(text):
            kind = self.labels.get(label)
            if kind is not None:
                found.append((kind, start, end))
        return found


class DeepTierConfig(Protocol):
    """What routes.yaml says of the deep tier (``signals.sensitivity.deep``)."""

    @property
    def backend(self) -> Literal["spacy", "gliner"]: ...
    @property
    def model(self) -> str: ...
    @property
    def run(self) -> Literal["borderline", "always"]: ...
    @property
    def max_chars(self) -> int: ...


def build_deep_tier(config: DeepTierConfig | None) -> DeepTier | None:
    """The deep tier routes.yaml asks for, or ``None`` when it asks for none or its backend is
    missing (``router validate`` says so); the model itself loads on the first text it reads."""
    if config is None or deep_tier_problem(config.backend, config.model) is not None:
        return None
    backend, model = config.backend, config.model
    return DeepTier(load=lambda: load_recogniser(backend, model), run=config.run, max_chars=config.max_chars)
