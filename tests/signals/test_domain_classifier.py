"""The task-domain classifier: its features, its weights file, and what the shipped weights read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from router._signals._domain import MAX_CHARS, DomainClassifier, features, shipped


def test_features_are_lowercased_words_with_digits_folded_and_their_bigrams() -> None:
    assert features("Add 12 and 7.") == [
        "add",
        "<num>",
        "and",
        "<num>",
        ".",
        "add <num>",
        "<num> and",
        "and <num>",
        "<num> .",
    ]


def test_only_the_start_of_a_long_prompt_is_read() -> None:
    assert features("word " * (MAX_CHARS) + "tail") == features("word " * (MAX_CHARS // 5))


def test_weights_round_trip_through_a_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    model = DomainClassifier(
        ["add", "def", "add <num>"],
        rng.normal(size=(3, 2)).astype(np.float32),
        np.zeros(2, np.float32),
        ["a", "b"],
    )
    model.save(tmp_path / "w.npz")
    again = DomainClassifier.load(tmp_path / "w.npz")
    assert again.labels == ("a", "b")
    # Weights are stored as float16: equal to that precision.
    assert again.scores("add 3 def") == pytest.approx(model.scores("add 3 def"), abs=1e-3)


def test_a_prompt_with_no_known_feature_gets_the_prior() -> None:
    model = DomainClassifier(["x"], np.ones((1, 2), np.float32), np.array([0.0, 1.0], np.float32), ["a", "b"])
    assert model.predict("zzz").label == "b"


@pytest.mark.parametrize(
    ("prompt", "domain"),
    [
        ("A baker sells 24 muffins a day at $3 each. How much does she earn in a week?", "maths"),
        ("Write a python function to find the first repeated character in a given string.", "code"),
        (
            "Which gas do plants absorb?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Helium\nAnswer:",
            "choice",
        ),
    ],
    ids=["word-problem", "function", "multiple-choice"],
)
def test_the_shipped_weights_read_the_domain_of_typical_prompts(prompt: str, domain: str) -> None:
    assert shipped().predict(prompt).label == domain
