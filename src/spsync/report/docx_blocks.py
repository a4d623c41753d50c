"""python-docx building blocks for the template: page setup, styled tables, docxtpl tags.

Kept apart from the layout in :mod:`.template_builder` so the layout reads like the report.
Rules kept here (reference §1): a ``{%p %}``/``{%tr %}`` tag is alone in its paragraph/row, and
two tables are always separated by a paragraph. Column widths are written to the table grid as
well as to every cell: LibreOffice (and Word on some paths) lays a table out from the grid only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

__all__ = ["FONT", "TEXT_WIDTH_MM", "Col", "footer", "heading", "image", "para", "setup", "table",
           "tag"]

#: Carlito is metric-compatible with Calibri and free (Debian ``fonts-crosextra-carlito``), so
#: LibreOffice lays the report out exactly as Word would with Calibri: no header that breaks
#: mid-word because a substitute font is wider. Word without Carlito falls back to Calibri-like
#: metrics through the font table below.
FONT = "Carlito"
TABLE_STYLE = "Table Grid"
HEADER_FILL = "D9E2F3"
TOTAL_FILL = "F2F2F2"
BORDER = "A6A6A6"
KOP_KLEUR = RGBColor(0x1F, 0x3A, 0x5F)
GRIJS = RGBColor(0x59, 0x59, 0x59)
TEXT_WIDTH_MM = 174  # A4 minus 18 mm margins


@dataclass(frozen=True)
class Col:
    """One table column: header, cell tag text, width, alignment; ``sub`` adds a small grey
    second line to the cell (e.g. the project type under its name); ``small`` prints the
    whole cell small and grey (technical codes)."""

    header: str
    cell: str
    width_mm: float
    right: bool = False
    sub: str | None = None
    small: bool = False


def _set_language(doc: Document, lang: str = "nl-NL") -> None:
    """Dutch proofing language, so Word does not flag every Dutch word for staff editing it."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = None if defaults is None else defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), lang)
    lang_el.set(qn("w:eastAsia"), lang)


def _default_fonts(doc: Document) -> None:
    """Carlito for every script in the document defaults (ascii, hAnsi, east-asian, cs)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = None if defaults is None else defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def setup(doc: Document) -> None:
    """A4, Carlito 10 pt, dark blue headings that stay with what follows them."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # python-docx defaults to Letter
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(18), Mm(16)
    section.footer_distance = Mm(8)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    for name, size, before, after in (("Title", 22, 0, 2), ("Heading 1", 15, 14, 6),
                                      ("Heading 2", 12, 10, 4), ("Heading 3", 10.5, 8, 3)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = KOP_KLEUR
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    _set_language(doc)
    _default_fonts(doc)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        fonts = styles[name].element.rPr.find(qn("w:rFonts")) if styles[name].element.rPr \
            is not None else None
        if fonts is not None:  # the built-in heading styles name a theme font: drop it
            for attr in list(fonts.attrib):
                del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)
    doc.core_properties.title = "MT-rapportage"
    doc.core_properties.subject = "Wekelijkse MT-rapportage (spsync)"
    doc.core_properties.author = "spsync"
    doc.core_properties.language = "nl-NL"


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _row_flag(row, name: str) -> None:
    el = OxmlElement(name)
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _run(paragraph, text: str, *, bold: bool = False, size: float = 9,
         grey: bool = False) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if grey:
        run.font.color.rgb = GRIJS


def _fill(cell, text: str, *, bold: bool = False, right: bool = False, size: float = 9,
          grey: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(paragraph, text, bold=bold, size=size, grey=grey)


def _fix_widths(tbl: Table, cols: Sequence[Col]) -> None:
    """Fixed layout with the widths in the grid, the table and every cell."""
    tbl.autofit = False
    grid = tbl._tbl.tblGrid
    for grid_col, col in zip(grid.findall(qn("w:gridCol")), cols, strict=True):
        grid_col.set(qn("w:w"), str(int(col.width_mm * 56.7)))
    tbl_pr = tbl._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(c.width_mm for c in cols) * 56.7)))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), BORDER)
        borders.append(el)
    tbl_pr.append(borders)
    for row in tbl.rows:
        for cell, col in zip(row.cells, cols, strict=True):
            cell.width = Mm(col.width_mm)


def table(doc: Document, cols: Sequence[Col], loop: str,
          total: Sequence[str] | None = None) -> Table:
    """Header row, ``{%tr for %}`` row, data row, ``{%tr endfor %}`` row, optional total row.

    The header repeats on every page and no row splits over a page break.
    """
    tbl = doc.add_table(rows=0, cols=len(cols))
    tbl.style = doc.styles[TABLE_STYLE]
    tbl.alignment = WD_TABLE_ALIGNMENT.LEFT

    header = tbl.add_row()
    _row_flag(header, "w:tblHeader")
    for cell, col in zip(header.cells, cols, strict=True):
        _fill(cell, col.header, bold=True, right=col.right, size=8)
        _shade(cell, HEADER_FILL)
    _fill(tbl.add_row().cells[0], f"{{%tr for {loop} %}}")
    data = tbl.add_row()
    for cell, col in zip(data.cells, cols, strict=True):
        _fill(cell, col.cell, right=col.right, size=7.5 if col.small else 9, grey=col.small)
        if col.sub:
            sub = cell.add_paragraph()
            sub.paragraph_format.space_after = Pt(0)
            _run(sub, col.sub, size=7.5, grey=True)
    _fill(tbl.add_row().cells[0], "{%tr endfor %}")
    if total is not None:
        row = tbl.add_row()
        for cell, col, text in zip(row.cells, cols, total, strict=True):
            _fill(cell, text, bold=True, right=col.right)
            _shade(cell, TOTAL_FILL)
    for row in tbl.rows:
        _row_flag(row, "w:cantSplit")
    _fix_widths(tbl, cols)
    return tbl


def para(doc: Document, text: str, style: str | None = None, *, italic: bool = False,
         grey: bool = False, size: float | None = None, before: float | None = None,
         page_break: bool = False) -> None:
    """A paragraph with one run; ``before`` adds space above (after a table)."""
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.italic = italic
    if grey:
        run.font.color.rgb = GRIJS
    if size:
        run.font.size = Pt(size)
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if page_break:
        paragraph.paragraph_format.page_break_before = True


def heading(doc: Document, text: str, level: int, *, page_break: bool = False) -> None:
    para(doc, text, f"Heading {level}", page_break=page_break)


def image(doc: Document, tag_text: str) -> None:
    """A paragraph holding only an image tag (``{{ grafieken.uren }}``), centred."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(4)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.add_run(tag_text)


def tag(doc: Document, text: str) -> None:
    """A paragraph-level docxtpl tag alone in its paragraph (text beside it would vanish)."""
    doc.add_paragraph(text)


def _field(paragraph, instr: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instr)
    inner = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "16")
    rpr.append(sz)
    inner.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    paragraph._p.append(field)


def footer(doc: Document) -> None:
    """Title, organisation and 'pagina x van y' on every page."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "{{ titel }} · {{ organisatie }} · pagina ", size=8, grey=True)
    _field(paragraph, "PAGE")
    _run(paragraph, " van ", size=8, grey=True)
    _field(paragraph, "NUMPAGES")
