"""The status vocabularies of DATA-MODEL §3 for the rules, plus the names findings print.

The values themselves are defined once in :mod:`spsync.vocabularies` (re-exported here, so rule
modules keep importing them from ``.vocab``); which Choice column holds which vocabulary is a
fact of :mod:`spsync.schema`.
"""

from __future__ import annotations

from spsync import vocabularies as _values
from spsync.schema import LISTS, Writer
from spsync.vocabularies import *  # noqa: F403 - the values, re-exported for the rule modules

__all__ = _values.__all__ + ["CHOICE_VOCABS", "LIST_TITLES", "DISPLAY_NAMES", "display_name"]

#: (list key, column) -> the vocabulary a Choice column staff fill must hold (from the schema).
CHOICE_VOCABS: dict[tuple[str, str], tuple[str, ...]] = {
    (d.key, c.name): c.choices for d in LISTS for c in d.columns
    if c.type == "Choice" and c.choices and c.writer is not Writer.DAEMON
}

#: List key -> the Dutch list title staff see (DATA-MODEL §2; defined once in spsync.schema).
LIST_TITLES: dict[str, str] = {d.key: d.title for d in LISTS}

#: Internal column name -> the Dutch display name used in finding sentences (DATA-MODEL §2).
DISPLAY_NAMES: dict[str, str] = {
    "Title": "Titel",
    "Code": "Code",
    "Volgorde": "Volgorde",
    "Soort": "Soort",
    "ProjectCode": "Projectcode",
    "ProjectType": "Type",
    "Hoofdlijn": "Hoofdlijn",
    "Planjaar": "Planjaar",
    "Eigenaar": "Eigenaar",
    "ToegekendeUren": "Toegekende uren",
    "Startdatum": "Startdatum",
    "Einddatum": "Einddatum",
    "Projectstatus": "Projectstatus",
    "BegrootBedrag": "Begroot bedrag",
    "WerkelijkeUitgave": "Werkelijke uitgave",
    "BudgetPM": "Bedrag p.m.",
    "Project": "Project",
    "Medewerker": "Medewerker",
    "Datum": "Datum",
    "Uren": "Uren",
    "Documenttype": "Documenttype",
    "Overleg": "Overleg",
    "Bespreekdoel": "Bespreekdoel",
    "PeriodeStart": "Periode van",
    "PeriodeEind": "Periode t/m",
    "GeplandeDatum": "Geplande vergaderdatum",
    "BesprokenOp": "Besproken op",
    "BesprokenIn": "Besproken in overleg",
    "Vervallen": "Vervallen",
    "DoelCode": "Doelcode",
    "DoelStatusHandmatig": "Doelstatus (handmatig)",
    "ActiviteitCode": "Activiteitcode",
    "Doel": "Doel",
    "Voortgang": "Voortgang",
    "CategorieHandmatig": "Categorie (handmatig)",
    "IndicatorCode": "Indicatorcode",
    "Meeteenheid": "Meeteenheid",
    "GewensteRichting": "Gewenste richting",
    "Streefwaarde": "Streefwaarde",
    "Berekening": "Berekening",
    "Nulmeting": "Nulmeting",
    "WaardeHandmatig": "Waarde (handmatig)",
    "VoortgangHandmatig": "Voortgang (handmatig)",
}


def display_name(column: str) -> str:
    """The Dutch name of ``column`` for messages; the internal name when none is known."""
    return DISPLAY_NAMES.get(column, column)
