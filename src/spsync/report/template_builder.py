"""Builds the default MT-rapportage template (.docx with docxtpl tags) with python-docx.

The generated file is a starting point: staff open it in Word and change styles, texts, logo and
column order; the code only fills the tags. Regenerate with ``scripts/make_template.py``.
Rules kept here (see reference §1): a ``{%p %}``/``{%tr %}`` tag is alone in its paragraph/row,
and two tables are always separated by a paragraph.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

__all__ = ["build_template", "Col"]

FONT = "Calibri"
TABLE_STYLE = "Table Grid"
HEADER_FILL = "D9E2F3"
TOTAL_FILL = "F2F2F2"


@dataclass(frozen=True)
class Col:
    """One table column: header text, cell tag text, width and alignment."""

    header: str
    cell: str
    width_mm: float
    right: bool = False


def _set_language(doc: Document, lang: str = "nl-NL") -> None:
    """Dutch proofing language, so Word does not flag every Dutch word for staff editing it."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is None:
        return
    rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), lang)
    lang_el.set(qn("w:eastAsia"), lang)


def _setup(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, python-docx defaults to Letter
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 12), ("Heading 3", 10.5)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    styles["Heading 1"].paragraph_format.space_before = Pt(16)
    styles["Heading 2"].paragraph_format.space_before = Pt(10)
    _set_language(doc)
    doc.core_properties.title = "MT-rapportage"
    doc.core_properties.subject = "Wekelijkse MT-rapportage (spsync)"
    doc.core_properties.author = "spsync"
    doc.core_properties.language = "nl-NL"


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row) -> None:
    """Header row repeats on every page, so long project tables stay readable."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _fill(cell, text: str, *, bold: bool = False, right: bool = False, size: float = 9) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _table(
    doc: Document,
    cols: Sequence[Col],
    loop: str,
    total: Sequence[str] | None = None,
) -> Table:
    """Header row, ``{%tr for %}`` row, data row, ``{%tr endfor %}`` row, optional total row."""
    table = doc.add_table(rows=0, cols=len(cols))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    header = table.add_row()
    _repeat_header(header)
    for cell, col in zip(header.cells, cols, strict=True):
        _fill(cell, col.header, bold=True, right=col.right)
        _shade(cell, HEADER_FILL)
    _fill(table.add_row().cells[0], f"{{%tr for {loop} %}}")
    data = table.add_row()
    for cell, col in zip(data.cells, cols, strict=True):
        _fill(cell, col.cell, right=col.right)
    _fill(table.add_row().cells[0], "{%tr endfor %}")
    if total is not None:
        row = table.add_row()
        for cell, col, text in zip(row.cells, cols, total, strict=True):
            _fill(cell, text, bold=True, right=col.right)
            _shade(cell, TOTAL_FILL)
    for row in table.rows:
        for cell, col in zip(row.cells, cols, strict=True):
            cell.width = Mm(col.width_mm)
    return table


def _p(doc: Document, text: str, style: str | None = None, *, italic: bool = False) -> None:
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.italic = italic


def _tag(doc: Document, tag: str) -> None:
    """A paragraph-level docxtpl tag alone in its paragraph (text beside it would vanish)."""
    doc.add_paragraph(tag)


def _footer(doc: Document) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run("{{ titel }} · {{ organisatie }} · pagina ")
    run.font.size = Pt(8)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    paragraph._p.append(field)


def _status_table(doc: Document, first: str, loop: str) -> None:
    _table(doc, [Col(first, "{{ s.status }}", 70), Col("Aantal", "{{ s.aantal }}", 25, True)],
           f"s in {loop}")


def _build(doc: Document) -> None:
    _setup(doc)
    _footer(doc)

    _p(doc, "{{ titel }}", "Title")
    _p(doc, "{{ organisatie }} – {{ planjaar }}")
    _p(doc, "Controledatum: {{ controledatum }} (gegenereerd op {{ gegenereerd_op }})")
    _tag(doc, "{%p if tussenstand %}")
    _p(doc, "{{ tussenstand_tekst }}", italic=True)
    _tag(doc, "{%p endif %}")

    # 1. Samenvatting
    _p(doc, "Samenvatting", "Heading 1")
    _table(doc, [
        Col("Kerncijfer", "{{ k.naam }}", 62),
        Col("Waarde", "{{ k.waarde }}", 20, True),
        Col("Teller / noemer", "{{ k.teller }} / {{ k.noemer }}", 26, True),
        Col("Streefwaarde", "{{ k.streefwaarde }}", 28, True),
        Col("Status", "{{ k.status_tekst }}", 38),
    ], "k in samenvatting.kerncijfers")
    _p(doc, "Uren: {{ samenvatting.uren_toegekend }} toegekend, {{ samenvatting.uren_geboekt }} "
            "geboekt (geldige boekingen; {{ samenvatting.verbruik }}), "
            "{{ samenvatting.uren_rest }} resterend, over {{ samenvatting.aantal_projecten }} "
            "projecten en activiteiten.")
    _p(doc, "Datakwaliteit: {{ samenvatting.aantal_bevindingen }} bevindingen (zie Datakwaliteit).")
    _p(doc, "Projecten per urenstatus", "Heading 3")
    _status_table(doc, "Urenstatus", "samenvatting.urenstatus")
    _p(doc, "Jaarkalender per status", "Heading 3")
    _status_table(doc, "Kalenderstatus", "samenvatting.kalenderstatus")

    # 2. Projecten per hoofdlijn
    _p(doc, "Projecten per hoofdlijn", "Heading 1")
    _p(doc, "{{ privacy_tekst }}")
    _tag(doc, "{%p for h in hoofdlijnen %}")
    _p(doc, "{{ h.naam }}", "Heading 2")
    _table(doc, [
        Col("Code", "{{ p.code }}", 20),
        Col("Project", "{{ p.naam }}", 42),
        Col("Type", "{{ p.type }}", 19),
        Col("Toegekend", "{{ p.toegekend }}", 16, True),
        Col("Geboekt", "{{ p.geboekt }}", 16, True),
        Col("Rest", "{{ p.rest }}", 15, True),
        Col("Verbruik", "{{ p.verbruik }}", 15, True),
        Col("Urenstatus", "{{ p.urenstatus }}", 16),
        Col("Budgetstatus", "{{ p.budgetstatus }}", 16),
    ], "p in h.projecten", total=[
        "Totaal", "{{ h.aantal_tekst }}", "", "{{ h.totaal.toegekend }}",
        "{{ h.totaal.geboekt }}", "{{ h.totaal.rest }}", "{{ h.totaal.verbruik }}", "", "",
    ])
    _tag(doc, "{%p endfor %}")
    _p(doc, "Totaal alle hoofdlijnen: {{ totaal.toegekend }} uur toegekend, {{ totaal.geboekt }} "
            "uur geboekt, {{ totaal.rest }} uur resterend ({{ totaal.verbruik }}).")
    _tag(doc, "{%p if toon_uren_per_persoon %}")
    _p(doc, "Uren per medewerker per project", "Heading 2")
    _table(doc, [
        Col("Medewerker", "{{ u.medewerker }}", 70),
        Col("Project", "{{ u.project }}", 40),
        Col("Uren", "{{ u.uren }}", 25, True),
    ], "u in uren_per_persoon")
    _tag(doc, "{%p endif %}")

    # 3. Prognose
    _tag(doc, "{%p if prognose.tonen %}")
    _p(doc, "Prognose", "Heading 1")
    _p(doc, "{{ prognose.methode }}", italic=True)
    _tag(doc, "{%p if prognose.projecten %}")
    _table(doc, [
        Col("Code", "{{ r.code }}", 20),
        Col("Project", "{{ r.naam }}", 50),
        Col("Toegekend", "{{ r.toegekend }}", 18, True),
        Col("Geboekt", "{{ r.geboekt }}", 18, True),
        Col("Prognose", "{{ r.prognose }}", 18, True),
        Col("Verwachte overschrijding", "{{ r.overschrijding }}", 24, True),
        Col("Overschreden vanaf", "{{ r.datum }}", 26),
    ], "r in prognose.projecten")
    _tag(doc, "{%p else %}")
    _p(doc, "Geen lopende projecten met een verwachte overschrijding.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")

    # 4. Jaarkalender
    _p(doc, "Jaarkalender", "Heading 1")
    _p(doc, "Gemist", "Heading 2")
    _tag(doc, "{%p if jaarkalender.gemist %}")
    _table(doc, [
        Col("Document", "{{ j.document }}", 64),
        Col("Overleg", "{{ j.overleg }}", 24),
        Col("Eind periode", "{{ j.periode_eind }}", 24),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 20, True),
        Col("Eigenaar", "{{ j.eigenaar }}", 42),
    ], "j in jaarkalender.gemist")
    _tag(doc, "{%p else %}")
    _p(doc, "Geen gemiste documenten.")
    _tag(doc, "{%p endif %}")
    _p(doc, "Te laat, te vroeg of in een ander overleg besproken", "Heading 2")
    _tag(doc, "{%p if jaarkalender.afwijkend %}")
    _table(doc, [
        Col("Document", "{{ j.document }}", 50),
        Col("Gepland overleg", "{{ j.overleg }}", 22),
        Col("Status", "{{ j.status }}", 30),
        Col("Besproken op", "{{ j.besproken_op }}", 22),
        Col("Besproken in", "{{ j.besproken_in }}", 24),
        Col("Dagen te laat", "{{ j.dagen_te_laat }}", 26, True),
    ], "j in jaarkalender.afwijkend")
    _tag(doc, "{%p else %}")
    _p(doc, "Geen documenten te laat, te vroeg of in een ander overleg besproken.")
    _tag(doc, "{%p endif %}")
    _p(doc, "Komende periode", "Heading 2")
    _tag(doc, "{%p if jaarkalender.komend %}")
    _table(doc, [
        Col("Document", "{{ j.document }}", 52),
        Col("Overleg", "{{ j.overleg }}", 22),
        Col("Periode", "{{ j.periode_start }} t/m {{ j.periode_eind }}", 40),
        Col("Status", "{{ j.status }}", 28),
        Col("Eigenaar", "{{ j.eigenaar }}", 32),
    ], "j in jaarkalender.komend")
    _tag(doc, "{%p else %}")
    _p(doc, "Geen documenten in of vlak voor hun bespreekperiode.")
    _tag(doc, "{%p endif %}")

    # 5. Doelen en indicatoren
    _tag(doc, "{%p if doelen_indicatoren.tonen %}")
    _p(doc, "Doelen en indicatoren", "Heading 1")
    _tag(doc, "{%p if doelen_indicatoren.indicatoren %}")
    _p(doc, "Indicatoren", "Heading 2")
    _table(doc, [
        Col("Code", "{{ i.code }}", 18),
        Col("Indicator", "{{ i.naam }}", 66),
        Col("Waarde", "{{ i.waarde }}", 18, True),
        Col("Teller / noemer", "{{ i.teller_noemer }}", 22, True),
        Col("Streefwaarde", "{{ i.streefwaarde }}", 22, True),
        Col("Status", "{{ i.status }}", 28),
    ], "i in doelen_indicatoren.indicatoren")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if doelen_indicatoren.doelstatus %}")
    _p(doc, "Doelen per status", "Heading 2")
    _status_table(doc, "Doelstatus", "doelen_indicatoren.doelstatus")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if doelen_indicatoren.activiteiten %}")
    _p(doc, "Activiteiten per voortgangscategorie", "Heading 2")
    _status_table(doc, "Voortgangscategorie", "doelen_indicatoren.activiteiten")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")

    # 6. Datakwaliteit
    _p(doc, "Datakwaliteit", "Heading 1")
    _p(doc, "Aantal bevindingen: {{ datakwaliteit.aantal }}.")
    _tag(doc, "{%p if datakwaliteit.aantal %}")
    _tag(doc, "{%p for g in datakwaliteit.groepen %}")
    _p(doc, "{{ g.lijst }} ({{ g.aantal }})", "Heading 2")
    _table(doc, [
        Col("Verwijzing", "{{ b.verwijzing }}", 32),
        Col("Code", "{{ b.code }}", 46),
        Col("Melding", "{{ b.melding }}", 96),
    ], "b in g.bevindingen")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p else %}")
    _p(doc, "Geen bevindingen.")
    _tag(doc, "{%p endif %}")


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
