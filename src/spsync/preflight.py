"""Checks a run makes before it touches SharePoint, so a broken template or an unwritable
report folder stops the run before any status is written (not after, as it used to).

The certificate is checked earlier still, when the token provider is made
(:func:`spsync.sharepoint.gateway_for`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from spsync.config import Config
from spsync.cycle import report_dir
from spsync.exceptions import LocalIOError, ReportError

__all__ = ["preflight", "check_template_file", "check_writable_dir"]


def check_template_file(template: Path) -> None:
    """The edited Word template opens and its Jinja tags parse."""
    from spsync.report import template_variables

    if not template.is_file():
        raise ReportError(f"Rapportsjabloon {template} bestaat niet.", path=template,
                          fix="Herstel het sjabloon op die plek, pas report.template aan, of haal "
                              "de instelling weg om het standaardsjabloon te gebruiken.")
    try:
        template_variables(template)
    except ReportError as exc:
        raise type(exc)(f"Rapportsjabloon {template} is onbruikbaar: {exc}",
                        path=template) from None


def check_writable_dir(folder: Path) -> None:
    """``folder`` exists (or can be made) and takes a file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".spsync-", suffix=".probe"):
            pass
    except OSError as exc:
        raise LocalIOError(f"Map {folder} is niet schrijfbaar: {exc.strerror or exc}.",
                           path=folder) from None


def preflight(config: Config, *, out_dir: Path | None, dry_run: bool) -> None:
    """Raise the spsync error a run would otherwise meet only after its writes."""
    if config.report.template is not None:
        check_template_file(config.report.template)
    target = report_dir(config, out_dir, dry_run)
    if target is not None:
        check_writable_dir(target)
