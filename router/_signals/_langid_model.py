"""py3langid's model in half the memory, giving the same scores.

py3langid finds the byte n-gram features of a text by walking a DFA: 104,583 states sharing
38,346 distinct rows of 256 next states (9.8 M uint32, 37 MB), plus two Python lists of 104,583
ints (about 7 MB). A row differs from the start state's row in 56 of its 256 bytes on average
(a byte that extends no match leads where it would from the start). ``SparseDfa`` keeps, for each
row, only those bytes and their next states (2.1 M of each, 11 MB), and a walk looks the byte up
among them, falling back to the start state's row: the same next state for every state and byte,
hence the same features and the same scores. The per-state numbers are compact arrays.
The naive Bayes scoring (the 27 MB weight matrix, the normalisation) stays py3langid's own: only
its walk is replaced, through ``_raw_score``, the method its docstring names for it.

The walk costs about 0.3-0.5 µs more per byte than py3langid's (a lookup among the row's bytes,
not an index), on the ~5 % of texts that reach this second opinion, up to 300 characters each.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SparseDfa", "load_rank"]

_Rank = Callable[[str], list[tuple[str, float]]]


def _array(typecode: str, values: npt.NDArray[Any]) -> array[int]:
    # numpy's and array's one-letter codes name the same C types, so the bytes carry over as they are.
    out = array(typecode)
    out.frombytes(np.ascontiguousarray(values, dtype=np.dtype(typecode)).data.cast("B"))
    return out


@dataclass(frozen=True, slots=True)
class SparseDfa:
    """A byte DFA stored as each row's differences from the start state's row.

    State ``s``'s own bytes are ``columns[first[s]:stop[s]]`` (distinct, ascending), leading to
    ``targets`` at the same positions; any other byte ``b`` leads to ``start_row[b]``.
    ``output[s]`` is the feature that state ``s`` counts, or -1.
    """

    start_row: array[int]
    columns: bytes
    targets: array[int]
    first: array[int]
    stop: array[int]
    output: array[int]

    @classmethod
    def from_dense(
        cls, rows: npt.NDArray[Any], state_row: npt.NDArray[Any], output: npt.NDArray[Any]
    ) -> SparseDfa:
        """From py3langid's form: distinct ``rows`` of 256 next states, each state's row, its feature."""
        rows = rows.reshape(-1, 256)
        state_row = state_row.astype(np.intp)
        start_row = rows[state_row[0]]
        row_of, byte = np.nonzero(rows != start_row)  # row-major: by row, then by byte
        bounds = np.concatenate(([0], np.cumsum(np.bincount(row_of, minlength=len(rows)))))
        return cls(
            start_row=_array("I", start_row),
            columns=byte.astype(np.uint8).tobytes(),
            targets=_array("I", rows[row_of, byte]),
            first=_array("I", bounds[state_row]),
            stop=_array("I", bounds[state_row + 1]),
            output=_array("i", output),
        )

    def next_state(self, state: int, byte: int) -> int:
        """Where ``byte`` leads from ``state``."""
        found = self.columns.find(byte, self.first[state], self.stop[state])
        return self.targets[found] if found >= 0 else self.start_row[byte]

    def visits(self, text: bytes) -> Counter[int] | None:
        """How often each feature occurs in ``text`` (py3langid's ``visit_counts``); None if never."""
        # next_state inlined, with every lookup bound to a local: this loop runs once per byte.
        columns, targets, first, stop = self.columns.find, self.targets, self.first, self.stop
        start_row, output = self.start_row, self.output
        state = 0
        features: list[int] = []
        append = features.append
        for byte in text:
            found = columns(byte, first[state], stop[state])
            state = targets[found] if found >= 0 else start_row[byte]
            feature = output[state]
            if feature >= 0:
                append(feature)
        return Counter(features) if features else None


def _sparse_identifier(langid: Any, dfa: SparseDfa, weights: Any, priors: Any, classes: list[str]) -> Any:
    class SparseIdentifier(langid.LanguageIdentifier):  # type: ignore[misc]  # py3langid is untyped
        __slots__ = ("sparse_dfa",)

        def _raw_score(self, text: bytes) -> Any:
            visits = self.sparse_dfa.visits(text)
            if visits is None:
                # py3langid's own answer for a text without features: its walk of b"" finds none.
                return super()._raw_score(b"")
            return self._sparse_score(visits, self.nb_ptc)

    # The dense tables py3langid would walk are left empty: only the featureless case reads them.
    identifier = SparseIdentifier(weights, priors, classes, array("I"), [], norm_probs=True, tk_row=())
    identifier.sparse_dfa = dfa
    return identifier


def load_rank(langid: Any, modelio: Any) -> _Rank:
    """py3langid's ``rank`` with normalised probabilities, over the shipped model held sparsely."""
    weights, priors, classes, nextmove, state_row, output = modelio.load_model(
        langid.MODEL_DIR / langid.MODEL_FILE
    )
    dfa = SparseDfa.from_dense(
        np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode)),
        np.frombuffer(state_row, dtype=np.dtype(state_row.typecode)),
        np.asarray(output, dtype=np.int32),
    )
    identifier = _sparse_identifier(langid, dfa, np.asarray(weights), np.asarray(priors), classes)
    rank: _Rank = identifier.rank
    return rank
