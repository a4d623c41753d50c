"""Rendering the weekly MT-rapportage: what a reader finds in the .docx, charts, links, file
properties, escaping, injection, bidi, long titles, the sandbox and broken templates."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2.sandbox import SecurityError
from report_factory import demo_result, make_result, make_tables

from spsync.checks import CheckSettings, run_checks
from spsync.exceptions import ReportError
from spsync.report import (
    ReportMeta,
    ReportTemplateError,
    ReportValidationError,
    build_context,
    check_template,
    render_docx,
    render_report,
    report_filename,
    template_variables,
    validate_docx,
)
from spsync.report.history import PreviousFigures, PreviousIndicator
from spsync.report.render import default_template_bytes

ROOT = Path(__file__).resolve().parents[2]
SITE = "http://127.0.0.1:9/sites/swv"
HEADINGS = ["Wat vraagt aandacht", "Kerncijfers", "Uren en budget", "Projecten per hoofdlijn",
            "Jaarkalender", "Signalen deze week", "Doelen en indicatoren", "Datakwaliteit",
            "Colofon"]


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _tables(doc):
    return doc.tables


def _rows(doc) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


def _headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def _all_text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in _rows(doc)])


def _row_with(doc, needle: str) -> list[str]:
    matches = [r for r in _rows(doc) if any(needle in c for c in r)]
    assert matches, f"no table row with {needle!r}"
    return matches[0]


def _table_after(doc, heading: str):
    """The first table that follows the paragraph ``heading`` in the body."""
    body = doc.element.body
    seen = False
    for el in body.iterchildren():
        if el.tag == qn("w:p") and Paragraph(el, doc._body).text == heading:
            seen = True
        elif seen and el.tag == qn("w:tbl"):
            return Table(el, doc._body)
    raise AssertionError(f"no table after {heading!r}")


def _project_row(doc, code: str) -> list[str]:
    matches = [r for r in _rows(doc) if r[0] == code]
    assert matches, f"no project row {code}"
    return matches[0]


def _links(doc) -> list[str]:
    return [r.target_ref for r in doc.part.rels.values() if r.reltype == RT.HYPERLINK]


def _template_with(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def demo():
    return demo_result()


@pytest.fixture(scope="module")
def demo_meta(demo):
    return ReportMeta(organisation="Passend Onderwijs Almere (demo)",
                      controledatum=demo.controledatum, site_url=SITE, run_id="run-7",
                      generated_at=datetime(2026, 5, 15, 7, 30))


@pytest.fixture(scope="module")
def demo_doc(demo, demo_meta):
    return _open(render_report(demo, demo_meta))


def test_sections_in_reading_order(demo_doc):
    assert demo_doc.paragraphs[0].text == "MT-rapportage 2026-W20"
    assert demo_doc.paragraphs[0].style.name == "Title"
    headings = _headings(demo_doc)
    assert [h for h in headings if h in HEADINGS] == HEADINGS
    text = _all_text(demo_doc)
    assert "Controledatum 15 mei 2026 · week 20 van 2026" in text
    assert "Passend Onderwijs Almere (demo) · schooljaar 2025-2026" in text
    section = demo_doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_wat_vraagt_aandacht_on_the_demo(demo_doc):
    table = _table_after(demo_doc, "12 punten vragen aandacht.")
    rows = [[c.text for c in r.cells] for r in table.rows][1:]
    named = {r[1].split()[0] for r in rows}
    for code in ("P-2526-04", "P-2526-08", "S-2526-04", "SUB-2526-02", "SUB-2526-01"):
        assert code in named
    by_what = {(r[0], r[1].split()[0]) for r in rows}
    assert ("Budget (€) overschreden", "SUB-2526-01") in by_what
    assert {("Uren overschreden", c) for c in ("P-2526-04", "P-2526-08", "S-2526-04",
                                                "SUB-2526-02")} <= by_what
    gemist = [r for r in rows if r[0] == "Document gemist"]
    assert [r[1] for r in gemist] == ["Voortgangsrapportage dekkend netwerk (OPR)",
                                      "Voortgang samenwerking onderwijs-jeugdhulp (OOGO)"]
    assert gemist[0][2] == "teamleider toeleiding"
    assert ["Uren overschreden", ("P-2526-04 Samenwerking onderwijs-jeugdhulp bij "
                                  "gecombineerde ondersteuningsvraag"), "coördinator onderwijs-jeugdhulp",
            "262,5 van 240,0 uur (109,4%); 22,5 uur te veel"] in rows


def test_links_to_items_and_documents(demo_doc):
    links = _links(demo_doc)
    for item in ("Projecten/DispForm.aspx?ID=4", "Projecten/DispForm.aspx?ID=15",
                 "Jaarkalender/DispForm.aspx?ID=14", "Jaarkalender/DispForm.aspx?ID=19",
                 "Urenregistratie/DispForm.aspx?ID=204", "Indicatoren/DispForm.aspx?ID=15"):
        assert f"{SITE}/Lists/{item}" in links
    hyperlinks = demo_doc.element.body.findall(".//" + qn("w:hyperlink"))
    assert len(hyperlinks) > 40


def test_at_least_three_charts_as_images(demo_doc):
    assert len(demo_doc.inline_shapes) >= 3
    images = [p for p in demo_doc.part.package.parts if p.partname.startswith("/word/media/")]
    assert len(images) >= 3
    assert all(p.blob[:8] == b"\x89PNG\r\n\x1a\n" for p in images)


def test_every_demo_project_in_its_hoofdlijn_table(demo_doc, demo):
    for p in demo.records.projects:
        table = _table_after(demo_doc, p.hoofdlijn)
        codes = [r.cells[0].text for r in table.rows]
        assert p.code in codes, (p.code, p.hoofdlijn)
    row = _project_row(demo_doc, "P-2526-04")
    assert [c.strip() for c in row[2:6]] == ["240,0", "262,5", "-22,5", "109,4%"]
    assert row[6].strip() == "Overschreden" and row[7] == "al overschreden"
    assert "coördinator onderwijs-jeugdhulp" in row[1]
    sub = _project_row(demo_doc, "SUB-2526-01")
    assert sub[6] == "Binnen uren; budget (€) overschreden\n€ 47.250 van € 45.000 (105,0%)"
    totals = [r for r in _rows(demo_doc) if r[0] == "Totaal"]
    assert ["Totaal", "17", "1.912,0", "1.696,0", "216,0", "88,7%"] in totals


def test_kerncijfers_and_change_since_previous_run(demo, demo_meta, demo_doc):
    row = _row_with(demo_doc, "Percentage projecten binnen het aantal toegekende uren")
    assert row[1:5] == ["77,8%", "7 van 9", "minimaal 75%", "Behaald (tussenstand)"]
    assert "Er is geen eerdere run bekend" in _all_text(demo_doc)
    previous = PreviousFigures(indicators={"I-IO-2": PreviousIndicator(72.2, 13, 18),
                                           "I-IO-3": PreviousIndicator(70.0, 7, 10)},
                               controledatum=date(2026, 5, 8))
    doc = _open(render_report(demo, demo_meta, previous=previous))
    assert _row_with(doc, "Percentage projecten binnen het aantal")[5] == "▲ van 72,2%"
    assert _row_with(doc, "Percentage formele documenten volgens")[5] == "▼ van 70,0%"
    assert "vorige run (08-05-2026)" in _all_text(doc)


def test_jaarkalender_and_datakwaliteit_read_as_sentences(demo_doc):
    gemist = _table_after(demo_doc, "Gemist")
    assert [c.text for c in gemist.rows[1].cells][:4] == [
        "Voortgangsrapportage dekkend netwerk", "OPR", "15-02-2026", "89"]
    row = _row_with(demo_doc, "Project (item 1018) bestaat niet (meer)")
    assert row[0].startswith("Boeking van 11-02-2026, beleidsmedewerker 1")
    assert row[2] == "PROJECT_ONBEKEND"  # the code only in the small last column
    assert "1034.0" not in _all_text(demo_doc) and "ID 204" not in _all_text(demo_doc)
    assert "Deze week zijn geen signalen verstuurd." in _all_text(demo_doc)


def test_colofon_and_file_properties(demo_doc):
    text = _all_text(demo_doc)
    assert "Gemaakt door spsync 0.1.0 op 15 mei 2026 om 07:30 (run run-7)" in text
    assert "Projecten 17; Urenregistratie 301" in text
    cp = demo_doc.core_properties
    assert cp.title == "MT-rapportage 2026-W20"
    assert cp.author == "spsync" and cp.last_modified_by == "spsync"
    assert cp.language == "nl-NL"
    # 07:30 in Amsterdam (summer time) is 05:30 UTC, as Word stores it
    assert cp.created == datetime(2026, 5, 15, 5, 30, tzinfo=UTC) == cp.modified
    assert "Passend Onderwijs Almere (demo)" in cp.subject


def test_template_names_carlito(demo_doc):
    fonts = demo_doc.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Carlito"
    assert demo_doc.styles["Heading 1"].font.name == "Carlito"


NASTY = 'R&D <pilot> "duo" 🚀 {{ 7*7 }} {% if 1 %}ja{% endif %}\nregel twee'


def _nasty_result(title: str):
    tables = make_tables()
    p = tables.projecten
    p.loc[p["ProjectCode"] == "P-2526-04", "Title"] = title
    p.loc[p["ProjectCode"] == "P-2526-04", "Eigenaar"] = "Ann & <Bob>"
    return run_checks(tables, CheckSettings(), date(2026, 5, 15))


def test_list_data_renders_literally_never_as_template_code(meta):
    doc = _open(render_report(_nasty_result(NASTY), meta))
    row = _project_row(doc, "P-2526-04")
    shown = 'R&D <pilot> "duo" 🚀 {{ 7*7 }} {% if 1 %}ja{% endif %} regel twee'
    assert row[1].startswith(shown)
    assert "Ann & <Bob>" in row[1]
    assert "49" not in row[1]
    assert _headings(doc)[-1] == "Colofon"  # nothing after the data was lost


def test_bidi_controls_are_removed(meta):
    doc = _open(render_report(_nasty_result("Plan\u202eekreg\u202c \u2066x\u2069\u200f"), meta))
    assert _project_row(doc, "P-2526-04")[1].startswith("Planekreg x")
    text = _all_text(doc)
    assert not any(ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"
                                        "\u2069\u200e\u200f")


def test_a_10000_character_title_is_shortened_everywhere(meta):
    title = "Lang " + "x" * 9995
    doc = _open(render_report(_nasty_result(title), meta))
    cells = [c for r in _rows(doc) for c in r if "xxxxxxxxxx" in c]
    assert cells and all(len(c) < 400 for c in cells)
    assert all("…" in c for c in cells)
    assert title not in _all_text(doc)


def test_hours_per_person_only_when_configured(result, meta):
    doc = _open(render_report(result, meta))
    assert "Jeroen Jansen" not in _all_text(doc)
    assert "Uren per medewerker worden niet getoond." in _all_text(doc)
    shown = _open(render_report(result, dataclasses.replace(meta, show_hours_per_person=True)))
    assert _row_with(shown, "Jeroen Jansen") == ["Jeroen Jansen", "P-2526-04", "262,5"]


def test_empty_states(meta):
    res = make_result(bad_rows=False)
    text = _all_text(_open(render_report(build_context(res, meta, [], with_charts=False))))
    assert "Geen bevindingen: alle gecontroleerde lijsten zijn in orde." in text
    assert "Deze week zijn geen signalen verstuurd." in text


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ ('x' * 10**8)|length }}",
])
def test_sandbox_blocks_malicious_tags(attack):
    with pytest.raises(ReportTemplateError) as info:
        render_docx({"titel": "x"}, _template_with("Kop", attack))
    assert isinstance(info.value.__cause__, SecurityError)


def test_sandbox_has_no_safe_filter_and_escapes():
    with pytest.raises(ReportTemplateError):
        render_docx({"naam": "<b>"}, _template_with("{{ naam|safe }}"))
    doc = _open(render_docx({"naam": "R&D <pilot>"}, _template_with("{{ naam }} en verder")))
    assert doc.paragraphs[0].text == "R&D <pilot> en verder"


def test_broken_template_names_the_file_and_the_tag(tmp_path, result, meta):
    path = tmp_path / "mijn-sjabloon.docx"
    path.write_bytes(_template_with("Kop", "{{ titel }}", "{% for x in y %} niet gesloten",
                                    "slot"))
    with pytest.raises(ReportError) as info:
        render_report(result, meta, template=path)
    err = info.value
    assert err.exit_code == 5 and isinstance(err, ReportTemplateError)  # docs/ERRORS.md
    assert "mijn-sjabloon.docx" in err.message
    assert "{% for x in y %}" in err.message and "alinea 3" in err.message
    assert err.tag == "{% for x in y %}"
    path.write_bytes(_template_with("Kop", "{{ titel }", "slot"))
    with pytest.raises(ReportTemplateError, match=r"mijn-sjabloon.docx.*\{\{ titel \}"):
        render_report(result, meta, template=path)
    with pytest.raises(ReportTemplateError, match="geen geldig Word-bestand"):
        render_docx({}, b"geen docx")
    with pytest.raises(ReportValidationError):
        validate_docx(b"geen docx")


def test_validation_requires_expected_content(result, meta):
    stripped = _template_with("{{ titel }}")  # a template that drops the project tables
    with pytest.raises(ReportValidationError, match="P-2526-01"):
        render_report(result, meta, template=stripped)
    data = render_report(result, meta, template=stripped, strict=False)
    assert _open(data).paragraphs[0].text == "MT-rapportage 2026-W20"


def test_writes_out_path_with_one_name_per_iso_week(result, meta, tmp_path):
    target = tmp_path / "sub" / report_filename(meta)
    data = render_report(result, meta, out_path=target)
    assert target.name == "MT-rapportage 2026-W20.docx"
    assert target.read_bytes() == data
    assert report_filename(dataclasses.replace(meta, controledatum=date(2027, 1, 1))) == \
        "MT-rapportage 2026-W53.docx"


def test_packaged_template_matches_repo_copy_and_context(result, meta):
    repo_copy = (ROOT / "templates" / "mt-rapportage.docx").read_bytes()
    assert default_template_bytes() == repo_copy
    ctx = build_context(result, meta, with_charts=False)
    assert check_template(None, ctx) == []
    assert {"titel", "aandacht", "kerncijfers", "hoofdlijnen", "grafieken", "jaarkalender",
            "signalen", "datakwaliteit", "colofon"} <= template_variables()
