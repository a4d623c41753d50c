"""Context values that are more than text: a hyperlink and a chart image.

The context stays plain, pure data; :mod:`.render` turns these into docxtpl ``RichText`` (with a
relationship to the URL) and ``InlineImage`` objects for the template being filled.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Chart", "Hyperlink"]


@dataclass(frozen=True)
class Hyperlink:
    """Text, linked when ``url`` is set (placed in the template with ``{{r … }}``)."""

    text: str
    url: str | None = None
    size_pt: float = 9.0
    bold: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Chart:
    """A PNG (print resolution) and the width it is placed at; ``alt`` describes it."""

    png: bytes
    width_mm: float
    alt: str

    def __repr__(self) -> str:  # keep test failure output readable
        return f"Chart({self.alt!r}, {len(self.png)} bytes)"
