"""Rendering the MT-rapportage: content, escaping, privacy and the Jinja sandbox."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from jinja2.sandbox import SecurityError
from report_factory import MELDING_MET_TEKENS, NAAM_MET_TEKENS, demo_result, make_result

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
from spsync.report.render import default_template_bytes

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = ["Samenvatting", "Projecten per hoofdlijn", "Prognose", "Jaarkalender", "Doelen en indicatoren",
            "Datakwaliteit"]


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _rows(doc) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


def _headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def _all_text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in _rows(doc)])


def _row_with(doc, needle: str) -> list[str]:
    matches = [r for r in _rows(doc) if needle in r]
    assert matches, f"no table row with {needle!r}"
    return matches[0]


def _template_with(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def doc(result, meta):
    return _open(render_report(result, meta))


def test_output_reopens_with_title_and_sections(doc):
    assert doc.paragraphs[0].text == "MT-rapportage 2026-W20"
    assert doc.paragraphs[0].style.name == "Title"
    headings = _headings(doc)
    for heading in HEADINGS:
        assert heading in headings
    assert headings.index("Samenvatting") < headings.index("Projecten per hoofdlijn") < \
        headings.index("Prognose") < headings.index("Jaarkalender") < \
        headings.index("Doelen en indicatoren") < headings.index("Datakwaliteit")
    text = _all_text(doc)
    assert "Controledatum 15-05-2026" in text
    assert "Tussenstand per 15-05-2026" in text
    assert "schooljaar 2025-2026" in text
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_tables_have_fixed_widths_in_the_grid(doc):
    """LibreOffice lays tables out from the grid: without widths there, columns come out equal."""
    for table in doc.tables:
        widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(widths) <= 174 * 57  # within the text width of A4 with 18 mm margins
    project_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Project")
    code, naam, *numbers = [int(c.get(qn("w:w")))
                            for c in project_table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert naam > 2 * code and all(n < code for n in numbers[:4])


def test_every_project_row_is_in_a_table(doc, result):
    first_cells = {r[0] for r in _rows(doc)}
    for code in result.projecten["ProjectCode"]:
        assert code in first_cells
    assert "Zonder (bekende) hoofdlijn" in _headings(doc)


def test_dutch_numbers_in_project_and_total_rows(doc):
    row = _row_with(doc, "P-2526-04")
    assert row[1] == f"{NAAM_MET_TEKENS}\nProject"  # type in small print under the name
    assert row[2:] == ["240,0", "262,5", "-22,5", "109,4%", "Overschreden"]
    assert _row_with(doc, "SUB-2526-01")[-1] == "Binnen uren, budget overschreden"
    totals = [r for r in _rows(doc) if r[0] == "Totaal"]
    assert ["Totaal", "2 projecten", "1.248,0", "1.140,0", "108,0", "91,3%", ""] in totals
    assert ["Totaal", "7", "1.768,0", "1.620,5", "147,5", "91,7%"] in totals  # per hoofdlijn
    assert _row_with(doc, "Projecten binnen uren") == [
        "Projecten binnen uren", "80,0%", "4 van 5", "minimaal 75%", "Behaald (tussenstand)"]
    assert "Geboekt: 1.620,5 van de 1.768,0 toegekende uren (91,7%)" in _all_text(doc)


def test_calendar_tables(doc):
    assert _row_with(doc, "Voortgangsrapportage dekkend netwerk") == [
        "Voortgangsrapportage dekkend netwerk", "OPR", "15-02-2026", "89",
        "teamleider toeleiding"]
    assert _row_with(doc, "Voortgang onderwijs & jeugdhulp")[2:4] == ["15-04-2026", "30"]
    assert _row_with(doc, "Begroting 2026")[2:] == ["Te laat besproken", "22-01-2026", "ALV",
                                                    "34"]
    assert _row_with(doc, "Jaarplan 2026-2027")[2:4] == ["25-05-2026 t/m 30-06-2026",
                                                         "Binnenkort"]


def test_every_finding_is_listed(doc, result):
    for finding in result.findings:
        assert _row_with(doc, finding.message) == [finding.ref, finding.message, finding.code]
    assert "6 bevindingen. Per lijst" in _all_text(doc)
    assert "Urenregistratie (1)" in _headings(doc)
    assert "Geen bevindingen" not in _all_text(doc)


def test_empty_states(meta):
    res = make_result(bad_rows=False)
    res.jaarkalender = res.jaarkalender[res.jaarkalender["KalenderStatus"] == "Vervallen"]
    text = _all_text(_open(render_report(build_context(res, meta, []))))
    assert "Geen bevindingen: alle gecontroleerde lijsten zijn in orde." in text
    assert "Datakwaliteit: geen bevindingen." in text
    assert "Geen gemiste documenten." in text
    assert "Geen documenten te laat, te vroeg of in een ander overleg besproken." in text
    assert "Geen documenten in of vlak voor hun bespreekperiode." in text


def test_no_hours_per_person_by_default(doc):
    text = _all_text(doc)
    assert "Jeroen Jansen" not in text
    assert "Uren per medewerker per project" not in _headings(doc)
    assert "Uren per medewerker worden niet getoond." in text


def test_hours_per_person_when_enabled(result, meta):
    doc = _open(render_report(result, dataclasses.replace(meta, show_hours_per_person=True)))
    assert "Uren per medewerker per project" in _headings(doc)
    assert _row_with(doc, "Jeroen Jansen") == ["Jeroen Jansen", "P-2526-04", "262,5"]
    assert _row_with(doc, "beleidsmedewerker 1")[1:] == ["P-2526-01", "184,0"]
    assert "Foutje Persoon" not in _all_text(doc)


def test_special_characters_survive_intact(doc):
    assert _row_with(doc, "P-2526-04")[1].startswith(NAAM_MET_TEKENS)
    assert _row_with(doc, MELDING_MET_TEKENS)[0] == "ID 166"
    assert "Passend Onderwijs Almere & Co – schooljaar 2025-2026" in _all_text(doc)
    assert "Financiën" in _headings(doc)
    # content after the special characters is still there (no silent truncation)
    assert _headings(doc)[-1] == "Activiteiten (1)"


def test_forecast_section(doc):
    assert "Prognose" in _headings(doc)
    assert "Lineaire prognose: geboekte uren gedeeld door het verstreken deel van de " \
           "projectperiode (kalenderdagen)." in _all_text(doc)
    prognose = [r for r in _rows(doc) if len(r) == 7 and r[-1] in (
        "al overschreden", "08-06-2026", "09-06-2026", "13-07-2026")]
    assert prognose == [
        ["P-2526-01", "Almeerse matrix", "200,0", "184,0", "226,8", "26,8", "08-06-2026"],
        ["P-2526-04", NAAM_MET_TEKENS, "240,0", "262,5", "323,5", "83,5", "al overschreden"],
        ["P-2526-09", "Beleids- en kwaliteitscyclus", "1.200,0", "1.100,5", "1.356,3", "156,3",
         "09-06-2026"],
        ["SUB-2526-01", "Subsidie Begaafde leerlingen", "48,0", "39,5", "48,7", "0,7",
         "13-07-2026"],
    ]


def test_missing_optional_columns_render(meta):
    res = make_result()
    res.projecten = res.projecten.drop(columns=[
        "Hoofdlijn", "BudgetStatus", "VerbruikPct", "PrognoseUren"])
    res.jaarkalender = res.jaarkalender.drop(columns=["DagenTeLaat", "Eigenaar"])
    res.doelen = res.doelen.iloc[0:0]
    res.activiteiten = res.activiteiten.iloc[0:0]
    res.indicatoren = res.indicatoren.iloc[0:0]
    doc = _open(render_report(res, meta))
    assert "Doelen en indicatoren" not in _headings(doc)
    assert "Prognose" not in _headings(doc)
    # Verbruik is recomputed from the hours; without a BudgetStatus only the urenstatus shows
    assert _row_with(doc, "P-2526-09")[5:] == ["91,7%", "Risico op overschrijding"]
    assert _row_with(doc, "Voortgangsrapportage dekkend netwerk")[3] == "–"


def test_demo_report_headline_numbers_and_findings():
    """The demo scenario through run_checks and the packaged template: what the MT reads."""
    result = demo_result()
    meta = ReportMeta(organisation="Passend Onderwijs Almere (demo)",
                      controledatum=result.controledatum)
    doc = _open(render_report(build_context(result, meta)))
    text = _all_text(doc)
    assert _row_with(doc, "Projecten binnen uren")[1] == "77,8%"
    assert _row_with(doc, "Formele documenten volgens jaarkalender")[1] == "64,7%"
    assert "77,8%" in text and "64,7%" in text and "1.696,0" in text
    first_cells = {r[0] for r in _rows(doc)}
    for code in result.projecten["ProjectCode"]:
        assert code in first_cells
    gemist = [r for r in _rows(doc) if len(r) == 5 and r[3] in ("89", "30")]
    assert [r[3] for r in gemist] == ["89", "30"]  # most overdue first
    assert len(build_context(result, meta)["jaarkalender"]["gemist"]) == 2
    assert result.findings
    for finding in result.findings:
        assert _row_with(doc, finding.message)[0] == finding.ref
    assert f"{len(result.findings)} bevindingen" in text


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


def test_lipsum_globals_render_empty():
    doc = _open(render_docx({}, _template_with("[{{ lipsum.__globals__ }}]")))
    assert doc.paragraphs[0].text == "[]"


def test_broken_template_and_garbage_are_reported():
    with pytest.raises(ReportTemplateError):
        render_docx({}, _template_with("{% for x in y %} niet gesloten"))
    with pytest.raises(ReportTemplateError):
        render_docx({}, b"geen docx")
    with pytest.raises(ReportValidationError):
        validate_docx(b"geen docx")


def test_validation_requires_expected_content(result, meta):
    stripped = _template_with("{{ titel }}")  # a template that drops the project tables
    with pytest.raises(ReportValidationError, match="P-2526-01"):
        render_report(result, meta, template=stripped)
    data = render_report(result, meta, template=stripped, strict=False)
    assert _open(data).paragraphs[0].text == "MT-rapportage 2026-W20"


def test_render_report_accepts_a_built_context(result, meta):
    ctx = build_context(result, meta)
    doc = _open(render_report(ctx, template=ROOT / "templates" / "mt-rapportage.docx"))
    assert "P-2526-11" in {r[0] for r in _rows(doc)}
    with pytest.raises(TypeError):
        render_report(result)


def test_writes_out_path(result, meta, tmp_path):
    target = tmp_path / "sub" / report_filename(meta)
    data = render_report(result, meta, out_path=target)
    assert target.name == "MT-rapportage 2026-W20.docx"
    assert target.read_bytes() == data
    assert not list(target.parent.glob("*.tmp"))


def test_packaged_template_matches_repo_copy_and_context(result, meta):
    repo_copy = (ROOT / "templates" / "mt-rapportage.docx").read_bytes()
    assert default_template_bytes() == repo_copy
    ctx = build_context(result, meta)
    assert check_template(None, ctx) == []
    assert {"titel", "hoofdlijnen", "jaarkalender", "datakwaliteit"} <= template_variables()
