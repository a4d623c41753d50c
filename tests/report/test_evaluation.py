"""Tertiaal report and annual evaluation: summary counts equal to the lists', rendering, PDF.

Each CheckResult is made the real way: CSVs loaded into a sandbox, read over HTTP by the real
client library, checked by ``run_checks``. The expected counts are computed here from the CSVs
(voortgang per DATA-MODEL §5.7 with CategorieHandmatig first; doelen from the independent
reference results in ``expected/`` or the hand-derived Plein 013 README, DoelStatusHandmatig
first), never from what the report module produced.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from spsync.auth import sandbox_token
from spsync.checks import run_checks
from spsync.config import config_from_dict
from spsync.demo import demo_data_dir
from spsync.reader import read_snapshot
from spsync.report import ReportMeta, build_context, render_report
from spsync.report.evaluation import MAX_CEL, build_evaluation_context
from spsync.report.evaluation_render import default_evaluation_template, render_evaluation
from spsync.report.pdf import find_soffice, pdf_pages, to_pdf
from spsync.report.render import ReportTemplateError
from spsync.sandbox import SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway

DEMO = demo_data_dir()
PLEIN = Path(__file__).resolve().parents[1] / "data" / "plein013"
DEMO_C = date(2026, 5, 15)
PLEIN_C1 = date(2025, 9, 15)
NOW = datetime(2026, 5, 15, 7, 30)

#: DATA-MODEL §5.7, written out again for the test (not imported from the checks).
CATEGORIE = {
    "afgerond": "Uitgevoerd", "behaald": "Uitgevoerd",
    "deels behaald": "Mee bezig", "deels behaald, mee bezig": "Mee bezig",
    "niet behaald, mee bezig": "Mee bezig",
    "niet behaald": "Niet begonnen of niet haalbaar",
    "afgerond, niet haalbaar": "Niet begonnen of niet haalbaar",
    "nog niet gestart": "Niet begonnen of niet haalbaar",
}
#: Plein 013 README "Doelen" table (the same at C1 and C2).
PLEIN_DOELEN = {"Op koers": {"D-SP1-1", "D-SP4-1"},
                "Niet op koers": {"D-SP2-1", "D-SP6-1", "D-SP6-2"}}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _norm(text: str) -> str:
    text = " ".join((text or "").split()).casefold().removesuffix(".")
    return text.replace("afgerond: niet haalbaar", "afgerond, niet haalbaar")


def expected_activities(data: Path, planjaar: str) -> tuple[dict[str, int], int]:
    """(count per category, count without a category) from activiteiten.csv."""
    counts = {"Uitgevoerd": 0, "Mee bezig": 0, "Niet begonnen of niet haalbaar": 0}
    zonder = 0
    for row in _csv(data / "activiteiten.csv"):
        if row["Planjaar"].strip() != planjaar:
            continue
        cat = (row.get("CategorieHandmatig") or "").strip() or CATEGORIE.get(_norm(row["Voortgang"]))
        if cat in counts:
            counts[cat] += 1
        else:
            zonder += 1
    return counts, zonder


def expected_goals(data: Path, computed: dict[str, str]) -> dict[str, int]:
    """Count per doelstatus: DoelStatusHandmatig where set, else the independent status."""
    counts = {"Op koers": 0, "Niet op koers": 0, "Nog niet meetbaar": 0}
    for row in _csv(data / "doelen.csv"):
        counts[(row.get("DoelStatusHandmatig") or "").strip()
               or computed.get(row["DoelCode"], "Nog niet meetbaar")] += 1
    return counts


def demo_goal_statuses() -> dict[str, str]:
    return {r["DoelCode"]: r["DoelStatus"]
            for r in _csv(DEMO / "expected" / "doelen_status.csv")}


def plein_goal_statuses() -> dict[str, str]:
    return {code: status for status, codes in PLEIN_DOELEN.items() for code in codes}


def site_result(tmp: Path, data: Path, mode: str, controledatum: date):
    """Load ``data`` into a fresh sandbox, read it over HTTP, run the checks."""
    db = tmp / f"{data.name}-{controledatum}.db"
    load_csv_dir(db, data)
    with SandboxServer(db) as server:
        config = config_from_dict({"site": {"url": server.site_url},
                                   "auth": {"mode": "sandbox"},
                                   "rules": {"planjaar_mode": mode}})
        gateway = SharePointGateway(server.site_url, sandbox_token)
        try:
            snapshot = read_snapshot(gateway, config)
        finally:
            gateway.close()
    return run_checks(snapshot.tables, config.rules.to_settings(), controledatum)


def sentences(goals: dict[str, int], acts: dict[str, int]) -> tuple[str, str]:
    g, a = sum(goals.values()), sum(acts.values())
    return (f"Van de {g} doelen liggen we bij {goals['Op koers']} op koers.",
            (f"Van de {a} activiteiten hebben we er {acts['Uitgevoerd']} uitgevoerd, zijn we "
             f"met {acts['Mee bezig']} bezig en zijn er "
             f"{acts['Niet begonnen of niet haalbaar']} niet begonnen of niet haalbaar."))


def document_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    return site_result(tmp_path_factory.mktemp("demo"), DEMO, "schooljaar", DEMO_C)


@pytest.fixture(scope="module")
def plein_result(tmp_path_factory):
    return site_result(tmp_path_factory.mktemp("plein"), PLEIN, "kalenderjaar", PLEIN_C1)


CASES = [
    ("demo", "jaar", "2025-2026"),
    ("demo", "tertiaal", "2025-2026-M8"),
    ("plein", "jaar", "2025"),
    ("plein", "tertiaal", "2025-M8"),
]


@pytest.mark.parametrize(("site", "kind", "period"), CASES)
def test_summary_sentences_state_the_counts_of_the_lists(site, kind, period, request):
    result = request.getfixturevalue(f"{site}_result")
    data, pj = (DEMO, "2025-2026") if site == "demo" else (PLEIN, "2025")
    statuses = demo_goal_statuses() if site == "demo" else plein_goal_statuses()
    goals = expected_goals(data, statuses)
    acts, zonder = expected_activities(data, pj)
    meta = ReportMeta("Organisatie", result.controledatum, generated_at=NOW)

    ctx = build_evaluation_context(result, meta, kind=kind, period=period)
    doel_zin, act_zin = sentences(goals, acts)
    assert ctx["samenvatting"]["doelen_zin"].startswith(doel_zin)
    assert ctx["samenvatting"]["activiteiten_zin"].startswith(act_zin)
    assert ctx["samenvatting"]["activiteiten_zonder_voortgang"] == zonder
    # The per-hoofdlijn tables hold exactly the counted doelen and activiteiten.
    assert sum(len(h["doelen"]) for h in ctx["hoofdlijnen"]) == sum(goals.values())
    assert sum(len(h["activiteiten"]) for h in ctx["hoofdlijnen"]) == sum(acts.values()) + zonder

    text = document_text(render_evaluation(ctx, kind, now=NOW))
    assert doel_zin in text and act_zin in text
    assert ctx["titel"] in text


def test_demo_numbers_are_the_known_ones(demo_result):
    meta = ReportMeta("Demo", DEMO_C, generated_at=NOW)
    ctx = build_evaluation_context(demo_result, meta, kind="jaar", period="2025-2026")
    s = ctx["samenvatting"]
    assert s["doelen_zin"] == ("Van de 17 doelen liggen we bij 7 op koers. Bij 5 doelen liggen "
                               "we niet op koers en bij 5 is dat nog niet meetbaar.")
    assert s["activiteiten_zin"].startswith(
        "Van de 22 activiteiten hebben we er 10 uitgevoerd, zijn we met 9 bezig en zijn er 3 "
        "niet begonnen of niet haalbaar. Bij 1 activiteit is de voortgang niet of niet geldig "
        "ingevuld")
    # The invalid voortgang 'Klaar' is named in Datakwaliteit, not silently dropped.
    assert any("Klaar" in b["melding"] for b in ctx["datakwaliteit"]["bevindingen"])
    assert ctx["tussenstand"] and ctx["tussenstand_tekst"].startswith("Tussenstand per 15-05-2026")


def test_tertiaal_m8_covers_its_four_months_and_money(plein_result):
    meta = ReportMeta("Plein 013", PLEIN_C1, generated_at=NOW)
    ctx = build_evaluation_context(plein_result, meta, kind="tertiaal", period="2025-M8")
    assert ctx["titel"] == "Tertiaalrapportage M8 2025"
    assert ctx["periode"] == "M8: 1 mei 2025 t/m 31 augustus 2025"
    assert ctx["planjaar"] == "kalenderjaar 2025"
    # Jaarkalender rows whose bespreekperiode overlaps May-August 2025 (README table).
    docs = [r["document"] for r in ctx["jaarkalender"]["regels"]]
    assert docs == ["Doelgroepenanalyse SO", "M8-rapportage 2025"]
    # Money per project: the seed amounts, € overshoot of PL-25-04 shown.
    money = {r["code"]: r for r in ctx["financien"]["projecten"]}
    assert money["PL-25-04"]["begroot"] == "€ 50.000"
    assert money["PL-25-04"]["werkelijk"] == "€ 52.500"
    assert money["PL-25-04"]["status"] == "Overschreden"
    assert money["PL-25-02"]["begroot"] == "p.m."


def _edited_copy(tmp: Path, data: Path) -> Path:
    """The CSVs with CategorieHandmatig and DoelStatusHandmatig set on a few rows."""
    target = tmp / "edited"
    shutil.copytree(data, target)
    acts = _csv(target / "activiteiten.csv")
    for row in acts:
        row["CategorieHandmatig"] = {"A-01": "Uitgevoerd", "A-22": "Uitgevoerd",
                                     "A-18": "Mee bezig"}.get(row["ActiviteitCode"], "")
    doelen = _csv(target / "doelen.csv")
    status = demo_goal_statuses()
    flipped = next(code for code, s in status.items() if s == "Niet op koers")
    for row in doelen:
        row["DoelStatusHandmatig"] = "Op koers" if row["DoelCode"] == flipped else ""
    for name, rows in (("activiteiten.csv", acts), ("doelen.csv", doelen)):
        with (target / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return target


def test_manual_category_and_goal_status_are_honoured(tmp_path):
    data = _edited_copy(tmp_path, DEMO)
    result = site_result(tmp_path, data, "schooljaar", DEMO_C)
    goals = expected_goals(data, demo_goal_statuses())
    acts, zonder = expected_activities(data, "2025-2026")
    # The edits moved the numbers away from the demo's 10/9/3 and 7/5/5 ...
    assert (acts["Uitgevoerd"], acts["Mee bezig"], acts["Niet begonnen of niet haalbaar"],
            zonder) == (12, 9, 2, 0)
    assert (goals["Op koers"], goals["Niet op koers"]) == (8, 4)
    # ... and the report follows them.
    ctx = build_evaluation_context(result, ReportMeta("Demo", DEMO_C, generated_at=NOW),
                                   kind="jaar", period="2025-2026")
    doel_zin, act_zin = sentences(goals, acts)
    assert ctx["samenvatting"]["doelen_zin"].startswith(doel_zin)
    assert ctx["samenvatting"]["activiteiten_zin"] == act_zin


def test_list_text_renders_literally_and_safely(tmp_path):
    data = tmp_path / "tricky"
    shutil.copytree(DEMO, data)
    acts = _csv(data / "activiteiten.csv")
    acts[0]["Title"] = 'R&D <pilot> "test" {{ 7*7 }} {% if true %}x{% endif %} 🎉\nregel 2'
    acts[1]["Title"] = "gevaar\u202egnipmuts"
    acts[2]["Title"] = "lang " + "x" * 10_000
    with (data / "activiteiten.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(acts[0]))
        writer.writeheader()
        writer.writerows(acts)
    result = site_result(tmp_path, data, "schooljaar", DEMO_C)
    for kind, period in (("jaar", "2025-2026"), ("tertiaal", "2025-2026-M8")):
        ctx = build_evaluation_context(result, ReportMeta("R&D <org>", DEMO_C,
                                                          generated_at=NOW),
                                       kind=kind, period=period)
        text = document_text(render_evaluation(ctx, kind, now=NOW))
        assert 'R&D <pilot> "test" {{ 7*7 }} {% if true %}x{% endif %} 🎉' in text
        assert "regel 2" in text
        assert "\u202e" not in text and "gevaargnipmuts" in text
        long_cell = next(line for line in text.splitlines() if line.startswith("lang xxx"))
        assert long_cell.endswith("…") and len(long_cell) <= MAX_CEL
        assert "R&D <org>" in text


def _template_with(tmp: Path, kind: str, line: str) -> Path:
    document = docx.Document(io.BytesIO(default_evaluation_template(kind)))
    document.add_paragraph("Een eigen alinea.")
    document.add_paragraph(line)
    path = tmp / f"kapot-{kind}.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize(("line", "tag", "reason"), [
    ("{{ titel }", "{{ titel }", "onverwacht teken"),
    ("{% for x in hoofdlijnen %}", "{% for x in hoofdlijnen %}", "endfor"),
    ("{{ titel | weg }}", "{{ titel | weg }}", "onbekend filter 'weg'"),
    ("{{ onbekend_veld }}", "{{ onbekend_veld }}", "onbekend"),
    ("{{ cycler.__init__.__globals__.os }}", None, "niet toegestaan"),
    ("{{ 'x' * 10**7 }}", None, "te groot"),
])
def test_broken_template_error_names_template_and_tag(tmp_path, plein_result, line, tag, reason):
    ctx = build_evaluation_context(plein_result, ReportMeta("P", PLEIN_C1, generated_at=NOW),
                                   kind="jaar", period="2025")
    path = _template_with(tmp_path, "jaar", line)
    with pytest.raises(ReportTemplateError) as info:
        render_evaluation(ctx, "jaar", path)
    message = str(info.value)
    assert message.startswith("Sjabloon 'kapot-jaar.docx'")
    assert reason in message
    if tag:
        assert tag in message


def test_edited_template_may_reorder_and_drop_sections(tmp_path, plein_result):
    """An edited copy only has to keep its title; wording is staff's."""
    document = docx.Document(io.BytesIO(default_evaluation_template("tertiaal")))
    body = document.element.body
    first = document.paragraphs[0]._p
    mine = document.add_paragraph("Onze eigen inleiding voor {{ organisatie }}.")._p
    body.remove(mine)
    first.addnext(mine)
    path = tmp_path / "eigen.docx"
    document.save(str(path))
    ctx = build_evaluation_context(plein_result, ReportMeta("Plein & 013", PLEIN_C1,
                                                            generated_at=NOW),
                                   kind="tertiaal", period="2025-M8")
    text = document_text(render_evaluation(ctx, "tertiaal", path, now=NOW))
    assert "Onze eigen inleiding voor Plein & 013." in text
    assert ctx["samenvatting"]["doelen_zin"] in text


def test_core_properties_are_this_rendering(plein_result):
    ctx = build_evaluation_context(plein_result, ReportMeta("P", PLEIN_C1, generated_at=NOW),
                                   kind="jaar", period="2025")
    props = docx.Document(io.BytesIO(render_evaluation(ctx, "jaar", now=NOW))).core_properties
    assert props.title == "Jaarevaluatie kalenderjaar 2025"
    assert props.author == "spsync" and props.language == "nl-NL"
    assert props.created.year == 2026 and props.modified.year == 2026


needs_libreoffice = pytest.mark.skipif(find_soffice() is None,
                                       reason="LibreOffice (soffice) is not installed")


@needs_libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["weekly", "tertiaal", "jaar"])
def test_pdf_of_each_report_kind_has_pages(tmp_path, demo_result, kind):
    meta = ReportMeta("Demo", DEMO_C, generated_at=NOW)
    path = tmp_path / f"{kind}.docx"
    if kind == "weekly":
        render_report(build_context(demo_result, meta), out_path=path)
    else:
        ctx = build_evaluation_context(demo_result, meta, kind=kind,
                                       period="2025-2026-M8" if kind == "tertiaal"
                                       else "2025-2026")
        render_evaluation(ctx, kind, out_path=path, now=NOW)
    pdf = to_pdf(path)
    assert pdf == path.with_suffix(".pdf") and pdf.exists()
    assert pdf_pages(pdf) >= 1


def test_pdf_is_none_without_libreoffice(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no soffice
    path = tmp_path / "x.docx"
    path.write_bytes(b"not used")
    with caplog.at_level("INFO"):
        assert to_pdf(path) is None
    assert "LibreOffice" in caplog.text and not path.with_suffix(".pdf").exists()


@needs_libreoffice
def test_pdf_of_a_broken_docx_is_an_error_not_a_silent_success(tmp_path):
    from spsync.report.pdf import PdfError

    path = tmp_path / "kapot.docx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(PdfError) as info:
        to_pdf(path, timeout=60)
    assert "kapot.docx" in str(info.value)


def _field_names(value, prefix: str = "") -> set[str]:
    """Dotted names of a context, one level into lists of dicts (as the README lists them)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            names.add(key)
            names |= _field_names(inner)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        names |= _field_names(value[0])
    return names


def test_templates_readme_documents_every_field(demo_result):
    readme = (Path(__file__).resolve().parents[2] / "templates" / "README.md").read_text(
        encoding="utf-8")
    ctx = build_evaluation_context(demo_result, ReportMeta("D", DEMO_C, generated_at=NOW),
                                   kind="tertiaal", period="2025-2026-M8")
    missing = sorted(n for n in _field_names(ctx)
                     if not re.search(r"(?:[`.]|\{\{ )" + re.escape(n) + r"[`\s},]", readme))
    assert missing == []


def test_pdf_timeout_kills_the_whole_process_group(tmp_path, monkeypatch):
    """A hanging LibreOffice (and any child it started) is killed after the time-out."""
    import os
    import time

    from spsync.report.pdf import PdfError

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    child_pid = tmp_path / "child.pid"
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {child_pid}\nwait\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ.get('PATH', '')}")
    path = tmp_path / "x.docx"
    path.write_bytes(b"x")
    started = time.monotonic()
    with pytest.raises(PdfError) as info:
        to_pdf(path, timeout=1)
    assert time.monotonic() - started < 10
    assert "1 seconden" in str(info.value)
    pid = int(child_pid.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the child of the fake soffice is still running")


def test_missing_or_non_word_template_is_named(tmp_path, plein_result):
    ctx = build_evaluation_context(plein_result, ReportMeta("P", PLEIN_C1, generated_at=NOW),
                                   kind="tertiaal", period="2025-M8")
    with pytest.raises(ReportTemplateError) as info:
        render_evaluation(ctx, "tertiaal", tmp_path / "weg.docx")
    assert "Sjabloon 'weg.docx' bestaat niet" in str(info.value)
    not_word = tmp_path / "tekst.docx"
    not_word.write_text("geen Word-bestand", encoding="utf-8")
    with pytest.raises(ReportTemplateError) as info:
        render_evaluation(ctx, "tertiaal", not_word)
    assert str(info.value).startswith("Sjabloon 'tekst.docx'")
    assert "Jinja" not in str(info.value)


def test_per_hoofdlijn_counts_add_up_to_the_summary(demo_result):
    ctx = build_evaluation_context(demo_result, ReportMeta("D", DEMO_C, generated_at=NOW),
                                   kind="jaar", period="2025-2026")
    rows = ctx["samenvatting"]["per_hoofdlijn"]
    assert sum(int(r["doelen"]) for r in rows) == 17
    assert sum(int(r["op_koers"]) for r in rows) == 7
    assert sum(int(r["uitgevoerd"]) for r in rows) == 10
    # Hoofdlijnen in their Volgorde, as in the lists.
    titles = [r["Title"] for r in _csv(DEMO / "hoofdlijnen.csv")]
    assert [r["naam"] for r in rows] == [t for t in titles if t in {r["naam"] for r in rows}]
