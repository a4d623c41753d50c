"""Regenerate docs/img/: one PNG page per report kind, from the demo data on the sandbox.

    PYTHONPATH=src python scripts/make_docs_images.py     # needs LibreOffice and pdftoppm

Weekly: the demo MT-rapportage 2026-W20 (controledatum 15-05-2026), page 1. Tertiaal: Plein 013
(tests/data/plein013, kalenderjaar) Tertiaalrapportage 2025-M8 as of 15-09-2025, page 1.
Jaar: the demo Jaarevaluatie 2025-2026 as of 15-05-2026, page 2 (doelen with indicatoren).
Each is rendered the way ``spsync report`` renders it, converted with LibreOffice and rasterised
at 70 dpi; each PNG is kept under 300 KB (palette-quantised when larger).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from spsync.auth import sandbox_token
from spsync.checks import run_checks
from spsync.config import config_from_dict
from spsync.demo import demo_data_dir
from spsync.reader import read_snapshot
from spsync.report.pdf import to_pdf
from spsync.report.periods import resolve_period
from spsync.reporting import render_period
from spsync.sandbox import SandboxServer, load_csv_dir
from spsync.sharepoint import SharePointGateway

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
PLEIN = ROOT / "tests" / "data" / "plein013"
MAX_BYTES = 300_000

#: (kind, data, planjaar mode, organisation, period option, controledatum, page, png name)
SHOTS = (
    ("weekly", None, "schooljaar", "Passend Onderwijs Almere (demo)", {"week": "2026-W20"},
     date(2026, 5, 15), 1, "rapport-weekly.png"),
    ("tertiaal", PLEIN, "kalenderjaar", "Plein 013 (voorbeeld)", {"period": "2025-M8"},
     date(2025, 9, 15), 1, "rapport-tertiaal.png"),
    ("jaar", None, "schooljaar", "Passend Onderwijs Almere (demo)",
     {"planjaar_text": "2025-2026"}, date(2026, 5, 15), 2, "rapport-jaar.png"),
)


def _shrink(png: Path) -> None:
    if png.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image  # installed with matplotlib

    with Image.open(png) as image:
        image.convert("RGB").quantize(colors=64).save(png, optimize=True)


def _shot(tmp: Path, kind: str, data: Path | None, mode: str, organisation: str,
          option: dict[str, str], controledatum: date, page: int, name: str) -> Path:
    db = tmp / f"{kind}.db"
    load_csv_dir(db, data or demo_data_dir())
    with SandboxServer(db) as server:
        config = config_from_dict({"site": {"url": server.site_url, "organisation": organisation},
                                   "auth": {"mode": "sandbox"},
                                   "rules": {"planjaar_mode": mode}}, "docs")
        gateway = SharePointGateway(server.site_url, sandbox_token)
        try:
            snapshot = read_snapshot(gateway, config)
        finally:
            gateway.close()
    period = resolve_period(kind, mode, controledatum, controledatum=controledatum, **option)
    result = run_checks(snapshot.tables, config.rules.to_settings(), period.controledatum)
    docx_path = tmp / period.file_name
    generated = datetime.combine(controledatum, time(7, 0), ZoneInfo("Europe/Amsterdam"))
    render_period(result, config, period, docx_path, generated)
    pdf = to_pdf(docx_path)
    if pdf is None:
        raise SystemExit("LibreOffice (soffice) ontbreekt; installeer libreoffice-writer-nogui.")
    target = OUT / name
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(target.with_suffix(""))], check=True)
    _shrink(target)
    return target


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm ontbreekt; installeer poppler-utils.", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spsync-docs-") as tmp:
        for shot in SHOTS:
            target = _shot(Path(tmp), *shot)
            print(f"geschreven: {target.relative_to(ROOT)} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
