"""The weekly MT-rapportage: context (pure) and Word rendering (docxtpl in a Jinja sandbox)."""

from __future__ import annotations

from spsync.report.context import build_context
from spsync.report.history import PreviousFigures, PreviousIndicator, SentAlert
from spsync.report.meta import (
    ReportMeta,
    ReportPeriod,
    iso_week_label,
    item_url,
    planjaar_label,
    report_period,
)
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
    "PreviousFigures",
    "PreviousIndicator",
    "ReportError",
    "ReportMeta",
    "ReportPeriod",
    "ReportTemplateError",
    "ReportValidationError",
    "SentAlert",
    "build_context",
    "check_template",
    "iso_week_label",
    "item_url",
    "make_jinja_env",
    "planjaar_label",
    "render_docx",
    "render_report",
    "report_filename",
    "report_period",
    "template_variables",
    "validate_docx",
]
