"""The optional deep tier: used when installed and wanted, reported by validate when not."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from router._config import lint_routes, load_routes
from router._levels import Sensitivity
from router._signals._deep import DeepTier, build_deep_tier, deep_tier_problem
from router._signals._sensitivity import DEFAULT_LEVELS, SensitivityScanner

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"


class Recorder:
    """A recogniser standing in for a model: it reports "Zyx Quorblat" as a PERSON."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> Iterable[tuple[str, int, int]]:
        self.texts.append(text)
        at = text.find("Zyx Quorblat")
        return [("PERSON", at, at + 12), ("ORG", 0, 3)] if at >= 0 else []


def scanner_with(recogniser: Recorder, run: str = "borderline", max_chars: int = 1_000) -> SensitivityScanner:
    deep = DeepTier(load=lambda: recogniser, run=run, max_chars=max_chars)  # type: ignore[arg-type]
    return SensitivityScanner(levels=DEFAULT_LEVELS, deep=deep)


def test_a_borderline_text_goes_to_the_model_and_its_person_is_a_finding() -> None:
    recogniser = Recorder()
    findings = scanner_with(recogniser).scan("The refund was approved by Zyx Quorblat yesterday.")
    assert [(f.type, f.level) for f in findings] == [("person", Sensitivity.CONFIDENTIAL)]
    assert len(recogniser.texts) == 1


def test_a_text_the_fast_tier_explains_is_not_sent_to_the_model() -> None:
    recogniser = Recorder()
    scanner_with(recogniser).scan("the meeting moved to next week, thanks.")
    scanner_with(recogniser).scan("Please ask Helena Shaw.")  # the only capitals are a found name
    assert recogniser.texts == []


def test_always_sends_every_text_up_to_max_chars() -> None:
    recogniser = Recorder()
    scanner = scanner_with(recogniser, run="always", max_chars=20)
    scanner.scan("short text")
    scanner.scan("a text longer than twenty characters")
    assert recogniser.texts == ["short text"]


def test_a_missing_backend_is_a_validate_warning_and_the_fast_tier_runs_alone(tmp_path: Path) -> None:
    routes = ROUTES.read_text("utf-8").replace(
        "  sensitivity:\n",
        "  sensitivity:\n    deep: {backend: gliner, model: /nonexistent/gliner-model}\n",
        1,
    )
    path = tmp_path / "routes.yaml"
    path.write_text(routes, "utf-8")
    config = load_routes(path)
    warnings = [w for w in lint_routes(config) if "deep" in w]
    assert len(warnings) == 1
    assert "the deep tier cannot run" in warnings[0]
    assert build_deep_tier(config.signals.of("sensitivity").deep) is None


def test_the_deep_tier_never_takes_a_model_name_it_would_have_to_download() -> None:
    problem = deep_tier_problem("gliner", "urchade/gliner_small-v2.1")
    assert problem is not None
    assert "not installed" in problem or "not a local folder" in problem
