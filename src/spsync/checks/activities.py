"""§5.7: activity category (``VoortgangCategorie``) from the normalised Voortgang (§5.0)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import finding
from .frames import ListInput
from .normalise import EMPTY, INVALID, parse_choice
from .planjaar import parse_planjaar
from .result import Finding
from .settings import CheckSettings
from .vocab import (
    AFGEROND,
    AFGEROND_NIET_HAALBAAR,
    BEHAALD_V,
    DEELS_BEHAALD,
    DEELS_BEHAALD_MEE_BEZIG,
    MEE_BEZIG,
    NIET_BEGONNEN,
    NIET_BEHAALD_MEE_BEZIG,
    NIET_BEHAALD_V,
    NOG_NIET_GESTART,
    UITGEVOERD,
    VOORTGANG,
    VOORTGANG_CATEGORIEEN,
)

__all__ = ["CATEGORIE_TABLE", "Activity", "categorie", "compute_activities"]

#: §5.7: Voortgang (normalised) -> VoortgangCategorie.
CATEGORIE_TABLE: tuple[tuple[tuple[str, ...], str], ...] = (
    ((AFGEROND, BEHAALD_V), UITGEVOERD),
    ((DEELS_BEHAALD, DEELS_BEHAALD_MEE_BEZIG, NIET_BEHAALD_MEE_BEZIG), MEE_BEZIG),
    ((NIET_BEHAALD_V, AFGEROND_NIET_HAALBAAR, NOG_NIET_GESTART), NIET_BEGONNEN),
)


def categorie(voortgang: str | None) -> str | None:
    """The category of a canonical V10 value; None for anything else."""
    for values, cat in CATEGORIE_TABLE:
        if voortgang in values:
            return cat
    return None


@dataclass
class Activity:
    """One Activiteiten row after §5.7."""

    item_id: int | None
    ref: str
    planjaar: str | None
    voortgang: str | None  # canonical V10 value, None if empty/unknown
    categorie: str | None  # derived: the Daemon column VoortgangCategorie
    categorie_rapport: str | None  # CategorieHandmatig where set, else derived (report, §5.6)
    findings: list[Finding] = field(default_factory=list)


def compute_activities(acts: ListInput, settings: CheckSettings) -> list[Activity]:
    """Category per activity; an empty or unknown Voortgang gives a finding and no category."""
    out = []
    for item_id, ref, pj, parsed, manual in zip(
            acts.ids, acts.refs, acts.parsed("Planjaar", parse_planjaar, settings.planjaar_mode),
            acts.parsed("Voortgang", parse_choice, VOORTGANG),
            acts.parsed("CategorieHandmatig", parse_choice, VOORTGANG_CATEGORIEEN)):
        found = []
        if parsed.state == EMPTY:
            found.append(finding("activiteiten", item_id, ref, "VOORTGANG_LEEG"))
        elif parsed.state == INVALID:
            found.append(finding("activiteiten", item_id, ref, "ONBEKENDE_VOORTGANG",
                                 waarde=parsed.shown))
        derived = categorie(parsed.value)
        # assumption: CategorieHandmatig overrides the derived category in the report
        out.append(Activity(item_id, ref, pj, parsed.value, derived, manual.value or derived,
                            found))
    return out
