"""The status vocabularies of DATA-MODEL §3, as the exact Dutch strings SharePoint stores.

One place for every value staff or the report read, so a typo cannot hide in a rule module. Plain
constants without imports: :mod:`spsync.schema` gives them to its Choice columns (provisioning
creates the choices from them) and :mod:`spsync.checks.vocab` re-exports them for the rules.
"""

from __future__ import annotations

__all__ = [
    "AANWEZIG",
    "ACTIVITEITEN_UITGEVOERD",
    "AFGEROND",
    "AFGEROND_NIET_HAALBAAR",
    "ANDER_OVERLEG",
    "BEHAALD",
    "BEHAALD_V",
    "BEREKENINGEN",
    "BESPREEKDOELEN",
    "BINNENKORT",
    "BINNEN_BUDGET",
    "BINNEN_UREN",
    "BLIJFT_GELIJK",
    "BOEKING_STATUSES",
    "BUDGET_STATUSES",
    "DEELS_BEHAALD",
    "DEELS_BEHAALD_MEE_BEZIG",
    "DOCUMENT_TYPES",
    "DOEL_STATUSES",
    "GEEN_BUDGET_PM",
    "GEEN_UREN",
    "GEMIST",
    "GEPLAND",
    "GEPLAND_PROJECT",
    "GESTOPT",
    "GEWENSTE_RICHTINGEN",
    "HANDMATIG",
    "HOOFDLIJN_SOORTEN",
    "INDICATOR_STATUSES",
    "IN_BESPREEKPERIODE",
    "JAARKALENDER_VOLGENS_PLAN",
    "KALENDER_STATUSES",
    "LOPEND",
    "MANAGEMENTRAPPORTAGE",
    "MEETEENHEDEN",
    "MEE_BEZIG",
    "MT_RAPPORTAGE_BESPROKEN",
    "NEEMT_AF",
    "NEEMT_TOE",
    "NIET_AFGEROND",
    "NIET_BEGONNEN",
    "NIET_BEHAALD",
    "NIET_BEHAALD_MEE_BEZIG",
    "NIET_BEHAALD_V",
    "NIET_OP_KOERS",
    "NIET_VAN_TOEPASSING",
    "NOG_NIET_GESTART",
    "NOG_NIET_MEETBAAR",
    "NULMETING",
    "ONGELDIG",
    "ONVOLLEDIG",
    "OP_KOERS",
    "OVERLEGGEN",
    "OVERSCHREDEN",
    "PROJECT",
    "PROJECTEN_BINNEN_UREN",
    "PROJECT_STATUSES",
    "PROJECT_TYPES",
    "RISICO",
    "STREEFWAARDE",
    "STRUCTURELE_ACTIVITEIT",
    "SUBSIDIEPROJECT",
    "TE_LAAT",
    "TE_VROEG",
    "UITGEVOERD",
    "UREN_STATUSES",
    "VERVALLEN",
    "VOLGENS_JAARKALENDER",
    "VOORTGANG",
    "VOORTGANG_CATEGORIEEN",
    "VOORTGANG_HANDMATIG",
]

# V1 ProjectType
PROJECT = "Project"
STRUCTURELE_ACTIVITEIT = "Structurele activiteit"
SUBSIDIEPROJECT = "Subsidieproject"
PROJECT_TYPES = (PROJECT, STRUCTURELE_ACTIVITEIT, SUBSIDIEPROJECT)

# V2 Projectstatus
GEPLAND_PROJECT = "Gepland"
LOPEND = "Lopend"
AFGEROND = "Afgerond"
GESTOPT = "Gestopt"
PROJECT_STATUSES = (GEPLAND_PROJECT, LOPEND, AFGEROND, GESTOPT)

# V3 UrenStatus
BINNEN_UREN = "Binnen uren"
RISICO = "Risico op overschrijding"
OVERSCHREDEN = "Overschreden"  # also a V4 value
GEEN_UREN = "Geen uren toegekend"
UREN_STATUSES = (BINNEN_UREN, RISICO, OVERSCHREDEN, GEEN_UREN)

# V4 BudgetStatus
BINNEN_BUDGET = "Binnen budget"
GEEN_BUDGET_PM = "Geen budget (p.m.)"
NIET_VAN_TOEPASSING = "Niet van toepassing"
BUDGET_STATUSES = (BINNEN_BUDGET, OVERSCHREDEN, GEEN_BUDGET_PM, NIET_VAN_TOEPASSING)

# V5 BoekingStatus (empty = geldig)
ONGELDIG = "Ongeldig"
BOEKING_STATUSES = (ONGELDIG,)

# V6 Documenttype
MANAGEMENTRAPPORTAGE = "Managementrapportage"
DOCUMENT_TYPES = (
    "Begroting", "Jaarrekening", "Bestuursverslag", "Jaarplan", "Evaluatie jaarplan",
    "Ondersteuningsplan", "Evaluatie ondersteuningsplan", MANAGEMENTRAPPORTAGE,
    "Kwartaalrapportage", "Subsidieverantwoording", "Beleidsdocument", "Overig",
)

# V7 Overleg / BesprokenIn
OVERLEGGEN = (
    "MT", "ALV", "Ledenraad", "Auditcommissie", "OPR", "OOGO", "BOJ", "Directeur-bestuurder",
    "Deelnemersraad", "Overig",
)

# V8 Bespreekdoel
BESPREEKDOELEN = (
    "Ter informatie", "Ter bespreking", "Ter advisering", "Ter instemming", "Ter goedkeuring",
    "Ter vaststelling", "Ter overeenstemming",
)

# V9 KalenderStatus
GEPLAND = "Gepland"
BINNENKORT = "Binnenkort"
IN_BESPREEKPERIODE = "In bespreekperiode"
VOLGENS_JAARKALENDER = "Besproken volgens jaarkalender"
TE_LAAT = "Te laat besproken"
TE_VROEG = "Te vroeg besproken"
ANDER_OVERLEG = "Besproken in ander overleg"
GEMIST = "Gemist"
VERVALLEN = "Vervallen"
ONVOLLEDIG = "Onvolledig"
KALENDER_STATUSES = (
    GEPLAND, BINNENKORT, IN_BESPREEKPERIODE, VOLGENS_JAARKALENDER, TE_LAAT, TE_VROEG,
    ANDER_OVERLEG, GEMIST, VERVALLEN, ONVOLLEDIG,
)

# V10 Voortgang (activity)
NOG_NIET_GESTART = "Nog niet gestart"
BEHAALD_V = "Behaald"
DEELS_BEHAALD = "Deels behaald"
DEELS_BEHAALD_MEE_BEZIG = "Deels behaald, mee bezig"
NIET_BEHAALD_V = "Niet behaald"
NIET_BEHAALD_MEE_BEZIG = "Niet behaald, mee bezig"
AFGEROND_NIET_HAALBAAR = "Afgerond, niet haalbaar"
VOORTGANG = (
    NOG_NIET_GESTART, AFGEROND, BEHAALD_V, DEELS_BEHAALD, DEELS_BEHAALD_MEE_BEZIG, NIET_BEHAALD_V,
    NIET_BEHAALD_MEE_BEZIG, AFGEROND_NIET_HAALBAAR,
)

# V11 VoortgangCategorie
UITGEVOERD = "Uitgevoerd"
MEE_BEZIG = "Mee bezig"
NIET_BEGONNEN = "Niet begonnen of niet haalbaar"
VOORTGANG_CATEGORIEEN = (UITGEVOERD, MEE_BEZIG, NIET_BEGONNEN)

# V12 VoortgangHandmatig (indicator)
NEEMT_TOE = "Neemt toe"
NEEMT_AF = "Neemt af"
BLIJFT_GELIJK = "Blijft gelijk"
NIET_AFGEROND = "Niet afgerond"
NULMETING = "0-meting"
VOORTGANG_HANDMATIG = (
    NEEMT_TOE, NEEMT_AF, BLIJFT_GELIJK, AFGEROND, NIET_AFGEROND, AFGEROND_NIET_HAALBAAR, NULMETING,
)

# V13 IndicatorStatus
BEHAALD = "Behaald"
NIET_BEHAALD = "Niet behaald"
NOG_NIET_MEETBAAR = "Nog niet meetbaar"
INDICATOR_STATUSES = (BEHAALD, NIET_BEHAALD, NOG_NIET_MEETBAAR)

# V14 DoelStatus
OP_KOERS = "Op koers"
NIET_OP_KOERS = "Niet op koers"
DOEL_STATUSES = (OP_KOERS, NIET_OP_KOERS, NOG_NIET_MEETBAAR)

# §2.7 Indicatoren choices
MEETEENHEDEN = ("Percentage", "Aantal", "Weken", "Aanwezigheid")
AANWEZIG = "Aanwezig"
STREEFWAARDE = "Streefwaarde"
GEWENSTE_RICHTINGEN = (NEEMT_TOE, NEEMT_AF, AANWEZIG, STREEFWAARDE)
HANDMATIG = "Handmatig"
PROJECTEN_BINNEN_UREN = "PROJECTEN_BINNEN_UREN"
JAARKALENDER_VOLGENS_PLAN = "JAARKALENDER_VOLGENS_PLAN"
ACTIVITEITEN_UITGEVOERD = "ACTIVITEITEN_UITGEVOERD"
MT_RAPPORTAGE_BESPROKEN = "MT_RAPPORTAGE_BESPROKEN"
BEREKENINGEN = (
    HANDMATIG, PROJECTEN_BINNEN_UREN, JAARKALENDER_VOLGENS_PLAN, ACTIVITEITEN_UITGEVOERD,
    MT_RAPPORTAGE_BESPROKEN,
)

# §2.1 Hoofdlijnen.Soort
HOOFDLIJN_SOORTEN = ("Hoofdlijn", "Speerpunt")
