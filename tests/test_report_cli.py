"""``spsync report`` end to end: the CLI against a sandbox over real HTTP.

The evidence comes from the sandbox itself (its library files and request log), and from the
local files reopened with python-docx, not from what the command prints.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from spsync.cli import main
from spsync.report.evaluation_render import default_evaluation_template
from spsync.report.pdf import find_soffice
from spsync.sandbox import SandboxServer, load_csv_dir

PLEIN = Path(__file__).resolve().parent / "data" / "plein013"
HAS_LO = find_soffice() is not None


def _config(tmp: Path, server: SandboxServer, *, mode: str = "schooljaar",
            extra: str = 'pdf = "auto"') -> Path:
    path = tmp / "spsync.toml"
    path.write_text(f"""
[site]
url = "{server.site_url}"
organisation = "Passend Onderwijs & Co"
[auth]
mode = "sandbox"
[rules]
planjaar_mode = "{mode}"
[report]
output_dir = "{tmp / 'out'}"
{extra}
""", encoding="utf-8")
    return path


def _library(server: SandboxServer) -> dict[str, int]:
    """File name -> version, as the sandbox stores them in MT-rapportages."""
    lst = server.store.get_list("MT-rapportages")
    folder = next(iter({f.folder for f in server.store._files("list_id=?", (lst.id,))}), None)
    if folder is None:
        return {}
    return {f.name: f.version for f in server.store.files_in(folder)}


def _list_writes(server: SandboxServer) -> list[str]:
    """Writes to registration lists (the library file's own metadata does not count)."""
    return [r.path for r in server.requests
            if r.method.upper() in ("MERGE", "PATCH", "PUT", "DELETE")
            and "/items" in r.path.lower() and "MT-rapportages" not in r.path
            and "getfilebyserverrelativeurl" not in r.path.lower()]


def _run(*args: str):
    return CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


def test_jaar_report_is_uploaded_once_per_period_and_the_lists_stay_untouched(sandbox,
                                                                              tmp_path):
    config = _config(tmp_path, sandbox)
    args = ["--config", str(config), "--kind", "jaar", "--planjaar", "2025-2026",
            "--controledatum", "15-05-2026"]
    first = _run(*args)
    assert first.exit_code == 0, first.output
    files = _library(sandbox)
    name = "Jaarevaluatie 2025-2026.docx"
    assert files[name] == 1
    assert ("Jaarevaluatie 2025-2026.pdf" in files) is HAS_LO
    local = tmp_path / "out" / name
    text = "\n".join(p.text for p in docx.Document(str(local)).paragraphs)
    assert "Van de 17 doelen liggen we bij 7 op koers." in text
    assert "Van de 22 activiteiten hebben we er 10 uitgevoerd, zijn we met 9 bezig en zijn er " \
           "3 niet begonnen of niet haalbaar." in text

    second = _run(*args)
    assert second.exit_code == 0, second.output
    again = _library(sandbox)
    assert set(again) == set(files)  # replaced, not a second copy
    assert again[name] == 2
    assert _list_writes(sandbox) == []
    # The library item carries the report's metadata.
    lst = sandbox.store.get_list("MT-rapportages")
    items = {i.data.get("FileLeafRef"): i.data for i in sandbox.store.all_items(lst.id)}
    assert items[name]["Title"] == "Jaarevaluatie 2025-2026"
    assert items[name]["Planjaar"] == "2025-2026"
    assert items[name]["Controledatum"].startswith("2026-05-14T22:00:00")


def test_tertiaal_for_a_kalenderjaar_site(tmp_path):
    db = tmp_path / "plein.db"
    load_csv_dir(db, PLEIN)
    with SandboxServer(db) as server:
        config = _config(tmp_path, server, mode="kalenderjaar", extra='pdf = "off"')
        result = _run("--config", str(config), "--kind", "tertiaal", "--period", "M8",
                      "--controledatum", "2025-09-15", "--out", str(tmp_path / "elders"))
        assert result.exit_code == 0, result.output
        assert set(_library(server)) == {"Tertiaalrapportage 2025-M8.docx"}
    document = docx.Document(str(tmp_path / "elders" / "Tertiaalrapportage 2025-M8.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Tertiaalrapportage M8 2025" in text
    assert "Van de 11 doelen liggen we bij 2 op koers." in text
    assert "Van de 7 activiteiten hebben we er 2 uitgevoerd, zijn we met 3 bezig en zijn er 2 " \
           "niet begonnen of niet haalbaar." in text


def test_no_upload_writes_only_locally(sandbox, tmp_path):
    config = _config(tmp_path, sandbox, extra='pdf = "off"')
    result = _run("--config", str(config), "--kind", "weekly", "--week", "2026-W20",
                  "--no-upload")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "MT-rapportage 2026-W20.docx").exists()
    assert _library(sandbox) == {}


def test_broken_template_is_a_dutch_error_naming_template_and_tag(sandbox, tmp_path):
    document = docx.Document(io.BytesIO(default_evaluation_template("jaar")))
    document.add_paragraph("{{ samenvatting.doelen_zin }")
    broken = tmp_path / "mijn-jaarevaluatie.docx"
    document.save(str(broken))
    config = _config(tmp_path, sandbox, extra=f'[report.templates]\njaar = "{broken}"')
    result = CliRunner().invoke(main, ["report", "--config", str(config), "--kind", "jaar",
                                       "--planjaar", "2025-2026"])
    assert result.exit_code == 1
    assert "Sjabloon 'mijn-jaarevaluatie.docx'" in result.output
    assert "{{ samenvatting.doelen_zin }" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert _library(sandbox) == {}


@pytest.mark.parametrize(("args", "fragment"), [
    (["--kind", "tertiaal"], "--period"),
    (["--kind", "jaar", "--planjaar", "2025"], "planjaar_mode"),
    (["--kind", "jaar", "--controledatum", "31-02-2026"], "geen datum"),
])
def test_wrong_options_are_dutch_errors(sandbox, tmp_path, args, fragment):
    config = _config(tmp_path, sandbox)
    result = CliRunner().invoke(main, ["report", "--config", str(config), *args])
    assert result.exit_code == 2
    assert result.output.startswith("Fout: ") and fragment in result.output
    assert "Traceback" not in result.output


def test_pdf_on_without_libreoffice_is_a_problem_but_the_report_is_there(sandbox, tmp_path,
                                                                          monkeypatch):
    config = _config(tmp_path, sandbox, extra='pdf = "on"')
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on PATH
    result = _run("--config", str(config), "--kind", "jaar", "--planjaar", "2025-2026")
    assert result.exit_code == 1
    assert "LibreOffice" in result.output
    assert set(_library(sandbox)) == {"Jaarevaluatie 2025-2026.docx"}
