"""The weekly MT-rapportage: context (pure) and Word rendering (docxtpl in a Jinja sandbox)."""

from __future__ import annotations

from spsync.report.context import build_context
from spsync.report.meta import ReportMeta, iso_week_label, planjaar_label
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
    "ReportError",
    "ReportMeta",
    "ReportTemplateError",
    "ReportValidationError",
    "build_context",
    "check_template",
    "iso_week_label",
    "make_jinja_env",
    "planjaar_label",
    "render_docx",
    "render_report",
    "report_filename",
    "template_variables",
    "validate_docx",
]
