"""Builds the default MT-rapportage template (.docx with docxtpl tags) with python-docx.

The generated file is a starting point: staff open it in Word and change styles, texts, logo and
column order; the code only fills the tags. Regenerate with ``scripts/make_template.py``.
Order follows what an MT member asks first: how are we doing (samenvatting), where do the hours
go (projecten, prognose), what is overdue (jaarkalender), goals, and last what to fix in the data.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from spsync.report.docx_blocks import Col, footer, heading, para, setup, table, tag

__all__ = ["Col", "build_template"]


def _status_table(doc: Document, first: str, loop: str) -> None:
    table(doc, [Col(first, "{{ s.status }}", 70), Col("Aantal", "{{ s.aantal }}", 20, True)],
          f"s in {loop}")


def _voorblad(doc: Document) -> None:
    para(doc, "{{ titel }}", "Title")
    para(doc, "{{ organisatie }} – {{ planjaar }}", size=12)
    para(doc, "Controledatum {{ controledatum }} · gegenereerd op {{ gegenereerd_op }}",
         grey=True, size=9)
    tag(doc, "{%p if tussenstand %}")
    para(doc, "{{ tussenstand_tekst }}", italic=True)
    tag(doc, "{%p endif %}")


def _samenvatting(doc: Document) -> None:
    heading(doc, "Samenvatting", 1)
    table(doc, [
        Col("Kerncijfer", "{{ k.naam }}", 60),
        Col("Waarde", "{{ k.waarde }}", 20, True),
        Col("Basis", "{{ k.teller_noemer }}", 22, True),
        Col("Streefwaarde", "{{ k.streefwaarde }}", 28, True),
        Col("Status", "{{ k.status_tekst }}", 44),
    ], "k in samenvatting.kerncijfers")
    para(doc, "{{ samenvatting.uren_zin }}", before=6)
    para(doc, "{{ samenvatting.bevindingen_zin }}")
    heading(doc, "Uren per hoofdlijn", 3)
    table(doc, [
        Col("Hoofdlijn", "{{ h.naam }}", 86),
        Col("Projecten", "{{ h.aantal }}", 17, True),
        Col("Toegekend", "{{ h.toegekend }}", 19, True),
        Col("Geboekt", "{{ h.geboekt }}", 18, True),
        Col("Rest", "{{ h.rest }}", 16, True),
        Col("Verbruik", "{{ h.verbruik }}", 18, True),
    ], "h in samenvatting.per_hoofdlijn", total=[
        "Totaal", "{{ samenvatting.aantal_projecten }}", "{{ totaal.toegekend }}",
        "{{ totaal.geboekt }}", "{{ totaal.rest }}", "{{ totaal.verbruik }}"])
    heading(doc, "Projecten per urenstatus", 3)
    _status_table(doc, "Urenstatus", "samenvatting.urenstatus")
    heading(doc, "Jaarkalender per status", 3)
    _status_table(doc, "Kalenderstatus", "samenvatting.kalenderstatus")


def _projecten(doc: Document) -> None:
    heading(doc, "Projecten per hoofdlijn", 1, page_break=True)
    para(doc, "{{ privacy_tekst }} Rest en verbruik zijn ten opzichte van de toegekende uren.")
    tag(doc, "{%p for h in hoofdlijnen %}")
    heading(doc, "{{ h.naam }}", 2)
    table(doc, [
        Col("Code", "{{ p.code }}", 23),
        Col("Project", "{{ p.naam }}", 53, sub="{{ p.type }}"),
        Col("Toegekend", "{{ p.toegekend }}", 19, True),
        Col("Geboekt", "{{ p.geboekt }}", 16, True),
        Col("Rest", "{{ p.rest }}", 15, True),
        Col("Verbruik", "{{ p.verbruik }}", 16, True),
        Col("Status", "{{ p.status }}", 32),
    ], "p in h.projecten", total=[
        "Totaal", "{{ h.aantal_tekst }}", "{{ h.totaal.toegekend }}", "{{ h.totaal.geboekt }}",
        "{{ h.totaal.rest }}", "{{ h.totaal.verbruik }}", "",
    ])
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if toon_uren_per_persoon %}")
    heading(doc, "Uren per medewerker per project", 2)
    table(doc, [
        Col("Medewerker", "{{ u.medewerker }}", 70),
        Col("Project", "{{ u.project }}", 40),
        Col("Uren", "{{ u.uren }}", 25, True),
    ], "u in uren_per_persoon")
    tag(doc, "{%p endif %}")


def _prognose(doc: Document) -> None:
    tag(doc, "{%p if prognose.tonen %}")
    heading(doc, "Prognose", 1)
    para(doc, "{{ prognose.methode }}", italic=True)
    tag(doc, "{%p if prognose.projecten %}")
    table(doc, [
        Col("Code", "{{ r.code }}", 23),
        Col("Project", "{{ r.naam }}", 46),
        Col("Toegekend", "{{ r.toegekend }}", 19, True),
        Col("Geboekt", "{{ r.geboekt }}", 16, True),
        Col("Prognose", "{{ r.prognose }}", 17, True),
        Col("Verwachte overschrijding", "{{ r.overschrijding }}", 25, True),
        Col("Toegekende uren op", "{{ r.datum }}", 28),
    ], "r in prognose.projecten")
    tag(doc, "{%p else %}")
    para(doc, "Geen lopende projecten met een verwachte overschrijding.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _jaarkalender(doc: Document) -> None:
    heading(doc, "Jaarkalender", 1, page_break=True)
    heading(doc, "Gemist", 2)
    tag(doc, "{%p if jaarkalender.gemist %}")
    table(doc, [
        Col("Document", "{{ j.document }}", 62),
        Col("Overleg", "{{ j.overleg }}", 20),
        Col("Periode t/m", "{{ j.periode_eind }}", 24),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 22, True),
        Col("Eigenaar", "{{ j.eigenaar }}", 46),
    ], "j in jaarkalender.gemist")
    tag(doc, "{%p else %}")
    para(doc, "Geen gemiste documenten.")
    tag(doc, "{%p endif %}")
    heading(doc, "Te laat, te vroeg of in een ander overleg besproken", 2)
    tag(doc, "{%p if jaarkalender.afwijkend %}")
    table(doc, [
        Col("Document", "{{ j.document }}", 52),
        Col("Gepland in", "{{ j.overleg }}", 20),
        Col("Status", "{{ j.status }}", 32),
        Col("Besproken op", "{{ j.besproken_op }}", 24),
        Col("Besproken in", "{{ j.besproken_in }}", 24),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 22, True),
    ], "j in jaarkalender.afwijkend")
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten te laat, te vroeg of in een ander overleg besproken.")
    tag(doc, "{%p endif %}")
    heading(doc, "Komende periode", 2)
    tag(doc, "{%p if jaarkalender.komend %}")
    table(doc, [
        Col("Document", "{{ j.document }}", 52),
        Col("Overleg", "{{ j.overleg }}", 18),
        Col("Periode", "{{ j.periode_start }} t/m {{ j.periode_eind }}", 40),
        Col("Status", "{{ j.status }}", 30),
        Col("Eigenaar", "{{ j.eigenaar }}", 34),
    ], "j in jaarkalender.komend")
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten in of vlak voor hun bespreekperiode.")
    tag(doc, "{%p endif %}")


def _doelen(doc: Document) -> None:
    tag(doc, "{%p if doelen_indicatoren.tonen %}")
    heading(doc, "Doelen en indicatoren", 1, page_break=True)
    tag(doc, "{%p if doelen_indicatoren.doelstatus %}")
    heading(doc, "Doelen per status", 2)
    _status_table(doc, "Doelstatus", "doelen_indicatoren.doelstatus")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if doelen_indicatoren.doelen_niet_op_koers %}")
    heading(doc, "Doelen niet op koers", 3)
    table(doc, [Col("Code", "{{ d.code }}", 22), Col("Doel", "{{ d.naam }}", 130)],
          "d in doelen_indicatoren.doelen_niet_op_koers")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if doelen_indicatoren.activiteiten %}")
    heading(doc, "Activiteiten per voortgangscategorie", 2)
    _status_table(doc, "Voortgangscategorie", "doelen_indicatoren.activiteiten")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if doelen_indicatoren.indicatoren %}")
    heading(doc, "Indicatoren", 2)
    table(doc, [
        Col("Code", "{{ i.code }}", 17),
        Col("Indicator", "{{ i.naam }}", 59),
        Col("Waarde", "{{ i.waarde }}", 18, True),
        Col("Streefwaarde", "{{ i.streefwaarde }}", 22, True),
        Col("Toelichting", "{{ i.toelichting }}", 32),
        Col("Status", "{{ i.status }}", 26),
    ], "i in doelen_indicatoren.indicatoren")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _datakwaliteit(doc: Document) -> None:
    heading(doc, "Datakwaliteit", 1, page_break=True)
    tag(doc, "{%p if datakwaliteit.aantal %}")
    para(doc, "{{ datakwaliteit.aantal_tekst }}. Per lijst staat hieronder wat niet klopt; de "
              "melding staat ook in de kolom Controlemelding van de regel zelf. Na herstel in "
              "SharePoint verdwijnt de melding bij de volgende controle.")
    tag(doc, "{%p for g in datakwaliteit.groepen %}")
    heading(doc, "{{ g.kop }}", 2)
    table(doc, [
        Col("Regel", "{{ b.verwijzing }}", 28),
        Col("Melding", "{{ b.melding }}", 106),
        Col("Code", "{{ b.code }}", 40, small=True),
    ], "b in g.bevindingen")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Geen bevindingen: alle gecontroleerde lijsten zijn in orde.")
    tag(doc, "{%p endif %}")


def _build(doc: Document) -> None:
    setup(doc)
    footer(doc)
    _voorblad(doc)
    _samenvatting(doc)
    _projecten(doc)
    _prognose(doc)
    _jaarkalender(doc)
    _doelen(doc)
    _datakwaliteit(doc)


def build_template(path: str | Path | None = None) -> bytes:
    """Build the default template; write it to ``path`` when given, and return its bytes."""
    doc = Document()
    _build(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return data
