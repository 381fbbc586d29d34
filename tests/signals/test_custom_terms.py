"""Custom terms: keywords as whole words in any case, with or without accents, as slugs,
hashtags and plurals; patterns under a time budget; and what is refused at load."""

from __future__ import annotations

import pytest

from router._levels import Sensitivity
from router._signals._sensitivity import CustomTerm, SensitivityScanner
from tests.support.findings import found

CODENAMES = CustomTerm(
    "codename",
    Sensitivity.RESTRICTED,
    keywords=("Project Falcon", "Falcon", "Hydra"),
    patterns=(r"\bPRJ-\d{4}\b",),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the project falcon launch", [("codename", "project falcon")]),
        ("FALCON and hydra", [("codename", "FALCON"), ("codename", "hydra")]),
        ("project falconry is a hobby", []),
        ("the falconer", []),
        ("see ticket PRJ-1234", [("codename", "PRJ-1234")]),
        ("İstanbul office runs Hydra", [("codename", "Hydra")]),
        ("notes on project-falcon", [("codename", "project-falcon")]),
        ("see #ProjectFalcon", [("codename", "ProjectFalcon")]),
        ("branch project_falcon", [("codename", "project_falcon")]),
        ("the Project\n  Falcon team", [("codename", "Project\n  Falcon")]),
        ("two project falcons", [("codename", "project falcons")]),
        ("project, falcon", [("codename", "falcon")]),
    ],
    ids=[
        "longest-keyword",
        "case-insensitive",
        "not-inside-a-word",
        "no-prefix-match",
        "regex",
        "unicode-text",
        "slug",
        "hashtag",
        "snake-case",
        "wrapped-line",
        "plural",
        "comma-is-no-gap",
    ],
)
def test_custom_terms_match_keywords_as_whole_words_and_their_patterns(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(text, SensitivityScanner(custom_terms=[CODENAMES])) == expected


ACCENTED = CustomTerm(
    "deal", Sensitivity.RESTRICTED, keywords=("Société Générale merger", "Project Zurich", "Falcon")
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the Societe Generale merger is on", "Societe Generale merger"),
        ("la Société Générale merger", "Société Générale merger"),
        ("Project Zürich starts", "Project Zürich"),
        ("see project-zürich", "project-zürich"),
        ("the Fälcon notes", "Fälcon"),
    ],
    ids=["keyword-accented-text-not", "both-accented", "text-accented-keyword-not", "slug", "single-word"],
)
def test_custom_keywords_match_with_or_without_accents(text: str, value: str) -> None:
    """People type names without their accents, or add them: "Societe Generale", "Zürich"."""
    assert found(text, SensitivityScanner(custom_terms=[ACCENTED])) == [("deal", value)]


def test_accented_letters_around_a_keyword_still_continue_its_word() -> None:
    assert found("the falconé and zurichè", SensitivityScanner(custom_terms=[ACCENTED])) == []


def test_custom_term_findings_carry_the_terms_level() -> None:
    scanner = SensitivityScanner(custom_terms=[CustomTerm("internal", "internal", keywords=["roadmap"])])  # type: ignore[arg-type]
    assert [f.level for f in scanner.scan("the Roadmap")] == [Sensitivity.INTERNAL]


def test_an_invalid_custom_pattern_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"invalid regular expression '\(unclosed'"):
        CustomTerm("bad", Sensitivity.INTERNAL, patterns=("(unclosed",))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"keywords": ()}, "no keywords and no patterns"),
        ({"keywords": ("",)}, "non-empty strings"),
        ({"keywords": "secret"}, "list of strings, not one string"),
        ({"patterns": ("a*",)}, "matches the empty string"),
    ],
    ids=["nothing-to-match", "blank-keyword", "string-not-list", "empty-match"],
)
def test_an_unusable_custom_term_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CustomTerm("term", Sensitivity.INTERNAL, **kwargs)  # type: ignore[arg-type]


def test_custom_term_names_must_be_unique() -> None:
    term = CustomTerm("x", Sensitivity.INTERNAL, keywords=("a",))
    with pytest.raises(ValueError, match="repeated"):
        SensitivityScanner(custom_terms=[term, term])
