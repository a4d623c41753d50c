"""All finding codes with their Dutch sentence templates (DATA-MODEL §5.1), in one table.

Rules call :func:`finding` with a code and the template's fields; nothing else builds messages,
so the report's "Datakwaliteit" section and ``Controlemelding`` always say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

from .result import Finding

__all__ = ["BOOKING_CODES", "TEMPLATES", "controlemelding", "finding", "meldingcodes", "utf16_len"]

#: code -> Dutch template. Fields in braces are filled by the rule that raises the code.
TEMPLATES: dict[str, str] = {
    # §5.2 booking validity, in the order of the table (also the order they are listed in)
    "PROJECT_LEEG": "Project ontbreekt.",
    "PROJECT_ONBEKEND": "Project {wat} bestaat niet (meer) in de lijst Projecten.",
    "UREN_LEEG": "Uren ontbreken.",
    "UREN_ONLEESBAAR": "Uren '{waarde}' is geen getal.",
    "UREN_NEGATIEF": "Uren is negatief ({waarde}).",
    "UREN_NUL": "Uren is 0.",
    "UREN_TE_HOOG": "Meer dan 24 uur op één dag ({waarde}).",
    "DATUM_LEEG": "Datum ontbreekt.",
    "DATUM_ONGELDIG": "Datum '{waarde}' is geen geldige datum.",
    "DATUM_BUITEN_PLANJAAR": "Datum {datum} valt buiten {planjaar}.",
    "DATUM_IN_TOEKOMST": "Datum {datum} ligt na de controledatum.",
    # §5.3 hours
    "GEEN_UREN_TOEGEKEND": (
        "Er is {geboekt} uur geboekt, maar er zijn geen uren toegekend; het project telt niet "
        "mee in 'projecten binnen uren'."
    ),
    # §5.5 jaarkalender
    "KALENDER_ONVOLLEDIG": (
        "De regel is onvolledig ({reden}); de status is Onvolledig en de regel telt niet mee."
    ),
    "BESPROKEN_IN_TOEKOMST": (
        "Besproken op {datum} ligt na de controledatum; de regel telt als nog niet besproken."
    ),
    # §5.0 / §5.6 / §5.7 progress values
    "ONBEKENDE_VOORTGANG": "Onbekende voortgang '{waarde}'; de regel telt niet mee in percentages.",
    "VOORTGANG_LEEG": "Voortgang ontbreekt; de regel telt niet mee in percentages.",
    # table-level data quality
    "LIJST_ONTBREEKT": "Lijst '{lijst}' ontbreekt op de site; {gevolg}.",
    "LIJST_LEEG": "Lijst '{lijst}' bevat geen items.",
    "VEILIGHEIDSSTOP": "{melding}.",
    "KOLOM_ONTBREEKT": "Kolom '{kolom}' ontbreekt in de lijst '{lijst}'.",
    "DUBBELE_CODE": (
        "{kolom} '{waarde}' komt {aantal} keer voor in de lijst {lijst} (items {items})."
    ),
    "VERPLICHT_VELD_LEEG": "{kolom} is niet ingevuld.",
    "PERSOON_ZONDER_EMAIL": (
        "{kolom} '{naam}' heeft geen e-mailadres; meldingen aan deze persoon kunnen niet worden "
        "verstuurd."
    ),
    "LOOKUP_ONBEKEND": "{kolom} {wat} bestaat niet (meer) in de lijst {lijst}.",
    "ONBEKENDE_KEUZEWAARDE": (
        "{kolom} '{waarde}' is geen toegestane waarde; de waarde is genegeerd."
    ),
    "ONGELDIG_GETAL": "{kolom} '{waarde}' is {reden}; de waarde is genegeerd.",
    "ONGELDIGE_DATUM": "{kolom} '{waarde}' is geen geldige datum; de waarde is genegeerd.",
    "ONGELDIGE_JANEE": "{kolom} '{waarde}' is geen Ja/Nee-waarde; gelezen als Nee.",
    "PLANJAAR_ONGELDIG": "Planjaar '{waarde}' is geen geldig {soort} (bijvoorbeeld '{voorbeeld}').",
}

#: The §5.2 codes: any of them makes a booking Ongeldig. Order = the order they are listed in.
BOOKING_CODES: tuple[str, ...] = (
    "PROJECT_LEEG", "PROJECT_ONBEKEND", "UREN_LEEG", "UREN_ONLEESBAAR", "UREN_NEGATIEF",
    "UREN_NUL", "UREN_TE_HOOG", "DATUM_LEEG", "DATUM_ONGELDIG", "DATUM_BUITEN_PLANJAAR",
    "DATUM_IN_TOEKOMST",
)


def finding(list_key: str, item_id: int | None, ref: str, code: str, **fields: object) -> Finding:
    """A Finding with the Dutch sentence of ``code`` filled in."""
    return Finding(list_key, item_id, ref, code, TEMPLATES[code].format(**fields))


def controlemelding(findings: Iterable[Finding], max_len: int | None = None) -> str | None:
    """The ``Controlemelding`` text: 'CODE: zin' per finding, one per line; None when none.

    ``max_len`` (255 for Text columns) cuts the text and ends it with '…' so a long list of
    findings never makes the write fail. SharePoint counts UTF-16 code units, not code points:
    an emoji in a quoted value counts twice.
    """
    lines = [f"{f.code}: {f.message}" for f in findings]
    if not lines:
        return None
    text = "\n".join(lines)
    if max_len is not None and utf16_len(text) > max_len:
        text = text[: max_len - 1]
        while utf16_len(text) > max_len - 1:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text


def utf16_len(text: str) -> int:
    """Length as SharePoint counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def meldingcodes(findings: Iterable[Finding]) -> str | None:
    """The codes of a row, ';'-joined in the order raised (report/test helper); None when none."""
    codes = [f.code for f in findings]
    return ";".join(codes) if codes else None
