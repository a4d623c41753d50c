"""What the checks return: plain frames and findings, consumed by the write-back and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .records import Records

__all__ = ["CheckResult", "Finding"]


@dataclass(frozen=True)
class Finding:
    """One data-quality finding (DATA-MODEL §5.1): a code, a Dutch sentence and where it is.

    ``list_key`` is the schema key ("urenregistratie"), ``item_id`` the SharePoint item ID (None
    for findings about a whole list or column), ``ref`` a human reference used in the report
    ("ID 166", "P-2526-04", "Jaarkalender 24").
    """

    list_key: str
    item_id: int | None
    ref: str
    code: str
    message: str


@dataclass
class CheckResult:
    """The outcome of all rules for one controledatum.

    Each frame is the input frame of that list (index = item ID, column ``ID`` kept) with the
    Daemon columns of DATA-MODEL §2 added, holding the exact values to write: statuses as the Dutch
    strings of §3, numbers rounded as the model says (float, or None when empty), and
    ``Controlemelding`` as the findings of that row, one per line (None when there are none).
    The frames feed the write-back; ``records`` holds the same decisions typed, for readers.
    """

    controledatum: date
    planjaar: str
    hoofdlijnen: pd.DataFrame
    projecten: pd.DataFrame
    urenregistratie: pd.DataFrame
    jaarkalender: pd.DataFrame
    doelen: pd.DataFrame
    activiteiten: pd.DataFrame
    indicatoren: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    #: The typed, frozen per-row results (:mod:`.records`): what reports and alerts read.
    records: Records = field(default_factory=lambda: _empty_records())


def _empty_records() -> Records:
    """No records (a hand-built result); imported late: records imports the rule modules."""
    from .records import Records

    return Records()
