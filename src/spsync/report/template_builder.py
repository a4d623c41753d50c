"""Builds the default weekly MT-rapportage template (.docx with docxtpl tags) with python-docx.

The generated file is a starting point: staff open it in Word and change wording, styles, logo
and the order of sections; the code only fills the tags. Regenerate with
``scripts/make_template.py``. Order follows what an MT member asks first: what needs attention
and how the key figures moved; where the hours and money go; the jaarkalender; the alerts sent;
goals; and last what to fix in the data and where the figures came from.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from spsync.report.docx_blocks import Col, footer, heading, image, para, setup, table, tag

__all__ = ["Col", "build_template"]


def _chart(doc: Document, name: str) -> None:
    tag(doc, f"{{%p if grafieken.{name} %}}")
    image(doc, f"{{{{ grafieken.{name} }}}}")
    tag(doc, "{%p endif %}")


def _meer(doc: Document, name: str) -> None:
    """"En nog 12 …" under a table that lists only the first rows."""
    tag(doc, f"{{%p if {name} %}}")
    para(doc, f"{{{{ {name} }}}}", italic=True, size=8.5, grey=True)
    tag(doc, "{%p endif %}")


def _voorblad(doc: Document) -> None:
    para(doc, "{{ titel }}", "Title")
    para(doc, "{{ organisatie }} · {{ planjaar }}", size=12)
    para(doc, "Controledatum {{ controledatum_lang }} · {{ week_tekst }}", grey=True, size=9)
    para(doc, "{{ stand_tekst }}", italic=True, size=9)


def _aandacht(doc: Document) -> None:
    heading(doc, "Wat vraagt aandacht", 1)
    para(doc, "{{ aandacht.zin }}")
    tag(doc, "{%p if aandacht.punten %}")
    table(doc, [
        Col("Wat", "{{ a.soort }}", 27),
        Col("Project of document", "{{r a.link }}", 61),
        Col("Eigenaar", "{{ a.eigenaar }}", 36),
        Col("Stand", "{{ a.cijfer }}", 50),
    ], "a in aandacht.punten")
    tag(doc, "{%p endif %}")
    heading(doc, "Kerncijfers", 2)
    para(doc, "{{ kerncijfers_vorige_tekst }}", grey=True, size=8.5)
    tag(doc, "{%p if kerncijfers %}")
    table(doc, [
        Col("Kerncijfer", "{{r k.link }}", 62),
        Col("Waarde", "{{ k.waarde }}", 16, True),
        Col("Basis", "{{ k.teller_noemer }}", 17, True),
        Col("Streefwaarde", "{{ k.streefwaarde }}", 26, True),
        Col("Status", "{{ k.status_tekst }}", 29),
        Col("Sinds vorige", "{{ k.verandering }}", 24),
    ], "k in kerncijfers")
    tag(doc, "{%p else %}")
    para(doc, "De lijst Indicatoren heeft voor dit planjaar geen berekende indicatoren.")
    tag(doc, "{%p endif %}")
    _chart(doc, "indicatoren")


def _projecten(doc: Document) -> None:
    heading(doc, "Uren en budget", 1, page_break=True)
    para(doc, "{{ samenvatting.uren_zin }} {{ privacy_tekst }}")
    _chart(doc, "uren")
    table(doc, [
        Col("Hoofdlijn", "{{ h.naam }}", 78),
        Col("Projecten", "{{ h.aantal }}", 17, True),
        Col("Toegekend", "{{ h.toegekend }}", 20, True),
        Col("Geboekt", "{{ h.geboekt }}", 20, True),
        Col("Rest", "{{ h.rest }}", 19, True),
        Col("Verbruik", "{{ h.verbruik }}", 20, True),
    ], "h in samenvatting.per_hoofdlijn", total=[
        "Totaal", "{{ samenvatting.aantal_projecten }}", "{{ totaal.toegekend }}",
        "{{ totaal.geboekt }}", "{{ totaal.rest }}", "{{ totaal.verbruik }}"])
    heading(doc, "Projecten per hoofdlijn", 1)
    para(doc, "Rest en verbruik zijn ten opzichte van de toegekende uren; bedragen staan bij "
              "projecten met een begroting.", size=8.5, grey=True)
    tag(doc, "{%p for h in hoofdlijnen %}")
    heading(doc, "{{ h.naam }}", 2)
    table(doc, [
        Col("Code", "{{ p.code }}", 21),
        Col("Project", "{{r p.link }}", 43, sub="{{ p.sub }}"),
        Col("Toegekend", "{{ p.toegekend }}", 17, True),
        Col("Geboekt", "{{ p.geboekt }}", 16, True, sub="{{ p.geboekt_vorige }}"),
        Col("Rest", "{{ p.rest }}", 14, True),
        Col("Verbruik", "{{ p.verbruik }}", 15, True),
        Col("Status", "{{ p.status }}", 26, sub="{{ p.budget }}"),
        Col("Prognose", "{{ p.prognose }}", 22),
    ], "p in h.projecten", total=[
        "Totaal", "{{ h.aantal_tekst }}", "{{ h.totaal.toegekend }}", "{{ h.totaal.geboekt }}",
        "{{ h.totaal.rest }}", "{{ h.totaal.verbruik }}", "", "",
    ])
    tag(doc, "{%p endfor %}")
    _chart(doc, "burnup")
    para(doc, "{{ prognose_methode }}", italic=True, size=8.5, grey=True)
    tag(doc, "{%p if toon_uren_per_persoon %}")
    heading(doc, "Uren per medewerker per project", 2)
    table(doc, [
        Col("Medewerker", "{{ u.medewerker }}", 70),
        Col("Project", "{{ u.project }}", 40),
        Col("Uren", "{{ u.uren }}", 25, True),
    ], "u in uren_per_persoon")
    tag(doc, "{%p endif %}")


def _jaarkalender(doc: Document) -> None:
    heading(doc, "Jaarkalender", 1)
    _chart(doc, "kalender")
    heading(doc, "Gemist", 2)
    tag(doc, "{%p if jaarkalender.gemist %}")
    table(doc, [
        Col("Document", "{{r j.link }}", 58),
        Col("Overleg", "{{ j.overleg }}", 18),
        Col("Periode t/m", "{{ j.periode_eind }}", 22),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 20, True),
        Col("Gepland overleg", "{{ j.volgend_overleg }}", 24),
        Col("Eigenaar", "{{ j.eigenaar }}", 32),
    ], "j in jaarkalender.gemist")
    _meer(doc, "jaarkalender.gemist_meer")
    tag(doc, "{%p else %}")
    para(doc, "Geen gemiste documenten.")
    tag(doc, "{%p endif %}")
    heading(doc, "Te laat, te vroeg of in een ander overleg besproken", 2)
    tag(doc, "{%p if jaarkalender.afwijkend %}")
    table(doc, [
        Col("Document", "{{r j.link }}", 54),
        Col("Gepland in", "{{ j.overleg }}", 18),
        Col("Status", "{{ j.status }}", 32),
        Col("Besproken op", "{{ j.besproken_op }}", 23),
        Col("Besproken in", "{{ j.besproken_in }}", 25),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 22, True),
    ], "j in jaarkalender.afwijkend")
    _meer(doc, "jaarkalender.afwijkend_meer")
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten te laat, te vroeg of in een ander overleg besproken.")
    tag(doc, "{%p endif %}")
    heading(doc, "In bespreekperiode", 2)
    tag(doc, "{%p if jaarkalender.bespreekperiode %}")
    table(doc, [
        Col("Document", "{{r j.link }}", 58),
        Col("Overleg", "{{ j.overleg }}", 18),
        Col("Periode", "{{ j.periode }}", 40),
        Col("Gepland overleg", "{{ j.volgend_overleg }}", 24),
        Col("Eigenaar", "{{ j.eigenaar }}", 34),
    ], "j in jaarkalender.bespreekperiode")
    _meer(doc, "jaarkalender.bespreekperiode_meer")
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten in hun bespreekperiode.")
    tag(doc, "{%p endif %}")
    heading(doc, "Komende 4 weken", 2)
    tag(doc, "{%p if jaarkalender.komend %}")
    table(doc, [
        Col("Document", "{{r j.link }}", 58),
        Col("Overleg", "{{ j.overleg }}", 18),
        Col("Periode", "{{ j.periode }}", 40),
        Col("Gepland overleg", "{{ j.volgend_overleg }}", 24),
        Col("Eigenaar", "{{ j.eigenaar }}", 34),
    ], "j in jaarkalender.komend")
    _meer(doc, "jaarkalender.komend_meer")
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten waarvan de bespreekperiode in de komende 4 weken begint.")
    tag(doc, "{%p endif %}")


def _signalen(doc: Document) -> None:
    heading(doc, "Signalen deze week", 1)
    para(doc, "{{ signalen.tekst }}")
    tag(doc, "{%p if signalen.rijen %}")
    table(doc, [
        Col("Verstuurd", "{{ s.verstuurd }}", 32),
        Col("Soort", "{{ s.soort }}", 30),
        Col("Aan", "{{ s.aan }}", 38),
        Col("Over", "{{ s.over }}", 74),
    ], "s in signalen.rijen")
    tag(doc, "{%p endif %}")


def _status_table(doc: Document, first: str, loop: str) -> None:
    table(doc, [Col(first, "{{ s.status }}", 70), Col("Aantal", "{{ s.aantal }}", 20, True)],
          f"s in {loop}")


def _doelen(doc: Document) -> None:
    tag(doc, "{%p if doelen_indicatoren.tonen %}")
    heading(doc, "Doelen en indicatoren", 1)
    tag(doc, "{%p if doelen_indicatoren.doelstatus %}")
    heading(doc, "Doelen per status", 2)
    _status_table(doc, "Doelstatus", "doelen_indicatoren.doelstatus")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if doelen_indicatoren.doelen_niet_op_koers %}")
    heading(doc, "Doelen niet op koers", 3)
    table(doc, [Col("Code", "{{ d.code }}", 22), Col("Doel", "{{r d.link }}", 152)],
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
        Col("Indicator", "{{r i.link }}", 63),
        Col("Waarde", "{{ i.waarde }}", 17, True),
        Col("Streefwaarde", "{{ i.streefwaarde }}", 23, True),
        Col("Toelichting", "{{ i.toelichting }}", 28),
        Col("Status", "{{ i.status }}", 26),
    ], "i in doelen_indicatoren.indicatoren")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _datakwaliteit(doc: Document) -> None:
    heading(doc, "Datakwaliteit", 1)
    tag(doc, "{%p if datakwaliteit.aantal %}")
    para(doc, "{{ datakwaliteit.aantal_tekst }}. Per lijst staat hieronder wat niet klopt; de "
              "melding staat ook in de kolom Controlemelding van de regel zelf. Na herstel in "
              "SharePoint verdwijnt de melding bij de volgende controle.")
    tag(doc, "{%p for g in datakwaliteit.groepen %}")
    heading(doc, "{{ g.kop }}", 2)
    table(doc, [
        Col("Regel", "{{r b.link }}", 70),
        Col("Wat klopt er niet", "{{ b.melding }}", 78),
        Col("Code", "{{ b.code }}", 26, small=True),
    ], "b in g.bevindingen")
    _meer(doc, "g.meer_tekst")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Geen bevindingen: alle gecontroleerde lijsten zijn in orde.")
    tag(doc, "{%p endif %}")


def _colofon(doc: Document) -> None:
    heading(doc, "Colofon", 2)
    para(doc, "Gemaakt door spsync {{ colofon.versie }} op {{ colofon.gegenereerd_op }} "
              "(run {{ colofon.run_id }}), uit de lijsten van {{ colofon.site }}.", size=8.5,
         grey=True)
    para(doc, "Gelezen items per lijst: {{ colofon.bronnen_tekst }}.", size=8.5, grey=True)


def _build(doc: Document) -> None:
    setup(doc)
    footer(doc)
    _voorblad(doc)
    _aandacht(doc)
    _projecten(doc)
    _jaarkalender(doc)
    _signalen(doc)
    _doelen(doc)
    _datakwaliteit(doc)
    _colofon(doc)


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
