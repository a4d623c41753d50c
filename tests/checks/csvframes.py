"""Build check input frames from the demo CSVs, in two shapes (see spsync.checks.tables):

- ``csv``: values stay the strings as read, empty = None; Person columns get ``<X>EMail``;
- ``sharepoint``: what the REST reader returns: floats where a number parses, date-only values
  as the UTC instant of Amsterdam midnight, booleans, and lookups with ``<X>Id``. Booking 204
  points at deleted project item 1018 (``ProjectId`` = 1018, ``Project`` None).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from spsync import schema
from spsync.checks.tables import Tables

DEMO = Path(__file__).resolve().parents[2] / "src" / "spsync" / "demo_data"
EXPECTED = DEMO / "expected"
FILES = {
    "hoofdlijnen": "hoofdlijnen.csv",
    "projecten": "projecten.csv",
    "urenregistratie": "urenregistratie.csv",
    "jaarkalender": "jaarkalender.csv",
    "doelen": "doelen.csv",
    "activiteiten": "activiteiten.csv",
    "indicatoren": "indicatoren.csv",
}
AMS = ZoneInfo("Europe/Amsterdam")
DANGLING_PROJECT_ID = 1018


def read_csv(path: Path) -> list[dict[str, str | None]]:
    """Rows as dicts of strings; an empty cell is None."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


def frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    """A frame in the checks convention: object dtype, index = ID, None for empty."""
    cols = columns or (list(rows[0]) if rows else ["ID"])
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in cols})
    df.index = pd.Index([r["ID"] for r in rows], name="ID")
    return df


def _users() -> dict[str, tuple[int, str]]:
    return {r["Title"]: (i, r["EMail"])
            for i, r in enumerate(read_csv(DEMO / "gebruikers.csv"), start=10)}


def demo_rows() -> dict[str, list[dict]]:
    """The CSV rows per list with an int ``ID`` (row number when the file has none) and
    ``<X>EMail`` for Person columns."""
    users = _users()
    out = {}
    for key, name in FILES.items():
        rows = read_csv(DEMO / name)
        user_cols = [c.name for c in schema.list_def(key).columns if c.type == "User"]
        for n, row in enumerate(rows, start=1):
            row["ID"] = int(row["ID"]) if row.get("ID") else n
            for col in user_cols:
                if col in row:
                    person = row[col]
                    row[f"{col}EMail"] = users[person][1] if person in users else None
        out[key] = rows
    return out


def demo_tables_csv() -> Tables:
    return Tables(**{k: frame(rows) for k, rows in demo_rows().items()})


def _number(value: str | None) -> object:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value  # e.g. "twee" or "1,5" from a legacy text column


def _instant(value: str | None) -> object:
    if value is None:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value  # e.g. "2026-02-30" typed into a text column
    utc = datetime.combine(d, time(0), AMS).astimezone(ZoneInfo("UTC"))
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_tables_sharepoint() -> Tables:
    rows = demo_rows()
    users = _users()
    id_by_show = {
        "Projecten": {r["ProjectCode"]: r["ID"] for r in rows["projecten"]},
        "Hoofdlijnen": {r["Title"]: r["ID"] for r in rows["hoofdlijnen"]},
        "Doelen": {r["DoelCode"]: r["ID"] for r in rows["doelen"]},
    }
    frames = {}
    for key, items in rows.items():
        cols = {c.name: c for c in schema.list_def(key).columns}
        new_items = []
        for row in items:
            new = {}
            for name, value in row.items():
                col = cols.get(name)
                if col is None:
                    new[name] = value
                elif col.type in ("Number", "Currency"):
                    new[name] = _number(value)
                elif col.type == "DateTime":
                    new[name] = _instant(value)
                elif col.type == "Boolean":
                    new[name] = value == "Ja"
                elif col.type == "Lookup":
                    new[name] = value
                    new[f"{name}Id"] = id_by_show[col.lookup_list].get(value)
                elif col.type == "User":
                    new[name] = value
                    new[f"{name}Id"] = users[value][0] if value in users else None
                else:
                    new[name] = value
            if key == "urenregistratie" and new.get("Project") == "P-2526-99":
                new["Project"], new["ProjectId"] = None, DANGLING_PROJECT_ID
            new_items.append(new)
        frames[key] = frame(new_items)
    return Tables(**frames)


def expected(name: str) -> list[dict[str, str | None]]:
    """Rows of ``expected/<name>.csv`` (strings, empty = None)."""
    return read_csv(EXPECTED / f"{name}.csv")
