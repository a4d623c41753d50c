"""The SharePoint lists of the data model (../shared/domain/DATA-MODEL.md §2) as plain data.

One place names every list, column, column type and writer. The sandbox loader creates lists from
it, the gateway builds its ``$select``/``$expand`` from it, and the write-back uses it to know which
columns spsync owns. Column keys are the *logical* internal names of the data model; a site that
uses other internal names maps them in the config (``[columns.<list>]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "Writer",
    "Column",
    "ListDef",
    "LISTS",
    "LIBRARY",
    "USERS_LIST",
    "list_def",
    "owned_columns",
    "SIGNALEN",
]


class Writer(str, Enum):
    """Who writes a column: spsync writes only ``DAEMON`` columns."""

    STAFF = "Staff"
    BEHEER = "Beheer"
    DAEMON = "Daemon"


@dataclass(frozen=True)
class Column:
    """One list column.

    ``type`` is SharePoint's ``TypeAsString``. For ``Lookup`` columns ``lookup_list`` and
    ``lookup_field`` name the target list and its show field; ``User`` columns point at the site
    users (show field ``Title``, plus ``EMail``).
    """

    name: str
    type: str
    writer: Writer
    required: bool = False
    lookup_list: str | None = None
    lookup_field: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.type in ("Lookup", "User")


@dataclass(frozen=True)
class ListDef:
    """A list (or library) of the data model: its key (logical name), default title and columns."""

    key: str
    title: str
    columns: tuple[Column, ...]
    code_column: str | None = None  # the human key shown in findings (ProjectCode, DoelCode, ...)
    is_library: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.key} has no column {name!r}")


S, B, D = Writer.STAFF, Writer.BEHEER, Writer.DAEMON


def _c(name: str, type_: str, writer: Writer, required: bool = False, lookup: str | None = None,
       show: str | None = None) -> Column:
    return Column(name, type_, writer, required, lookup, show)


HOOFDLIJNEN = ListDef("hoofdlijnen", "Hoofdlijnen", (
    _c("Title", "Text", B, True),
    _c("Code", "Text", B, True),
    _c("Volgorde", "Number", B),
    _c("Soort", "Choice", B),
    _c("Planperiode", "Text", B),
), code_column="Code")

PROJECTEN = ListDef("projecten", "Projecten", (
    _c("Title", "Text", S, True),
    _c("ProjectCode", "Text", B, True),
    _c("ProjectType", "Choice", B, True),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title"),
    _c("Planjaar", "Text", B, True),
    _c("Eigenaar", "User", B, True),
    _c("ToegekendeUren", "Number", B),
    _c("Startdatum", "DateTime", B, True),
    _c("Einddatum", "DateTime", B, True),
    _c("Projectstatus", "Choice", S, True),
    _c("Omschrijving", "Note", S),
    _c("BegrootBedrag", "Currency", B),
    _c("WerkelijkeUitgave", "Currency", S),
    _c("BudgetPM", "Boolean", B),
    _c("Subsidieverstrekker", "Text", S),
    _c("GeboekteUren", "Number", D),
    _c("RestUren", "Number", D),
    _c("VerbruikPct", "Number", D),
    _c("UrenStatus", "Choice", D),
    _c("BudgetStatus", "Choice", D),
    _c("OngeldigeBoekingen", "Number", D),
    _c("Controlemelding", "Note", D),
    _c("StatusGewijzigdOp", "DateTime", D),
    _c("UrenSignaalStatus", "Text", D),
), code_column="ProjectCode")

URENREGISTRATIE = ListDef("urenregistratie", "Urenregistratie", (
    _c("Title", "Text", S, True),
    _c("Project", "Lookup", S, True, "Projecten", "ProjectCode"),
    _c("Medewerker", "User", S, True),
    _c("Datum", "DateTime", S, True),
    _c("Uren", "Number", S, True),
    _c("BoekingStatus", "Choice", D),
    _c("Controlemelding", "Text", D),
))

JAARKALENDER = ListDef("jaarkalender", "Jaarkalender", (
    _c("Title", "Text", B, True),
    _c("Documenttype", "Choice", B, True),
    _c("Overleg", "Choice", B, True),
    _c("Bespreekdoel", "Choice", B),
    _c("Planjaar", "Text", B, True),
    _c("PeriodeStart", "DateTime", B, True),
    _c("PeriodeEind", "DateTime", B, True),
    _c("GeplandeDatum", "DateTime", B),
    _c("Eigenaar", "User", B, True),
    _c("BesprokenOp", "DateTime", S),
    _c("BesprokenIn", "Choice", S),
    _c("Vervallen", "Boolean", B),
    _c("Toelichting", "Note", S),
    _c("DocumentLink", "URL", S),
    _c("KalenderStatus", "Choice", D),
    _c("DagenTeLaat", "Number", D),
    _c("GemistGesignaleerdOp", "DateTime", D),
    _c("HerinneringVerzondenOp", "DateTime", D),
    _c("Controlemelding", "Text", D),
))

DOELEN = ListDef("doelen", "Doelen", (
    _c("Title", "Text", B, True),
    _c("DoelCode", "Text", B, True),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title"),
    _c("Planperiode", "Text", B, True),
    _c("Omschrijving", "Note", B),
    _c("DoelStatus", "Choice", D),
    _c("DoelStatusHandmatig", "Choice", B),
), code_column="DoelCode")

ACTIVITEITEN = ListDef("activiteiten", "Activiteiten", (
    _c("Title", "Text", S, True),
    _c("ActiviteitCode", "Text", B, True),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title"),
    _c("Doel", "Lookup", B, False, "Doelen", "DoelCode"),
    _c("Project", "Lookup", B, False, "Projecten", "ProjectCode"),
    _c("Planjaar", "Text", B, True),
    _c("Eigenaar", "User", B),
    _c("Voortgang", "Choice", S, True),
    _c("VoortgangToelichting", "Note", S),
    _c("VoortgangCategorie", "Choice", D),
    _c("CategorieHandmatig", "Choice", B),
    _c("Controlemelding", "Text", D),
), code_column="ActiviteitCode")

INDICATOREN = ListDef("indicatoren", "Indicatoren", (
    _c("Title", "Text", B, True),
    _c("IndicatorCode", "Text", B, True),
    _c("Doel", "Lookup", B, True, "Doelen", "DoelCode"),
    _c("Meeteenheid", "Choice", B, True),
    _c("GewensteRichting", "Choice", B, True),
    _c("Streefwaarde", "Number", B),
    _c("Berekening", "Choice", B, True),
    _c("Nulmeting", "Text", B),
    _c("WaardeHandmatig", "Number", S),
    _c("VoortgangHandmatig", "Choice", S),
    _c("WaardeToelichting", "Note", S),
    _c("Planjaar", "Text", B, True),
    _c("BerekendeWaarde", "Number", D),
    _c("Teller", "Number", D),
    _c("Noemer", "Number", D),
    _c("IndicatorStatus", "Choice", D),
    _c("Definitief", "Boolean", D),
    _c("Controlemelding", "Text", D),
), code_column="IndicatorCode")

#: The document library for the weekly report; its columns are file metadata spsync writes.
LIBRARY = ListDef("rapportages", "MT-rapportages", (
    _c("Title", "Text", D),
    _c("Rapportageweek", "Text", D),
    _c("Controledatum", "DateTime", D),
    _c("Planjaar", "Text", D),
    _c("GegenereerdOp", "DateTime", D),
), is_library=True)

#: Stand-in for the site's user information list; Person columns point here.
USERS_LIST = "User Information List"

#: All registration lists in the order they are read (lookup targets first).
LISTS: tuple[ListDef, ...] = (
    HOOFDLIJNEN, PROJECTEN, URENREGISTRATIE, JAARKALENDER, DOELEN, ACTIVITEITEN, INDICATOREN,
)

_BY_KEY = {d.key: d for d in (*LISTS, LIBRARY)}


def list_def(key: str) -> ListDef:
    """The definition of list ``key`` (e.g. ``"projecten"``)."""
    return _BY_KEY[key]


def owned_columns(key: str) -> tuple[str, ...]:
    """The columns spsync owns (writes) in list ``key``."""
    return tuple(c.name for c in list_def(key).columns if c.writer is Writer.DAEMON)


#: spsync's own list of sent signals (the Signalen channel, spsync.alerts.channels.signalen):
#: one item per digest line, found again by ``Sleutel``. Not in ``LISTS``: the reader and the
#: checks never read it. On a real site ``Sleutel`` must be indexed (it is the ``$filter``).
SIGNALEN = ListDef("signalen", "Signalen", (
    _c("Title", "Text", D, True),
    _c("Sleutel", "Text", D, True),
    _c("Soort", "Choice", D, True),
    _c("Lijst", "Text", D),
    _c("ItemId", "Number", D),
    _c("Verwijzing", "Text", D),
    _c("Eigenaar", "Text", D),
    _c("Ontvanger", "Text", D, True),
    _c("Link", "URL", D),
    _c("Melding", "Note", D),
    _c("Datum", "DateTime", D),
    _c("Bericht", "Text", D),
), extra={"indexed": "Sleutel",
          "choices.Soort": "Gemist;Escalatie;Herinnering;Uren;Budget"})
