"""OData v3 query options as SharePoint list items understand them: $filter, $orderby, $select.

Kept free of HTTP and SQLite so the parser can be tested on its own. Field names are resolved by a
callback, so an unknown field raises the same 400 SharePoint gives instead of silently matching
nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

__all__ = [
    "SPError",
    "parse_query_string",
    "parse_filter",
    "parse_orderby",
    "parse_list_option",
    "evaluate",
    "compare_values",
    "parse_datetime",
]


class SPError(Exception):
    """An error answered in SharePoint's JSON error shape."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_query(message: str) -> SPError:
    return SPError(400, "-1, Microsoft.SharePoint.SPException", message)


# --------------------------------------------------------------------------------------------
# query string

_KEY_START = re.compile(r"(\$|%24)?[A-Za-z_][A-Za-z0-9_]*=")


def parse_query_string(raw: str) -> dict[str, str]:
    """Split a raw query string into options, tolerating an unencoded '&' inside quoted values.

    The library does not encode `$filter` values, so `Title eq 'A & B'` arrives raw. We split on
    '&' only outside single quotes and only where the next chunk looks like `key=`.
    """
    parts: list[str] = []
    buf: list[str] = []
    in_quote = False
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "'":
            in_quote = not in_quote
        if ch == "&" and not in_quote and _KEY_START.match(raw, i + 1):
            parts.append("".join(buf))
            buf = []
        elif ch == "&" and not in_quote and i + 1 == len(raw):
            pass
        else:
            buf.append(ch)
        i += 1
    if buf:
        parts.append("".join(buf))
    out: dict[str, str] = {}
    for part in parts:
        if not part:
            continue
        key, _, value = part.partition("=")
        out[unquote(key).strip()] = unquote(value)
    return out


# --------------------------------------------------------------------------------------------
# tokens

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<dt>datetime'[^']*')
  | (?P<guid>guid'[^']*')
  | (?P<str>'(?:[^']|'')*')
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[dDmMlLfF]?)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<comma>,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
""", re.VERBOSE)

_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCS = {"startswith", "substringof", "endswith"}


@dataclass(frozen=True)
class Tok:
    kind: str
    value: Any


def _tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise bad_query(f"The expression \"{text}\" is not valid.")
        pos = m.end()
        kind = m.lastgroup
        raw = m.group()
        if kind == "ws":
            continue
        if kind == "dt":
            toks.append(Tok("lit", parse_datetime(raw[9:-1]) or raw[9:-1]))
        elif kind == "guid":
            toks.append(Tok("lit", raw[5:-1]))
        elif kind == "str":
            toks.append(Tok("lit", raw[1:-1].replace("''", "'")))
        elif kind == "num":
            num = raw.rstrip("dDmMlLfF")
            toks.append(Tok("lit", float(num) if any(c in num for c in ".eE") else int(num)))
        elif kind == "name":
            low = raw.lower()
            if low in ("null",):
                toks.append(Tok("lit", None))
            elif low in ("true", "false"):
                toks.append(Tok("lit", low == "true"))
            elif low in _COMPARE or low in ("and", "or", "not"):
                toks.append(Tok("op", low))
            else:
                toks.append(Tok("name", raw))
        else:
            toks.append(Tok(kind, raw))
    return toks


# --------------------------------------------------------------------------------------------
# $filter: recursive descent into tuples ("and", a, b) / ("cmp", op, field, literal) / ...

class _Parser:
    def __init__(self, text: str, resolve: Callable[[str], Any]) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self, kind: str | None = None) -> Tok:
        tok = self.peek()
        if tok is None or (kind and tok.kind != kind):
            raise bad_query(f"Invalid filter expression: {self.text!r}")
        self.pos += 1
        return tok

    def parse(self) -> tuple:
        node = self.or_expr()
        if self.peek() is not None:
            raise bad_query(f"Invalid filter expression: {self.text!r}")
        return node

    def or_expr(self) -> tuple:
        node = self.and_expr()
        while (t := self.peek()) and t.kind == "op" and t.value == "or":
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> tuple:
        node = self.unary()
        while (t := self.peek()) and t.kind == "op" and t.value == "and":
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self) -> tuple:
        t = self.peek()
        if t and t.kind == "op" and t.value == "not":
            self.take()
            return ("not", self.unary())
        return self.comparison()

    def operand(self) -> tuple:
        t = self.take()
        if t.kind == "lit":
            return ("lit", t.value)
        if t.kind == "lp":
            node = self.or_expr()
            self.take("rp")
            return node
        if t.kind == "name":
            if t.value.lower() in _FUNCS and (n := self.peek()) and n.kind == "lp":
                self.take("lp")
                args = [self.operand()]
                while (n := self.peek()) and n.kind == "comma":
                    self.take()
                    args.append(self.operand())
                self.take("rp")
                return ("func", t.value.lower(), args)
            return ("field", self.resolve(t.value))
        raise bad_query(f"Invalid filter expression: {self.text!r}")

    def comparison(self) -> tuple:
        left = self.operand()
        t = self.peek()
        if t and t.kind == "op" and t.value in _COMPARE:
            self.take()
            return ("cmp", t.value, left, self.operand())
        return left


def parse_filter(text: str, resolve: Callable[[str], Any]) -> tuple:
    """Parse a `$filter` expression; `resolve(name)` maps a field path or raises SPError."""
    return _Parser(text, resolve).parse()


def evaluate(node: tuple, get: Callable[[Any], Any]) -> Any:
    """Evaluate a parsed filter against one item; `get(resolved_field)` reads its value."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return get(node[1])
    if kind == "and":
        return bool(evaluate(node[1], get)) and bool(evaluate(node[2], get))
    if kind == "or":
        return bool(evaluate(node[1], get)) or bool(evaluate(node[2], get))
    if kind == "not":
        return not evaluate(node[1], get)
    if kind == "func":
        args = [evaluate(a, get) for a in node[2]]
        if any(not isinstance(a, str) for a in args):
            return False
        if node[1] == "startswith":
            return args[0].startswith(args[1])
        if node[1] == "endswith":
            return args[0].endswith(args[1])
        return args[0] in args[1]  # substringof('needle', Field)
    if kind == "cmp":
        left, right = evaluate(node[2], get), evaluate(node[3], get)
        op = node[1]
        if left is None or right is None:
            if op == "eq":
                return left is None and right is None
            if op == "ne":
                return not (left is None and right is None)
            return False
        c = compare_values(left, right)
        if c is None:
            return op == "ne"
        return {"eq": c == 0, "ne": c != 0, "gt": c > 0, "ge": c >= 0,
                "lt": c < 0, "le": c <= 0}[op]
    raise bad_query("Invalid filter expression")


def parse_datetime(text: Any) -> datetime | None:
    """An ISO instant (naive means UTC) or None when it is not a date."""
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _coerce_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a, b
        if isinstance(a, bool) and isinstance(b, (int, float)):
            return int(a), b
        if isinstance(b, bool) and isinstance(a, (int, float)):
            return a, int(b)
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        da, db = parse_datetime(a), parse_datetime(b)
        return (da, db) if da and db else None
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return a, float(b)
        except ValueError:
            return None
    if isinstance(b, (int, float)) and isinstance(a, str):
        try:
            return float(a), b
        except ValueError:
            return None
    if isinstance(a, str) and isinstance(b, str):
        da, db = parse_datetime(a), parse_datetime(b)
        if da and db:
            return da, db
        return a.lower(), b.lower()  # SharePoint text comparison is case-insensitive
    return None


def compare_values(a: Any, b: Any) -> int | None:
    """-1/0/1 for comparable values (numbers as numbers, dates as instants), None otherwise."""
    pair = _coerce_pair(a, b)
    if pair is None:
        return None
    x, y = pair
    return (x > y) - (x < y)


def _rank(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, (bool, int, float)):
        return 1
    return 2


def sort_cmp(a: Any, b: Any) -> int:
    """A total order for sorting mixed stored values: null < numbers/dates < other text."""
    c = compare_values(a, b)
    if c is not None:
        return c
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        return (ra > rb) - (ra < rb)
    sa, sb = str(a), str(b)
    return (sa > sb) - (sa < sb)


def make_row_cmp(directions: list[bool]) -> Callable[[list, list], int]:
    """Comparator over key lists; directions[i] True means descending."""
    def cmp(x: list, y: list) -> int:
        for desc, a, b in zip(directions, x, y):
            c = sort_cmp(a, b)
            if c:
                return -c if desc else c
        return 0
    return cmp


def sort_rows(rows: list, keys: Callable[[Any], list], directions: list[bool]) -> list:
    row_cmp = make_row_cmp(directions)
    decorated = [(keys(r), r) for r in rows]  # compute each key once, not per comparison
    decorated.sort(key=functools.cmp_to_key(lambda a, b: row_cmp(a[0], b[0])))
    return [r for _, r in decorated]


# --------------------------------------------------------------------------------------------
# $select / $expand / $orderby

def parse_list_option(text: str | None) -> list[str]:
    """Comma separated names (`$select`, `$expand`), blanks dropped."""
    if not text:
        return []
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_orderby(text: str | None) -> list[tuple[str, bool]]:
    """`A asc, B desc` -> [("A", False), ("B", True)]."""
    out: list[tuple[str, bool]] = []
    for part in parse_list_option(text):
        words = part.split()
        if len(words) == 1:
            out.append((words[0], False))
        elif len(words) == 2 and words[1].lower() in ("asc", "desc"):
            out.append((words[0], words[1].lower() == "desc"))
        else:
            raise bad_query(f"Invalid $orderby expression: {part!r}")
    return out
