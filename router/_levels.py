"""Sensitivity levels, ordered from least to most sensitive.

A model's ``clearance`` is the highest level it may receive; a task's sensitivity
is the highest level found in it. A model may take a task when
``clearance >= sensitivity``.
"""

from __future__ import annotations

import enum


class Sensitivity(enum.IntEnum):
    """How sensitive a text is. Integer-ordered so levels compare with ``<`` and ``max``."""

    PUBLIC = 0
    INTERNAL = 1
    CONFIDENTIAL = 2
    RESTRICTED = 3

    @property
    def label(self) -> str:
        """The lower-case name used in routes.yaml and in JSON output."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Sensitivity) -> Sensitivity:
        """Read a level from its routes.yaml spelling (``"confidential"``) or an instance."""
        if isinstance(value, Sensitivity):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(level.label for level in cls)
            raise ValueError(f"unknown sensitivity level {value!r}; expected one of: {names}") from None

    def __str__(self) -> str:
        return self.label
