"""Table-level data quality: missing lists/columns, duplicate codes, empty required values,
people without e-mail, dangling lookups, choice values outside §3 and unreadable numbers/dates.

Columns a rule reads with its own codes (Uren, Datum, Project of a booking; Overleg and the
period of a Jaarkalender row; Voortgang of activities and indicators) are left to that rule, so
one bad value gives one finding.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from .. import schema
from .findings import finding
from .frames import ListInput, LookupIndex, Resolved
from .normalise import (
    INVALID,
    lookup_key,
    parse_bool,
    parse_choice,
    parse_date,
    parse_number,
    shown,
)
from .planjaar import parse_planjaar, planjaar
from .result import Finding
from .settings import CheckSettings
from .vocab import CHOICE_VOCABS, LIST_TITLES, display_name

__all__ = [
    "CODE_COLUMNS",
    "LIST_CONSEQUENCES",
    "LOOKUPS",
    "NONNEGATIVE",
    "OWNER_COLUMNS",
    "PLANJAAR_LISTS",
    "REQUIRED_COLUMNS",
    "REQUIRED_VALUES",
    "RULE_OWNED",
    "check_tables",
]

#: LIJST_ONTBREEKT: what the MT misses when a list is not on the site.
LIST_CONSEQUENCES: dict[str, str] = {
    "hoofdlijnen": "de hoofdlijnen van projecten, doelen en activiteiten zijn niet gecontroleerd",
    "projecten": "er zijn geen uren of budgetten per project berekend",
    "urenregistratie": "er zijn geen geboekte uren berekend",
    "jaarkalender": "de jaarkalender is niet gecontroleerd",
    "doelen": "de doelstatus is niet berekend",
    "activiteiten": "de voortgang van de activiteiten is niet berekend",
    "indicatoren": "de indicatoren zijn niet berekend",
}

#: KOLOM_ONTBREEKT: columns whose absence changes what the rules compute (``Column.needed`` in
#: the schema). Optional overrides and free text (CategorieHandmatig, Toelichting, ...) may be
#: absent without a finding.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    d.key: tuple(c.name for c in d.columns if c.needed) for d in schema.LISTS
    if any(c.needed for c in d.columns)
}

#: VERPLICHT_VELD_LEEG: values the rules or the alerts need (``Column.value_needed``; Planjaar
#: has its own check).
REQUIRED_VALUES: dict[str, tuple[str, ...]] = {
    d.key: tuple(c.name for c in d.columns if c.value_needed) for d in schema.LISTS
    if any(c.value_needed for c in d.columns)
}

#: Columns a rule module validates itself (see the module docstring).
RULE_OWNED: dict[str, tuple[str, ...]] = {
    "urenregistratie": ("Project", "Datum", "Uren"),
    "jaarkalender": ("Overleg", "PeriodeStart", "PeriodeEind"),
    "activiteiten": ("Voortgang",),
    "indicatoren": ("VoortgangHandmatig",),
}

def _code_columns() -> dict[str, tuple[str, ...]]:
    """Per list its unique columns, then the show fields of lookups pointing at it (a lookup
    by a value two items share cannot tell them apart, e.g. Hoofdlijnen.Title)."""
    shown_by = {(schema.lookup_target(c).key, c.lookup_field or "Title")
                for d in schema.LISTS for c in d.columns if c.type == "Lookup"}
    out = {}
    for d in schema.LISTS:
        names = [c.name for c in d.columns if c.unique]
        names += [c.name for c in d.columns if (d.key, c.name) in shown_by and c.name not in names]
        if names:
            out[d.key] = tuple(names)
    return out


#: DUBBELE_CODE: unique keys and lookup show fields, from the schema.
CODE_COLUMNS: dict[str, tuple[str, ...]] = _code_columns()

#: Number columns that must not be negative (hours budget, amounts).
NONNEGATIVE: frozenset[tuple[str, str]] = frozenset({
    ("projecten", "ToegekendeUren"), ("projecten", "BegrootBedrag"),
    ("projecten", "WerkelijkeUitgave"),
})

#: Lists whose rows carry a Planjaar.
PLANJAAR_LISTS = ("projecten", "jaarkalender", "activiteiten", "indicatoren")

#: Person columns that receive alerts or reminders (PERSOON_ZONDER_EMAIL).
OWNER_COLUMNS: dict[str, tuple[str, ...]] = {
    "projecten": ("Eigenaar",), "jaarkalender": ("Eigenaar",), "activiteiten": ("Eigenaar",),
}

#: LOOKUP_ONBEKEND: (list, column) -> (target list, show column), the schema's Lookup columns
#: except those a rule checks itself (Urenregistratie.Project: §5.2 PROJECT_ONBEKEND).
LOOKUPS: dict[tuple[str, str], tuple[str, str]] = {
    (d.key, c.name): (schema.lookup_target(c).key, c.lookup_field or "Title")
    for d in schema.LISTS for c in d.columns
    if c.type == "Lookup" and c.name not in RULE_OWNED.get(d.key, ())
}


def check_tables(inputs: dict[str, ListInput], settings: CheckSettings,
                 controledatum: date) -> list[Finding]:
    """All table-level findings, list by list in read order."""
    out: list[Finding] = []
    for key, inp in inputs.items():
        title = LIST_TITLES[key]
        if not inp.present:
            out.append(finding(key, None, title, "LIJST_ONTBREEKT", lijst=title,
                               gevolg=LIST_CONSEQUENCES[key]))
            continue
        if len(inp) == 0:
            out.append(finding(key, None, title, "LIJST_LEEG", lijst=title))
            continue
        for col in REQUIRED_COLUMNS.get(key, ()):
            if not inp.has(col) and not inp.has(f"{col}Id"):
                out.append(finding(key, None, title, "KOLOM_ONTBREEKT", kolom=col, lijst=title))
        out.extend(_duplicates(inp))
        out.extend(_rows(inp, inputs, settings, controledatum))
    return out


def _duplicates(inp: ListInput) -> list[Finding]:
    out = []
    for col in CODE_COLUMNS.get(inp.key, ()):
        groups: dict[str, list[int]] = defaultdict(list)
        values = inp.col(col)
        for pos, value in enumerate(values):
            key = lookup_key(value)
            if key is not None:
                groups[key].append(pos)
        for positions in groups.values():
            if len(positions) < 2:
                continue
            items = ", ".join(str(inp.ids[p]) for p in positions)
            for p in positions:
                out.append(finding(inp.key, inp.ids[p], inp.refs[p], "DUBBELE_CODE",
                                   kolom=display_name(col), waarde=shown(values[p]),
                                   aantal=len(positions), lijst=inp.title, items=items))
    return out


def _rows(inp: ListInput, inputs: dict[str, ListInput], settings: CheckSettings,
          controledatum: date) -> list[Finding]:
    """Per row: required values, planjaar, typed columns, owners' e-mail and lookups.

    Each check runs down its whole column (reading the values the rules parsed too, see
    :meth:`ListInput.parsed`); the findings are then put in row order. The sort is stable, so
    within a row they keep the order of the checks below.
    """
    key = inp.key
    found: list[tuple[int, str, dict[str, object]]] = []  # (row position, code, fields)

    def add(pos: int, code: str, **kw: object) -> None:
        found.append((pos, code, kw))

    # VERPLICHT_VELD_LEEG (empty cells read as None, see ListInput.col)
    for col in REQUIRED_VALUES.get(key, ()):
        if inp.has(col) or inp.has(f"{col}Id"):
            for pos, (value, lookup_id) in enumerate(zip(inp.col(col), inp.col(f"{col}Id"))):
                if value is None and lookup_id is None:
                    add(pos, "VERPLICHT_VELD_LEEG", kolom=display_name(col))

    # Planjaar: VERPLICHT_VELD_LEEG / PLANJAAR_ONGELDIG
    mode = settings.planjaar_mode
    if key in PLANJAAR_LISTS and inp.has("Planjaar"):
        example = planjaar(controledatum, mode)
        raws = inp.col("Planjaar")
        for pos, (raw, pj) in enumerate(zip(raws, inp.parsed("Planjaar", parse_planjaar, mode))):
            if raw is None:
                add(pos, "VERPLICHT_VELD_LEEG", kolom="Planjaar")
            elif pj is None:
                add(pos, "PLANJAAR_ONGELDIG", waarde=shown(raw), soort=mode, voorbeeld=example)

    # Typed columns: ONBEKENDE_KEUZEWAARDE / ONGELDIG_GETAL / ONGELDIGE_DATUM / ONGELDIGE_JANEE
    owned = RULE_OWNED.get(key, ())
    typed = [c for c in schema.list_def(key).columns
             if c.writer is not schema.Writer.DAEMON and c.name not in owned and inp.has(c.name)]
    for col in typed:
        label = display_name(col.name)
        vocab = CHOICE_VOCABS.get((key, col.name))
        if col.type == "Choice" and vocab:
            for pos, parsed in enumerate(inp.parsed(col.name, parse_choice, vocab)):
                if parsed.state == INVALID:
                    add(pos, "ONBEKENDE_KEUZEWAARDE", kolom=label, waarde=parsed.shown)
        elif col.type in ("Number", "Currency"):
            nonnegative = (key, col.name) in NONNEGATIVE
            for pos, parsed in enumerate(inp.parsed(col.name, parse_number)):
                if parsed.state == INVALID:
                    add(pos, "ONGELDIG_GETAL", kolom=label, waarde=parsed.shown, reden="geen getal")
                elif nonnegative and parsed.ok and parsed.value < 0:
                    add(pos, "ONGELDIG_GETAL", kolom=label, waarde=parsed.shown, reden="negatief")
        elif col.type == "DateTime":
            for pos, parsed in enumerate(inp.parsed(col.name, parse_date, settings.timezone)):
                if parsed.state == INVALID:
                    add(pos, "ONGELDIGE_DATUM", kolom=label, waarde=parsed.shown)
        elif col.type == "Boolean":
            for pos, parsed in enumerate(inp.parsed(col.name, parse_bool)):
                if parsed.state == INVALID:
                    add(pos, "ONGELDIGE_JANEE", kolom=label, waarde=parsed.shown)

    # PERSOON_ZONDER_EMAIL
    for col in OWNER_COLUMNS.get(key, ()):
        if inp.has(f"{col}EMail"):
            for pos, (name, email) in enumerate(zip(inp.col(col), inp.col(f"{col}EMail"))):
                if name is not None and email is None:
                    add(pos, "PERSOON_ZONDER_EMAIL", kolom=display_name(col), naam=shown(name))

    # LOOKUP_ONBEKEND
    for (lst, col), (target, show_column) in LOOKUPS.items():
        if lst != key or not (inp.has(col) or inp.has(f"{col}Id")):
            continue
        index = LookupIndex(inputs[target], show_column)
        has_id = inp.has(f"{col}Id")
        for pos, (value, lookup_id) in enumerate(zip(inp.col(col), inp.col(f"{col}Id"))):
            res = index.resolve(value, lookup_id, has_id)
            if res.state == Resolved.UNKNOWN:
                add(pos, "LOOKUP_ONBEKEND", kolom=display_name(col), wat=res.wat,
                    lijst=index.target.title)

    found.sort(key=lambda f: f[0])
    return [finding(key, inp.ids[pos], inp.refs[pos], code, **kw) for pos, code, kw in found]
