"""The SharePoint lists of the data model (../shared/domain/DATA-MODEL.md §2) as plain data.

One place names every list, column, column type and writer, and every fact about a column that
more than one part of spsync needs: the Dutch display name, whether the form requires it, the
choices (from :mod:`spsync.vocabularies`), the lookup target, the index, whether the rules need
the column (``needed``) or its value (``value_needed``). The sandbox loader creates lists from
it, the gateway builds its ``$select``/``$expand`` from it, the write-back uses it to know which
columns spsync owns, the quality rules read their required columns and lookups from it, and
``spsync provision``/``spsync check`` create and compare the site from it. Column keys are the
*logical* internal names of the data model; a site that uses other internal names maps them in
the config (``[columns.<list>]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from spsync import vocabularies as v

__all__ = [
    "Writer",
    "Column",
    "ListDef",
    "LISTS",
    "LIBRARY",
    "USERS_LIST",
    "BUILTIN_COLUMNS",
    "list_def",
    "owned_columns",
    "SIGNALEN",
    "lookup_target",
    "provisioned_lists",
]


class Writer(str, Enum):  # noqa: UP042 - StrEnum would change what str(member) prints
    """Who writes a column: spsync writes only ``DAEMON`` columns."""

    STAFF = "Staff"
    BEHEER = "Beheer"
    DAEMON = "Daemon"


@dataclass(frozen=True)
class Column:
    """One list column.

    ``type`` is SharePoint's ``TypeAsString``. For ``Lookup`` columns ``lookup_list`` and
    ``lookup_field`` name the target list (its default title) and its show field; ``User``
    columns point at the site users (show field ``Title``, plus ``EMail``).

    ``required`` is the SharePoint form's Required flag; ``needed`` means the rules compute
    something else when the column is absent (finding KOLOM_ONTBREEKT), ``value_needed`` that an
    empty value is a finding (VERPLICHT_VELD_LEEG). ``indexed`` columns are filtered on or are
    the show field of lookups; ``unique`` ones enforce unique values (which needs an index).
    """

    name: str
    type: str
    writer: Writer
    required: bool = False
    lookup_list: str | None = None
    lookup_field: str | None = None
    display: str | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None
    indexed: bool = False
    unique: bool = False
    needed: bool = False
    value_needed: bool = False
    date_only: bool = True  # DateTime only: "Date only" versus "Date and time"
    decimals: int | None = None  # Number only
    max_length: int | None = None  # Text only; SharePoint's default is 255

    @property
    def is_reference(self) -> bool:
        return self.type in ("Lookup", "User")

    @property
    def title(self) -> str:
        """The Dutch display name staff see (the internal name when the model gives none)."""
        return self.display or self.name

    @property
    def must_index(self) -> bool:
        return self.indexed or self.unique


@dataclass(frozen=True)
class ListDef:
    """A list (or library) of the data model: its key (logical name), default title and columns."""

    key: str
    title: str
    columns: tuple[Column, ...]
    code_column: str | None = None  # the human key shown in findings (ProjectCode, DoelCode, ...)
    is_library: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Column facts given as ``extra`` strings (``"indexed"``: comma-separated column names,
        ``"choices.<column>"``: values separated by ``;``) become facts of the columns, so the
        loader, provisioning and the checks all see them in one place."""
        indexed = {n.strip() for n in self.extra.get("indexed", "").split(",") if n.strip()}
        if not indexed and not any(k.startswith("choices.") for k in self.extra):
            return
        columns = []
        for col in self.columns:
            facts: dict[str, object] = {}
            if col.name in indexed and not col.indexed:
                facts["indexed"] = True
            raw = self.extra.get(f"choices.{col.name}")
            if raw and not col.choices:
                facts["choices"] = tuple(v.strip() for v in raw.split(";") if v.strip())
            columns.append(replace(col, **facts) if facts else col)  # type: ignore[arg-type]
        object.__setattr__(self, "columns", tuple(columns))

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.key} has no column {name!r}")


S, B, D = Writer.STAFF, Writer.BEHEER, Writer.DAEMON


def _c(name: str, type_: str, writer: Writer, required: bool = False, lookup: str | None = None,
       show: str | None = None, **facts: object) -> Column:
    return Column(name, type_, writer, required, lookup, show, **facts)  # type: ignore[arg-type]


N, NV = {"needed": True}, {"needed": True, "value_needed": True}
IDX, UNIQUE = {"indexed": True}, {"unique": True}

HOOFDLIJNEN = ListDef("hoofdlijnen", "Hoofdlijnen", (
    _c("Title", "Text", B, True, display="Hoofdlijn", **NV, **IDX),  # lookups show it
    _c("Code", "Text", B, True, value_needed=True, **UNIQUE),
    _c("Volgorde", "Number", B, decimals=0),
    _c("Soort", "Choice", B, choices=v.HOOFDLIJN_SOORTEN),
    _c("Planperiode", "Text", B),
), code_column="Code")

PROJECTEN = ListDef("projecten", "Projecten", (
    _c("Title", "Text", S, True, display="Projectnaam", value_needed=True),
    _c("ProjectCode", "Text", B, True, display="Projectcode", **NV, **UNIQUE),
    _c("ProjectType", "Choice", B, True, display="Type", choices=v.PROJECT_TYPES, **NV),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title", **NV),
    _c("Planjaar", "Text", B, True, **N),
    _c("Eigenaar", "User", B, True, **NV),
    _c("ToegekendeUren", "Number", B, display="Toegekende uren", decimals=1, **N),
    _c("Startdatum", "DateTime", B, True, **NV),
    _c("Einddatum", "DateTime", B, True, **NV),
    _c("Projectstatus", "Choice", S, True, choices=v.PROJECT_STATUSES, default=v.LOPEND, **NV),
    _c("Omschrijving", "Note", S),
    _c("BegrootBedrag", "Currency", B, display="Begroot bedrag", **N),
    _c("WerkelijkeUitgave", "Currency", S, display="Werkelijke uitgave", **N),
    _c("BudgetPM", "Boolean", B, display="Bedrag p.m.", **N),
    _c("Subsidieverstrekker", "Text", S),
    _c("GeboekteUren", "Number", D, display="Geboekte uren", decimals=2),
    _c("RestUren", "Number", D, display="Resterende uren", decimals=2),
    _c("VerbruikPct", "Number", D, display="Verbruik %", decimals=1),
    _c("UrenStatus", "Choice", D, display="Urenstatus", choices=v.UREN_STATUSES),
    _c("BudgetStatus", "Choice", D, display="Budgetstatus", choices=v.BUDGET_STATUSES),
    _c("OngeldigeBoekingen", "Number", D, display="Ongeldige boekingen", decimals=0),
    _c("Controlemelding", "Note", D),
    _c("StatusGewijzigdOp", "DateTime", D, display="Status gewijzigd op", date_only=False),
    _c("UrenSignaalStatus", "Text", D, display="Uren gesignaleerd"),
), code_column="ProjectCode")

URENREGISTRATIE = ListDef("urenregistratie", "Urenregistratie", (
    _c("Title", "Text", S, True, display="Omschrijving"),
    _c("Project", "Lookup", S, True, "Projecten", "ProjectCode", **N, **IDX),
    _c("Medewerker", "User", S, True),
    _c("Datum", "DateTime", S, True, **N, **IDX),
    _c("Uren", "Number", S, True, decimals=2, **N),
    _c("BoekingStatus", "Choice", D, display="Boekingsstatus", choices=v.BOEKING_STATUSES, **IDX),
    _c("Controlemelding", "Text", D, max_length=255),
))

JAARKALENDER = ListDef("jaarkalender", "Jaarkalender", (
    _c("Title", "Text", B, True, display="Document", **NV),
    _c("Documenttype", "Choice", B, True, choices=v.DOCUMENT_TYPES, **NV),
    _c("Overleg", "Choice", B, True, choices=v.OVERLEGGEN, **N),
    _c("Bespreekdoel", "Choice", B, choices=v.BESPREEKDOELEN),
    _c("Planjaar", "Text", B, True, **N),
    _c("PeriodeStart", "DateTime", B, True, display="Periode van", **N),
    _c("PeriodeEind", "DateTime", B, True, display="Periode t/m (deadline)", **N),
    _c("GeplandeDatum", "DateTime", B, display="Geplande vergaderdatum"),
    _c("Eigenaar", "User", B, True, **NV),
    _c("BesprokenOp", "DateTime", S, display="Besproken op", **N),
    _c("BesprokenIn", "Choice", S, display="Besproken in overleg", choices=v.OVERLEGGEN, **N),
    _c("Vervallen", "Boolean", B, default="0", **N),
    _c("Toelichting", "Note", S),
    _c("DocumentLink", "URL", S, display="Link naar document"),
    _c("KalenderStatus", "Choice", D, display="Kalenderstatus", choices=v.KALENDER_STATUSES),
    _c("DagenTeLaat", "Number", D, display="Dagen te laat", decimals=0),
    _c("GemistGesignaleerdOp", "DateTime", D, display="Gemist gesignaleerd op",
       date_only=False),
    _c("HerinneringVerzondenOp", "DateTime", D, display="Herinnering verzonden op",
       date_only=False),
    _c("Controlemelding", "Text", D, max_length=255),
))

DOELEN = ListDef("doelen", "Doelen", (
    _c("Title", "Text", B, True, display="Doel"),
    _c("DoelCode", "Text", B, True, display="Doelcode", **NV, **UNIQUE),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title", value_needed=True),
    _c("Planperiode", "Text", B, True),
    _c("Omschrijving", "Note", B),
    _c("DoelStatus", "Choice", D, display="Doelstatus", choices=v.DOEL_STATUSES),
    _c("DoelStatusHandmatig", "Choice", B, display="Doelstatus (handmatig)",
       choices=v.DOEL_STATUSES),
), code_column="DoelCode")

ACTIVITEITEN = ListDef("activiteiten", "Activiteiten", (
    _c("Title", "Text", S, True, display="Activiteit"),
    _c("ActiviteitCode", "Text", B, True, display="Activiteitcode", **NV, **UNIQUE),
    _c("Hoofdlijn", "Lookup", B, True, "Hoofdlijnen", "Title", value_needed=True),
    _c("Doel", "Lookup", B, False, "Doelen", "DoelCode"),
    _c("Project", "Lookup", B, False, "Projecten", "ProjectCode"),
    _c("Planjaar", "Text", B, True, **N),
    _c("Eigenaar", "User", B),
    _c("Voortgang", "Choice", S, True, choices=v.VOORTGANG, default=v.NOG_NIET_GESTART, **N),
    _c("VoortgangToelichting", "Note", S, display="Toelichting voortgang"),
    _c("VoortgangCategorie", "Choice", D, display="Voortgangscategorie",
       choices=v.VOORTGANG_CATEGORIEEN),
    _c("CategorieHandmatig", "Choice", B, display="Categorie (handmatig)",
       choices=v.VOORTGANG_CATEGORIEEN),
    _c("Controlemelding", "Text", D, max_length=255),
), code_column="ActiviteitCode")

INDICATOREN = ListDef("indicatoren", "Indicatoren", (
    _c("Title", "Text", B, True, display="Indicator"),
    _c("IndicatorCode", "Text", B, True, display="Indicatorcode", **NV, **UNIQUE),
    _c("Doel", "Lookup", B, True, "Doelen", "DoelCode", **NV),
    _c("Meeteenheid", "Choice", B, True, choices=v.MEETEENHEDEN),
    _c("GewensteRichting", "Choice", B, True, display="Gewenste richting",
       choices=v.GEWENSTE_RICHTINGEN, **N),
    _c("Streefwaarde", "Number", B, **N),
    _c("Berekening", "Choice", B, True, choices=v.BEREKENINGEN, **NV),
    _c("Nulmeting", "Text", B, **N),
    _c("WaardeHandmatig", "Number", S, display="Waarde (handmatig)", **N),
    _c("VoortgangHandmatig", "Choice", S, display="Voortgang (handmatig)",
       choices=v.VOORTGANG_HANDMATIG, **N),
    _c("WaardeToelichting", "Note", S, display="Toelichting"),
    _c("Planjaar", "Text", B, True, **N),
    _c("BerekendeWaarde", "Number", D, display="Berekende waarde", decimals=1),
    _c("Teller", "Number", D, decimals=0),
    _c("Noemer", "Number", D, decimals=0),
    _c("IndicatorStatus", "Choice", D, display="Indicatorstatus", choices=v.INDICATOR_STATUSES),
    _c("Definitief", "Boolean", D),
    _c("Controlemelding", "Text", D, max_length=255),
), code_column="IndicatorCode")

#: The document library for the weekly report; its columns are file metadata spsync writes.
LIBRARY = ListDef("rapportages", "MT-rapportages", (
    _c("Title", "Text", D),
    _c("Rapportageweek", "Text", D),
    _c("Controledatum", "DateTime", D),
    _c("Planjaar", "Text", D),
    _c("GegenereerdOp", "DateTime", D, display="Gegenereerd op", date_only=False),
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


#: Columns every list or library has from its creation; provisioning never creates them.
BUILTIN_COLUMNS = frozenset({"Title"})


def lookup_target(column: Column) -> ListDef:
    """The list a Lookup column points at (``lookup_list`` holds its default title)."""
    for definition in _BY_KEY.values():
        if definition.title == column.lookup_list:
            return definition
    raise KeyError(f"no list titled {column.lookup_list!r}")


def provisioned_lists() -> tuple[ListDef, ...]:
    """What ``spsync provision`` creates: the lists, the library and the Signalen list when the
    data model has one (lookup targets first)."""
    signalen = globals().get("SIGNALEN")
    return (*LISTS, LIBRARY, *((signalen,) if isinstance(signalen, ListDef) else ()))
