"""The sensitivity signal: what sensitive content the prompt holds, and so how sensitive it is.

Condition: ``when: {sensitivity: {at_least: confidential}}`` and/or ``{findings: [email]}``
(matches when any of these types is found). Settings: ``signals.sensitivity`` (detector
levels and custom terms, see ``SensitivitySignal`` in the schema). The detectors themselves
are in ``_sensitivity.py`` and the modules it draws on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router._config._schema import Level, SensitivitySignal
from router._decision import FindingSummary
from router._levels import Sensitivity
from router._signals._deep import build_deep_tier
from router._signals._sensitivity import (
    DEFAULT_LEVELS,
    CustomTerm,
    Finding,
    SensitivityScanner,
    highest_level,
)
from router._signals._signal import CountTokens, Lint, Meter

if TYPE_CHECKING:
    from router._decision import Signals
    from router._task import Task


UNREADABLE: Final = "unreadable_content"
"""The finding type of content parts the router cannot read (images, audio, files)."""

_LABELS: Final = {level: level.label for level in Sensitivity}  # a dict read is cheaper than .label


class SensitivityCondition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at_least: Level | None = None
    findings: tuple[str, ...] | None = Field(
        default=None, description="matches when any of these types is found"
    )

    @model_validator(mode="after")
    def _one_given(self) -> SensitivityCondition:
        if self.at_least is None and not self.findings:
            raise ValueError("give 'at_least' or 'findings'")
        return self


class SensitivityScanSignal:
    """The highest level among the findings of the detectors and custom terms."""

    name: Final = "sensitivity"
    description: Final = "the highest sensitivity level found, and the finding types"
    condition: Final = SensitivityCondition
    settings: Final = SensitivitySignal
    fields: Final[Mapping[str, tuple[Any, Any]]] = {
        "sensitivity": (Level, ...),
        "findings": (tuple[FindingSummary, ...], ()),
    }

    def meter(self, settings: SensitivitySignal) -> Meter:
        scanner = scanner_for(settings)

        def measure(task: Task, count_tokens: CountTokens) -> Mapping[str, object]:
            # Tool definitions, tool calls and schemas are scanned too: the model reads them.
            findings = scan_task(scanner, task)
            level, summary = highest_level(findings), summarise(findings)
            if task.unreadable:
                # An image or a file may hold anything: fail closed at the configured level.
                level = max(level, settings.unreadable)
                summary = (
                    *summary,
                    FindingSummary(type=UNREADABLE, level=settings.unreadable, count=task.unreadable),
                )
            return {"sensitivity": level, "findings": summary}

        return measure

    def check(self, condition: SensitivityCondition, signals: Signals) -> str | None:
        level = signals.sensitivity
        if condition.at_least is not None and level < condition.at_least:
            return f"sensitivity {_LABELS[level]} < at_least {_LABELS[condition.at_least]}"
        if condition.findings and signals.finding_types.isdisjoint(condition.findings):
            found = ", ".join(sorted(signals.finding_types)) or "none"
            return f"findings [{found}] include none of [{', '.join(condition.findings)}]"
        return None

    def lint(self, condition: SensitivityCondition, settings: SensitivitySignal) -> Iterator[Lint]:
        from router._config._checks import did_you_mean  # the config package imports the signals

        known = list(settings.finding_types)
        for position, name in enumerate(condition.findings or ()):
            if name not in known:
                yield ("findings", position), f"unknown finding type {name!r}; {did_you_mean(name, known)}"


_SCANNERS: dict[str, SensitivityScanner] = {}


def scan_task(scanner: SensitivityScanner, task: Task) -> list[Finding]:
    """The findings of everything the model reads, and those a value split over turns of one
    role makes where they are joined (``Task.seams``); a value found whole in the text
    already is not counted again from a seam."""
    text = task.scanned_text
    findings = list(scanner.scan(text))
    seams = task.seams
    if seams:
        known = {text[finding.start : finding.end] for finding in findings}
        findings += [found for found in scanner.scan(seams) if seams[found.start : found.end] not in known]
    return findings


def scanner_for(settings: SensitivitySignal) -> SensitivityScanner:
    """The scanner of ``settings``, built once per process: routing measures with it and the
    executor masks with it, so both see the same findings (and a deep tier loads once)."""
    key = settings.model_dump_json()
    scanner = _SCANNERS.get(key)
    if scanner is None:
        scanner = _SCANNERS[key] = build_scanner(settings)
    return scanner


def build_scanner(config: SensitivitySignal) -> SensitivityScanner:
    """The sensitivity scanner routes.yaml asks for: defaults, overrides, custom terms."""
    levels = _detector_levels(config)
    terms = [
        CustomTerm(name=term.name, level=term.level, keywords=term.keywords, patterns=term.regex)
        for term in config.custom_terms
    ]
    return SensitivityScanner(levels=levels, custom_terms=terms, deep=build_deep_tier(config.deep))


def _detector_levels(config: SensitivitySignal) -> dict[str, Sensitivity]:
    levels: dict[str, Sensitivity] = dict(DEFAULT_LEVELS)
    for name, level in config.detectors.items():
        if isinstance(level, Sensitivity):
            levels[name] = level
        else:
            levels.pop(name, None)  # "off"
    return levels


def finding_levels(config: SensitivitySignal) -> dict[str, Sensitivity]:
    """The level each finding type gives a task under ``config``; types turned off are absent."""
    levels = _detector_levels(config)
    levels.update({term.name: Sensitivity.parse(term.level) for term in config.custom_terms})
    levels[UNREADABLE] = Sensitivity.parse(config.unreadable)
    return levels


def summarise(findings: Sequence[Finding]) -> tuple[FindingSummary, ...]:
    """Findings grouped by type, most sensitive first; positions are dropped."""
    if not findings:  # most tasks
        return ()
    counts = Counter(finding.type for finding in findings)
    levels = {finding.type: finding.level for finding in findings}
    ordered = sorted(counts, key=lambda kind: (-levels[kind], kind))
    return tuple(FindingSummary(type=kind, level=levels[kind], count=counts[kind]) for kind in ordered)


SENSITIVITY: Final = SensitivityScanSignal()
