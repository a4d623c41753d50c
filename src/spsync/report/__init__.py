"""The weekly MT-rapportage: context (pure) and Word rendering (docxtpl in a Jinja sandbox)."""

from __future__ import annotations

from spsync.report.context import ReportMeta, build_context, iso_week_label, planjaar_label
from spsync.report.render import (
    ReportError,
    ReportTemplateError,
    ReportValidationError,
    check_template,
    make_jinja_env,
    render_docx,
    render_report,
    report_filename,
    template_variables,
    validate_docx,
)

__all__ = [
    "ReportMeta",
    "build_context",
    "iso_week_label",
    "planjaar_label",
    "ReportError",
    "ReportTemplateError",
    "ReportValidationError",
    "check_template",
    "make_jinja_env",
    "render_docx",
    "render_report",
    "report_filename",
    "template_variables",
    "validate_docx",
]
