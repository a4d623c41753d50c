"""The input of the checks: one DataFrame per list, in one documented shape.

Frame convention (built by :mod:`spsync.reader` from SharePoint items, or from demo CSVs in tests):

- index = the SharePoint item ID, and a column ``ID`` (int) with the same value;
- a plain column holds the raw value as read: str, float, int, bool or None. Staff data is not
  trusted: a Number column may hold text ("twee", "1,5"), a DateTime column junk ("2026-02-30");
- a DateTime column holds SharePoint's string, normally the UTC instant of local midnight
  ("2026-03-09T23:00:00Z" is 10 March in Europe/Amsterdam); a plain "YYYY-MM-DD" is a local date;
- a Lookup column ``X`` holds the target's show value (e.g. the ProjectCode) or None, and ``XId``
  the target item ID or None. A lookup to a deleted item has ``XId`` set and ``X`` None.
  Frames built from CSV have no ``XId``: the show value is then the only key;
- a User column ``X`` holds the person's display name (``Title``), ``XEMail`` the e-mail or None,
  ``XId`` the user ID;
- a column missing on the site is absent from the frame; a list missing on the site is None.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

__all__ = ["Tables"]


@dataclass
class Tables:
    """All registration lists of one run. A list that does not exist on the site is None."""

    hoofdlijnen: pd.DataFrame | None = None
    projecten: pd.DataFrame | None = None
    urenregistratie: pd.DataFrame | None = None
    jaarkalender: pd.DataFrame | None = None
    doelen: pd.DataFrame | None = None
    activiteiten: pd.DataFrame | None = None
    indicatoren: pd.DataFrame | None = None

    def items(self) -> list[tuple[str, pd.DataFrame | None]]:
        """(list key, frame) pairs in read order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]
