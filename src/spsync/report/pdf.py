"""PDF beside the .docx with LibreOffice headless, distrusting its exit code.

LibreOffice exits 0 on a file it could not load and two conversions sharing a profile fail, so
(reference §1) every conversion gets its own throwaway profile, runs in its own process group
that a time-out kills as a whole, and the result counts only when the PDF exists, is newer than
the input and has at least one page (``pdfinfo`` from poppler-utils when present).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from spsync.report.render import ReportError

__all__ = ["PdfError", "find_soffice", "pdf_pages", "to_pdf"]

log = logging.getLogger(__name__)


class PdfError(ReportError):
    """LibreOffice was there but made no usable PDF (time-out, no file, no pages)."""


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_pages(pdf: Path, timeout: float = 30) -> int:
    """Number of pages: ``pdfinfo`` when installed, else a count of the page objects."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        try:
            out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True,
                                 timeout=timeout, check=False).stdout
        except subprocess.TimeoutExpired:
            return 0
        m = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
        return int(m.group(1)) if m else 0
    # Fallback without poppler: LibreOffice writes plain (uncompressed) page objects.
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()  # reap it and close its pipes


def to_pdf(docx_path: str | Path, *, timeout: float = 120) -> Path | None:
    """Convert ``docx_path`` to ``<same name>.pdf`` beside it; None when LibreOffice is absent.

    Raises PdfError when LibreOffice ran but produced nothing usable. An existing PDF of the
    same name is replaced only by a good new one.
    """
    source = Path(docx_path).resolve()
    soffice = find_soffice()
    if soffice is None:
        log.info("LibreOffice (soffice) niet gevonden; geen PDF gemaakt van %s.", source.name)
        return None
    target = source.with_suffix(".pdf")
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="spsync-lo-") as tmp:
        profile, outdir = Path(tmp) / "profile", Path(tmp) / "out"
        outdir.mkdir()
        cmd = [soffice, "--headless", "--norestore", "--nologo", "--nodefault",
               "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(outdir), str(source)]
        env = {**os.environ, "HOME": tmp}  # LibreOffice needs a writable home
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PdfError(f"PDF van '{source.name}' niet gemaakt: LibreOffice was na "
                           f"{timeout:g} seconden niet klaar en is gestopt.") from None
        finally:
            if proc.poll() is None:  # pragma: no cover - only on an unexpected exception
                _kill_group(proc)
        made = outdir / f"{source.stem}.pdf"
        problem = stderr.decode("utf-8", "replace").strip().splitlines()
        problem = [line for line in problem if "javaldx" not in line]
        if not made.exists() or made.stat().st_size == 0:
            detail = f" ({problem[-1]})" if problem else ""
            raise PdfError(f"PDF van '{source.name}' niet gemaakt: LibreOffice schreef geen "
                           f"bestand{detail}.")
        pages = pdf_pages(made)
        if pages < 1:
            raise PdfError(f"PDF van '{source.name}' is onbruikbaar: geen pagina's.")
        tmp_target = target.with_name(target.name + ".tmp")
        shutil.move(str(made), tmp_target)
        tmp_target.replace(target)
    log.info("PDF gemaakt: %s (%d pagina's, %.1f s)", target, pages, time.time() - started)
    return target
