"""Findings as readable pairs, for the sensitivity tests' assertions."""

from __future__ import annotations

from router._signals._sensitivity import SensitivityScanner

SCANNER = SensitivityScanner()


def found(text: str, scanner: SensitivityScanner = SCANNER) -> list[tuple[str, str]]:
    """The findings of ``text`` as (type, matched text) pairs."""
    return [(f.type, text[f.start : f.end]) for f in scanner.scan(text)]
