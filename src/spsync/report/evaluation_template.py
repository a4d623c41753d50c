"""Builds the tertiaal and annual-evaluation templates (.docx with docxtpl tags) with python-docx.

Generated once (``scripts/make_evaluation_templates.py``), then edited in Word by staff: the
layout below is only the starting point. The doelen table nests two ``{%tr for %}`` loops (a row
per doel, under it a row per indicator), which Power Automate's Word action cannot do. Page set-up,
fonts, headings and footer come from :mod:`.docx_blocks`, so all reports look alike.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from spsync.report.docx_blocks import (  # shared with the weekly template builder
    _row_flag,
    _shade,
    footer,
    heading,
    para,
    setup,
    tag,
)

__all__ = ["EVALUATION_TEMPLATE_FILES", "Row", "build_evaluation_template"]

#: Template file per kind, in ``templates/`` and in the package data.
EVALUATION_TEMPLATE_FILES = {"tertiaal": "tertiaalrapportage.docx",
                             "jaar": "jaarevaluatie.docx"}

_HEADER_FILL = "D9E2F3"
_GROUP_FILL = "EEF2F8"
_TOTAL_FILL = "F2F2F2"
_BORDER = "A6A6A6"
_GREY = RGBColor(0x59, 0x59, 0x59)


@dataclass(frozen=True)
class Row:
    """One template table row: its cell texts; ``loop`` makes it a ``{%tr %}`` tag row."""

    cells: Sequence[str] = ()
    loop: str | None = None
    bold: bool = False
    fill: str | None = None
    grey_from: int | None = None  # cells from this index print small and grey


def _cell_text(cell, text: str, *, bold: bool, right: bool, small: bool) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(7.5 if small else 9)
    if small:
        run.font.color.rgb = _GREY


def _widths(tbl, widths: Sequence[float]) -> None:
    """Fixed layout with widths in grid, table and every cell (LibreOffice reads the grid)."""
    tbl.autofit = False
    for grid_col, w in zip(tbl._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        grid_col.set(qn("w:w"), str(int(w * 56.7)))
    tbl_pr = tbl._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(widths) * 56.7)))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), _BORDER)
        borders.append(el)
    tbl_pr.append(borders)
    for row in tbl.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Mm(w)


def _table(doc, header: Sequence[str], widths: Sequence[float], rows: Sequence[Row],
           right: Sequence[int] = ()) -> None:
    """A header row that repeats on every page, then ``rows`` (tag rows hold only the tag)."""
    tbl = doc.add_table(rows=0, cols=len(header))
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.LEFT
    head = tbl.add_row()
    _row_flag(head, "w:tblHeader")
    for i, (cell, text) in enumerate(zip(head.cells, header, strict=True)):
        _cell_text(cell, text, bold=True, right=i in right, small=False)
        _shade(cell, _HEADER_FILL)
    for spec in rows:
        row = tbl.add_row()
        if spec.loop is not None:
            _cell_text(row.cells[0], spec.loop, bold=False, right=False, small=False)
            continue
        for i, (cell, text) in enumerate(zip(row.cells, spec.cells, strict=True)):
            small = spec.grey_from is not None and i >= spec.grey_from
            _cell_text(cell, text, bold=spec.bold, right=i in right, small=small)
            if spec.fill:
                _shade(cell, spec.fill)
    for row in tbl.rows:
        _row_flag(row, "w:cantSplit")
    _widths(tbl, widths)


def _status_table(doc, first: str, loop: str) -> None:
    _table(doc, [first, "Aantal"], [70, 20], [
        Row(loop=f"{{%tr for s in {loop} %}}"), Row(["{{ s.status }}", "{{ s.aantal }}"]),
        Row(loop="{%tr endfor %}")], right=(1,))


def _voorblad(doc) -> None:
    para(doc, "{{ titel }}", "Title")
    para(doc, "{{ organisatie }} – {{ planjaar }}", size=12)
    para(doc, "Periode {{ periode }} · controledatum {{ controledatum }} · gegenereerd op "
              "{{ gegenereerd_op }}", grey=True, size=9)
    para(doc, "{{ tussenstand_tekst }}", italic=True)


def _samenvatting(doc, kind: str) -> None:
    heading(doc, "Samenvatting", 1)
    if kind == "tertiaal":
        para(doc, "Deze tertiaalrapportage laat per hoofdlijn zien hoe het staat met de doelen, "
                  "hun indicatoren en de activiteiten van het jaarplan, met de financiën en de "
                  "jaarkalender van deze periode.")
    else:
        para(doc, "Deze jaarevaluatie laat per hoofdlijn zien in hoeverre de doelen zijn "
                  "bereikt en de activiteiten van het jaarplan zijn uitgevoerd.")
    para(doc, "{{ samenvatting.doelen_zin }}", before=4)
    para(doc, "{{ samenvatting.activiteiten_zin }}")
    heading(doc, "Per hoofdlijn", 3)
    _table(doc, ["Hoofdlijn", "Doelen", "Op koers", "Activiteiten", "Uitgevoerd"],
           [94, 18, 18, 22, 22], [
        Row(loop="{%tr for p in samenvatting.per_hoofdlijn %}"),
        Row(["{{ p.naam }}", "{{ p.doelen }}", "{{ p.op_koers }}", "{{ p.activiteiten }}",
             "{{ p.uitgevoerd }}"]),
        Row(loop="{%tr endfor %}"),
    ], right=(1, 2, 3, 4))
    heading(doc, "Doelen per status", 3)
    _status_table(doc, "Doelstatus", "samenvatting.doelen")
    heading(doc, "Activiteiten per voortgangscategorie", 3)
    _status_table(doc, "Voortgangscategorie", "samenvatting.activiteiten")
    para(doc, "{{ voortgang_noot }}", grey=True, size=8, before=6)


def _hoofdlijnen(doc) -> None:
    heading(doc, "Doelen en activiteiten per hoofdlijn", 1)
    tag(doc, "{%p for h in hoofdlijnen %}")
    heading(doc, "{{ h.naam }}", 2)
    para(doc, "{{ h.samenvatting }}")
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # never alone at a page end
    tag(doc, "{%p if h.doelen %}")
    heading(doc, "Doelen en indicatoren", 3)
    _table(doc, ["Doel / indicator", "Nulmeting", "Waarde", "Streefwaarde", "Voortgang",
                 "Status"], [58, 20, 16, 24, 26, 30], [
        Row(loop="{%tr for d in h.doelen %}"),
        Row(["{{ d.code }} · {{ d.naam }}", "", "", "", "", "{{ d.status }}"], bold=True,
            fill=_GROUP_FILL),
        Row(loop="{%tr for i in d.indicatoren %}"),
        Row(["{{ i.naam }}", "{{ i.nulmeting }}", "{{ i.waarde }}", "{{ i.streefwaarde }}",
             "{{ i.voortgang }}", "{{ i.status }}"]),
        Row(loop="{%tr endfor %}"),
        Row(loop="{%tr if d.zonder_indicatoren %}"),
        Row(["Geen indicatoren bij dit doel.", "", "", "", "", ""], grey_from=0),
        Row(loop="{%tr endif %}"),
        Row(loop="{%tr endfor %}"),
    ], right=(2, 3))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if h.activiteiten %}")
    heading(doc, "Activiteiten", 3)
    _table(doc, ["Code", "Activiteit", "Doel", "Voortgang", "Categorie"], [16, 70, 20, 36, 32], [
        Row(loop="{%tr for a in h.activiteiten %}"),
        Row(["{{ a.code }}", "{{ a.naam }}", "{{ a.doel }}", "{{ a.voortgang }}",
             "{{ a.categorie }}"]),
        Row(loop="{%tr endfor %}"),
    ])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def _financien(doc) -> None:
    tag(doc, "{%p if financien.tonen %}")
    heading(doc, "Financiën", 1)
    para(doc, "Begroot en werkelijk uitgegeven bedrag per project van dit planjaar.")
    _table(doc, ["Code", "Project", "Begroot", "Werkelijk", "Budgetstatus"],
           [22, 62, 24, 24, 42], [
        Row(loop="{%tr for f in financien.projecten %}"),
        Row(["{{ f.code }}", "{{ f.naam }}", "{{ f.begroot }}", "{{ f.werkelijk }}",
             "{{ f.status }}"]),
        Row(loop="{%tr endfor %}"),
        Row(["Totaal", "", "{{ financien.begroot }}", "{{ financien.werkelijk }}", ""],
            bold=True, fill=_TOTAL_FILL),
    ], right=(2, 3))
    tag(doc, "{%p endif %}")


def _jaarkalender(doc, kind: str) -> None:
    tag(doc, "{%p if jaarkalender.tonen %}")
    if kind == "tertiaal":
        heading(doc, "Jaarkalender in deze periode", 1)
        para(doc, "Documenten waarvan de bespreekperiode in {{ periode }} valt.")
    else:
        heading(doc, "Jaarkalender {{ planjaar }}", 1, page_break=True)
        _status_table(doc, "Kalenderstatus", "jaarkalender.per_status")
        para(doc, "", before=4)
    tag(doc, "{%p if jaarkalender.regels %}")
    _table(doc, ["Document", "Overleg", "Periode", "Besproken op", "Status"],
           [52, 30, 40, 22, 30], [
        Row(loop="{%tr for j in jaarkalender.regels %}"),
        Row(["{{ j.document }}", "{{ j.overleg }}", "{{ j.periode }}", "{{ j.besproken_op }}",
             "{{ j.status }}"]),
        Row(loop="{%tr endfor %}"),
    ])
    tag(doc, "{%p else %}")
    para(doc, "Geen documenten in deze periode.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _slot(doc) -> None:
    heading(doc, "Datakwaliteit", 1)
    tag(doc, "{%p if datakwaliteit.aantal %}")
    para(doc, "Deze regels tellen niet (volledig) mee; na herstel in SharePoint verdwijnt de "
              "melding bij de volgende controle.")
    _table(doc, ["Lijst", "Regel", "Melding"], [24, 30, 120], [
        Row(loop="{%tr for b in datakwaliteit.bevindingen %}"),
        Row(["{{ b.lijst }}", "{{ b.regel }}", "{{ b.melding }}"]),
        Row(loop="{%tr endfor %}"),
    ])
    tag(doc, "{%p else %}")
    para(doc, "Geen bevindingen bij doelen, activiteiten en indicatoren.")
    tag(doc, "{%p endif %}")
    para(doc, "Gemaakt door spsync {{ colofon.versie }} op {{ colofon.gegenereerd_op }} "
              "(controledatum {{ controledatum }}). Bronlijsten met aantal regels: "
              "{{ colofon.bronnen }}.", grey=True, size=8, before=10)


def build_evaluation_template(kind: str, path: str | Path | None = None) -> bytes:
    """Build the ``tertiaal`` or ``jaar`` template; write it to ``path`` when given."""
    if kind not in EVALUATION_TEMPLATE_FILES:
        raise ValueError(f"unknown evaluation kind {kind!r}")
    doc = Document()
    setup(doc)
    footer(doc)
    props = doc.core_properties
    props.title = "{{ titel }}"
    props.subject = "{{ soort }} {{ periode_label }} (spsync)"
    props.author = props.last_modified_by = "spsync"
    props.language = "nl-NL"
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.revision = 1
    _voorblad(doc)
    _samenvatting(doc, kind)
    _hoofdlijnen(doc)
    _financien(doc)
    _jaarkalender(doc, kind)
    _slot(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return data
