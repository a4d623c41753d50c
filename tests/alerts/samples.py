"""Sample digests for the digest and channel tests: realistic lines plus hostile item text."""

from __future__ import annotations

from datetime import date

from spsync.alerts.model import AlertLine, Digest, Recipient

SITE = "http://127.0.0.1:8765/sites/spsync"
#: Item text that must come out literally everywhere: markup, template code, entities, emoji,
#: a line break, Markdown.
HOSTILE = "R&D <script>alert('x')</script> {{ 7*7 }} {% raw %} **vet** [klik](http://evil) 🎉\nregel 2"


def line(kind: str = "gemist", item_id: int = 14, *, title: str = "Voortgangsrapportage dekkend "
         "netwerk", list_key: str = "jaarkalender", ref: str | None = None,
         figure: str | None = None, status: str = "2026-02-15", link: str | None = None,
         action: str = "Zet het document op de agenda van het eerstvolgende OPR.") -> AlertLine:
    form = "Jaarkalender" if list_key == "jaarkalender" else "Projecten"
    return AlertLine(
        kind=kind,  # type: ignore[arg-type]
        dedupe_key=f"{kind}|{list_key}|{item_id}|{status}", list_key=list_key, item_id=item_id,
        ref=ref or f"Jaarkalender {item_id}", title=title, owner="Teamleider toeleiding",
        date_label="deadline 15-02-2026", date=date(2026, 2, 15), figure=figure,
        link=link or f"{SITE}/Lists/{form}/DispForm.aspx?ID={item_id}", action=action)


def digest(*lines: AlertLine, channel: str = "smtp", address: str = "teamleider@swv.test",
           name: str = "Teamleider toeleiding", message_id: str = "<spsync-r7-abc123@swv.test>",
           organisation: str = "Passend Onderwijs Almere") -> Digest:
    if not lines:
        lines = (line(), line("uren", 4, title="Samenwerking onderwijs-jeugdhulp",
                              list_key="projecten", ref="P-2526-04", figure="262,5 van 240 uur",
                              status="Overschreden", action="Bespreek met het MT of er uren bij "
                              "moeten of dat het project wordt afgeschaald."))
    return Digest(recipient=Recipient(address, name), channel=channel, lines=tuple(lines),
                  message_id=message_id, organisation=organisation, run_id=7)


def hostile_digest(**kwargs: object) -> Digest:
    return digest(line(title=HOSTILE, action=HOSTILE), **kwargs)  # type: ignore[arg-type]
