"""py3langid's model held sparsely: the same DFA transitions, hence the same probabilities."""

from __future__ import annotations

import importlib
import random
from typing import Any

import numpy as np
import pytest

from router._signals._langid_model import SparseDfa, load_rank

langid: Any = importlib.import_module("py3langid.langid")
modelio: Any = importlib.import_module("py3langid.modelio")


@pytest.fixture(scope="module")
def stock() -> Any:
    """py3langid's own identifier, as it loads its shipped model."""
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


@pytest.fixture(scope="module")
def rank() -> Any:
    return load_rank(langid, modelio)


def _dense(stock: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rows = np.frombuffer(stock.tk_nextmove, dtype=np.uint32).reshape(-1, 256)
    return rows, np.frombuffer(stock.tk_row, dtype=np.uint16).astype(np.intp)


def _rebuilt_rows(dfa: SparseDfa, states: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The 256 next states of each of ``states``, read back from the sparse form."""
    first = np.asarray(dfa.first, dtype=np.intp)[states]
    counts = np.asarray(dfa.stop, dtype=np.intp)[states] - first
    owner = np.repeat(np.arange(len(states)), counts)
    positions = (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(first, counts)
    )
    rebuilt = np.tile(np.asarray(dfa.start_row, dtype=np.uint32), (len(states), 1))
    columns = np.frombuffer(dfa.columns, dtype=np.uint8)
    rebuilt[owner, columns[positions]] = np.asarray(dfa.targets, dtype=np.uint32)[positions]
    return rebuilt


def test_every_state_and_byte_leads_where_py3langids_table_leads(stock: Any) -> None:
    rows, state_row = _dense(stock)
    dfa = SparseDfa.from_dense(rows, state_row, np.asarray(stock.tk_output))
    assert list(dfa.output) == list(stock.tk_output)
    for start in range(0, len(state_row), 8192):  # in blocks: the whole table is 104,583 x 256
        states = np.arange(start, min(start + 8192, len(state_row)))
        assert np.array_equal(_rebuilt_rows(dfa, states), rows[state_row[states]])


def test_next_state_reads_the_rows_own_bytes_and_falls_back_to_the_start_row() -> None:
    # Two states on two rows; the second row differs from the start row at bytes 3 and 200.
    rows = np.zeros((2, 256), dtype=np.uint32)
    rows[1, 3], rows[1, 200] = 1, 0
    rows[0, 200] = 1
    dfa = SparseDfa.from_dense(rows, np.array([0, 1]), np.array([-1, 7]))
    assert [dfa.next_state(1, byte) for byte in (3, 200, 4)] == [1, 0, 0]
    assert [dfa.next_state(0, byte) for byte in (3, 200, 4)] == [0, 1, 0]
    assert dfa.visits(bytes([3, 3, 200, 4])) == {7: 1}
    assert dfa.visits(b"") is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("The weather is lovely today, so we go for a walk.", id="english"),
        pytest.param("Saya mau makan nasi goreng.", id="indonesian"),
        pytest.param("Jeg liker å gå tur i skogen om høsten.", id="bokmal"),
        pytest.param("Сегодня хорошая погода, поэтому мы идём гулять.", id="russian"),
        pytest.param("今日は天気がいいので、公園を散歩します。", id="japanese"),
        pytest.param("مرحبا بكم في موقعنا الجديد على الإنترنت", id="arabic"),
        pytest.param("", id="empty"),
        pytest.param("12345 !!!", id="no-features"),
        pytest.param("ÉCRIT EN CAPITALES", id="capitals"),
        pytest.param("a lone \ud800 surrogate", id="surrogate"),
    ],
)
def test_probabilities_are_py3langids_own(stock: Any, rank: Any, text: str) -> None:
    assert rank(text) == stock.rank(text)


def test_probabilities_are_py3langids_own_on_random_text_of_every_script(stock: Any, rank: Any) -> None:
    generator = random.Random(14)
    planes = [
        (0x20, 0x2FF),
        (0x370, 0x6FF),
        (0x900, 0xDFF),
        (0x3040, 0x9FFF),
        (0xAC00, 0xD7A3),
        (0, 0x10FFFF),
    ]
    for _ in range(300):
        low, high = generator.choice(planes)
        text = "".join(chr(generator.randint(low, high)) for _ in range(generator.randint(1, 300)))
        assert rank(text) == stock.rank(text), text
