"""Path parsing for the SharePoint REST dialect: segments, function arguments and literals.

The library mixes cases and quotes server-relative URLs inside arguments (`…Url('/a/b')`), so
segments are split on '/' only outside quotes and parentheses, and names compare lower-case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .odata import SPError

__all__ = ["Segment", "split_segments", "parse_literal"]


@dataclass
class Segment:
    """`name(args)`; `name` keeps its case, `key` is lower-case for dispatch."""

    name: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.name.lower()

    def arg(self, *names: str) -> Any:
        """First positional argument, or the named one (case-insensitive)."""
        for n in names:
            for k, v in self.kwargs.items():
                if k.lower() == n.lower():
                    return v
        if self.args:
            return self.args[0]
        raise SPError(400, "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
                      f"Missing argument for {self.name}.")


def _split_outside(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    in_quote = False
    for ch in text:
        if ch == "'":
            in_quote = not in_quote  # '' toggles twice, which keeps the state right
        elif not in_quote and ch == "(":
            depth += 1
        elif not in_quote and ch == ")":
            depth -= 1
        if ch == sep and not in_quote and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_literal(text: str) -> Any:
    """A function argument: 'string' (with '' escapes), guid'…', number, true/false/null."""
    t = text.strip()
    low = t.lower()
    if len(t) >= 2 and t[0] == "'" and t[-1] == "'":
        return t[1:-1].replace("''", "'")
    if low.startswith("guid'") and t.endswith("'"):
        return t[5:-1]
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def _parse_segment(raw: str) -> Segment:
    raw = raw.strip()
    if "(" in raw and raw.endswith(")"):
        name, _, inner = raw.partition("(")
        inner = inner[:-1]
        seg = Segment(name.strip())
        if inner.strip():
            for arg in _split_outside(inner, ","):
                eq = _split_outside(arg, "=")
                if len(eq) == 2 and eq[0].strip().replace("_", "").isalnum():
                    seg.kwargs[eq[0].strip()] = parse_literal(eq[1])
                else:
                    seg.args.append(parse_literal(arg))
        return seg
    return Segment(raw)


def split_segments(path: str) -> list[Segment]:
    """`Web/lists/GetByTitle('a/b')/items(3)` -> segments (path already percent-decoded)."""
    return [_parse_segment(p) for p in _split_outside(path.strip("/"), "/") if p.strip()]
