"""Alerts and changes for the state tests."""

from __future__ import annotations

from datetime import date

from spsync.alerts.model import Alert, AlertLine, Recipient

OWNER = Recipient("p.jansen@swv-almere.nl", "Pieter Jansen")
MT = Recipient("mt@swv-almere.nl", "MT")


def line(kind: str = "uren", list_key: str = "projecten", item_id: int = 4,
         status: str = "Overschreden", when: date | None = date(2026, 5, 1)) -> AlertLine:
    return AlertLine(
        kind=kind,  # type: ignore[arg-type]
        dedupe_key=f"{kind}|{list_key}|{item_id}|{status}",
        list_key=list_key, item_id=item_id, ref=f"SUB-2526-{item_id:02d}",
        title=f"Project {item_id} – ‘ondersteuning’ & <zorg>", owner="Pieter Jansen",
        date_label="deadline 01-05-2026", date=when, figure="262,5 van 240 uur",
        link=f"https://contoso.sharepoint.com/sites/swv/Lists/Projecten/DispForm.aspx?ID={item_id}",
        action="Bespreek met de projectleider of de uren worden bijgesteld.")


def alert(recipient: Recipient = OWNER, channel: str = "email", **kw) -> Alert:
    return Alert(line(**kw), recipient, channel)
