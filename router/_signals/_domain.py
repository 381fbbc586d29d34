"""A small task-domain classifier: maths, code, choice, qa, logic or writing.

A linear softmax model over word unigrams and bigrams of the prompt's first
2,000 characters (lower-cased, digit runs folded into one token). The weights
ship with the package (``domain_weights.npz``, about 200 KB) and are trained by
``scripts/train_domain.py`` from the public train splits in
``../shared/data/routing/`` (LLMRouter's dcrouter query set, minus every
question that also appears in its test split). No model is downloaded and
nothing but numpy runs: a prediction is a few hundred dictionary look-ups and
one small matrix sum.

The domains are the task families of the training set:

    maths    math, gsm8k, agentverse-mgsm         word problems and competition maths
    code     mbpp, human_eval                     write a function
    choice   mmlu, gpqa, arc, commonsense_qa, openbook_qa   multiple-choice questions
    qa       natural_qa, trivia_qa                short factual questions
    logic    agentverse-logicgrid                 logic-grid puzzles
    writing  commongen                            compose text from given words
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

WEIGHTS = Path(__file__).with_name("domain_weights.npz")
MAX_CHARS = 2000
"""Only the start of a prompt is read: the domain shows in it, and the cost stays flat."""

_TOKEN = re.compile(r"[a-z]+|\d+|[^\sa-z\d]")


def features(text: str) -> list[str]:
    """The unigrams and bigrams the model reads (training and inference share this)."""
    words = ["<num>" if token[0].isdigit() else token for token in _TOKEN.findall(text[:MAX_CHARS].lower())]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@dataclass(frozen=True, slots=True)
class Domain:
    label: str
    confidence: float


class DomainClassifier:
    """The trained linear model: vocabulary -> row of per-domain weights."""

    def __init__(
        self,
        vocabulary: list[str],
        weights: npt.NDArray[np.float32],
        bias: npt.NDArray[np.float32],
        labels: list[str],
    ) -> None:
        self._index = {feature: row for row, feature in enumerate(vocabulary)}
        self._weights = weights
        self._bias = bias
        self.labels = tuple(labels)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> DomainClassifier:
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            vocabulary = str(data["vocabulary"]).split("\n")
            labels = str(data["labels"]).split("\n")
            return cls(
                vocabulary, data["weights"].astype(np.float32), data["bias"].astype(np.float32), labels
            )

    def save(self, path: Path) -> None:
        import numpy as np

        vocabulary = sorted(self._index, key=self._index.__getitem__)
        np.savez_compressed(
            path,
            vocabulary=np.array("\n".join(vocabulary)),
            labels=np.array("\n".join(self.labels)),
            weights=self._weights.astype(np.float16),
            bias=self._bias.astype(np.float32),
        )

    def scores(self, text: str) -> npt.NDArray[np.float32]:
        """Softmax probabilities per label."""
        import numpy as np

        rows = sorted({self._index[f] for f in features(text) if f in self._index})
        logits = self._bias.copy()
        if rows:
            # Presence features scaled by 1/sqrt(n): long and short prompts land on the same scale.
            logits += self._weights[rows].sum(axis=0) / np.sqrt(len(rows))
        exp = np.exp(logits - logits.max())
        probabilities: npt.NDArray[np.float32] = exp / exp.sum()
        return probabilities

    def predict(self, text: str) -> Domain:
        probabilities = self.scores(text)
        best = int(probabilities.argmax())
        return Domain(self.labels[best], float(probabilities[best]))


@lru_cache(maxsize=4)
def shipped(path: Path = WEIGHTS) -> DomainClassifier:
    """The classifier whose weights ship with the package, loaded once per process."""
    return DomainClassifier.load(path)
