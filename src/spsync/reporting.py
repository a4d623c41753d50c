"""Make one report on demand: read the site, run the checks, render, PDF, upload (no write-back).

The shell behind ``spsync report``. It reads the lists exactly as a cycle does but writes
nothing to them; it only puts the report (and its PDF) into the MT-rapportages library, under a
name derived from kind and period, so a re-run for the same period replaces that file.
:func:`publish` is the part a cycle can share: local copy, PDF beside it, upload of both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spsync import schema
from spsync.checks import run_checks
from spsync.config import Config
from spsync.gateway import Gateway, ListInfo, UploadedFile
from spsync.reader import read_snapshot
from spsync.report import ReportMeta, build_context, render_report
from spsync.report.pdf import PdfError, find_soffice, to_pdf
from spsync.report.periods import Period
from spsync.report.render import ReportTemplateError
from spsync.writeback import local_midnight_utc, to_wire

__all__ = ["ReportOutcome", "make_report", "publish", "render_period", "report_metadata"]

log = logging.getLogger(__name__)


@dataclass
class ReportOutcome:
    """What one report run made: local files, uploaded files, and problems for the exit code."""

    period: Period
    path: Path | None = None
    pdf_path: Path | None = None
    uploaded: list[UploadedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def report_metadata(period: Period, planjaar: str, timezone: str, now: datetime
                    ) -> dict[str, Any]:
    """The library columns of a report file (DATA-MODEL §2.8); set only where the library has
    them. ``Rapportageweek`` is for the weekly report only, so a tertiaal file never passes for
    a week's MT-rapportage; ``Rapportagesoort`` and ``Periode`` are set once the library has
    such columns."""
    meta: dict[str, Any] = {
        "Title": period.file_name.removesuffix(".docx"),
        "Controledatum": local_midnight_utc(period.controledatum, timezone),
        "Planjaar": planjaar,
        "GegenereerdOp": to_wire(now),
        "Rapportagesoort": {"weekly": "MT-rapportage", "tertiaal": "Tertiaalrapportage",
                            "jaar": "Jaarevaluatie"}[period.kind],
        "Periode": period.label,
    }
    if period.kind == "weekly":
        meta["Rapportageweek"] = period.label
    return meta


def render_period(result, config: Config, period: Period, out_path: Path,
                  now: datetime) -> bytes:
    """Render the report of ``period`` from a CheckResult into ``out_path``; return its bytes.

    Raises ReportError (ReportTemplateError naming the template and the tag)."""
    # Here, not at the top: python-docx is loaded only when a period report is made, not by
    # every cycle that imports publish().
    from spsync.report.evaluation import build_evaluation_context
    from spsync.report.evaluation_render import named_template_error, render_evaluation
    from spsync.report.evaluation_render import template_name as _template_name

    meta = ReportMeta(
        organisation=config.site.organisation,
        controledatum=period.controledatum,
        generated_at=now,
        week=period.label if period.kind == "weekly" else None,
        show_hours_per_person=config.report.show_hours_per_person,
        indicator_project_types=tuple(config.rules.indicator_project_types),
        forecast_method=config.rules.forecast_method,
    )
    template = config.report.template_for(period.kind)
    if period.kind == "weekly":
        try:
            return render_report(build_context(result, meta, result.findings),
                                 template=template, out_path=out_path)
        except ReportTemplateError as exc:
            raise named_template_error(exc, _template_name(template, "mt-rapportage.docx")) \
                from exc.__cause__
    context = build_evaluation_context(result, meta, kind=period.kind,  # type: ignore[arg-type]
                                       period=period.label)
    return render_evaluation(context, period.kind, template, out_path, now=now)


def _pdf(config: Config, path: Path, outcome: ReportOutcome) -> None:
    mode = config.report.pdf
    if mode == "off":
        return
    if mode == "on" and find_soffice() is None:
        outcome.problems.append("report.pdf = \"on\", maar LibreOffice (soffice) is niet "
                                "geïnstalleerd; er is geen PDF gemaakt.")
        return
    try:
        outcome.pdf_path = to_pdf(path, timeout=config.report.pdf_timeout)
    except PdfError as exc:
        log.error("%s", exc)
        outcome.problems.append(str(exc))


def publish(gateway: Gateway, config: Config, library: ListInfo | None, path: Path,
            content: bytes, metadata: dict[str, Any], outcome: ReportOutcome, *,
            upload: bool = True) -> None:
    """PDF beside the local .docx (per ``report.pdf``), then upload both with ``metadata``.

    Overwrites files of the same name, so one period has one file. Problems are collected in
    ``outcome`` (the caller decides the exit code); nothing here raises on an upload failure.
    """
    from spsync.exceptions import CycleDeadline, GatewayError

    _pdf(config, path, outcome)
    if not upload or not config.report.upload:
        return
    if library is None:
        outcome.problems.append(f"Bibliotheek '{config.title(schema.LIBRARY.key)}' ontbreekt; "
                                "het rapport is alleen lokaal opgeslagen.")
        return
    files = [(path.name, content)]
    if outcome.pdf_path is not None:
        files.append((outcome.pdf_path.name, outcome.pdf_path.read_bytes()))
    for name, data in files:
        try:
            uploaded = gateway.upload_file(library, name, data, metadata=metadata)
        except GatewayError as exc:
            if isinstance(exc, CycleDeadline):  # the cycle stops: the error tree says why
                raise
            outcome.problems.append(f"Uploaden van '{name}' mislukt: {exc.message or exc}")
            continue
        outcome.uploaded.append(uploaded)
        log.info("Rapport geüpload: %s", uploaded.server_relative_url)


def make_report(gateway: Gateway, config: Config, period: Period, *,
                out_dir: Path | None = None, upload: bool = True,
                now: datetime | None = None) -> ReportOutcome:
    """Read, check (as of ``period.controledatum``), render, PDF and upload one report.

    Raises GatewayError when the site cannot be read and ReportError when the template is
    broken; upload problems end up in ``ReportOutcome.problems``.
    """
    now = now or datetime.now(UTC)
    snapshot = read_snapshot(gateway, config)
    result = run_checks(snapshot.tables, config.rules.to_settings(), period.controledatum)
    outcome = ReportOutcome(period)
    target = (out_dir or config.report.output_dir) / period.file_name
    content = render_period(result, config, period, target, now)
    outcome.path = target
    log.info("Rapport opgeslagen: %s (%d bytes)", target, len(content))
    metadata = report_metadata(period, period.planjaar, config.rules.timezone, now)
    publish(gateway, config, snapshot.library, target, content, metadata, outcome,
            upload=upload)
    return outcome
