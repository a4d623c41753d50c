"""Renders the MT-rapportage context into a .docx with docxtpl, always in a Jinja sandbox.

Staff can edit the template, so the template is untrusted code: rendering uses a
``SandboxedEnvironment`` with autoescape (without it, ``&`` or ``<`` in SharePoint data silently
truncates the document), no ``safe`` filter, and limits on string multiplication and powers.
The output is checked by content, because a mangled document still reopens (reference §1).
"""

from __future__ import annotations

import contextlib
import io
import operator
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import IO, Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from spsync.checks.result import CheckResult
from spsync.exceptions import LocalIOError, ReportError  # ReportError: the base, re-exported
from spsync.report.context import build_context
from spsync.report.meta import ReportMeta

__all__ = [
    "ReportError",
    "ReportTemplateError",
    "ReportValidationError",
    "check_template",
    "default_template_bytes",
    "make_jinja_env",
    "render_docx",
    "render_report",
    "report_filename",
    "template_variables",
    "validate_docx",
]

TemplateSource = str | Path | bytes | IO[bytes] | None
_MAX_SEQUENCE = 100_000  # longest string/list a template may build with "*"
_MAX_POWER = 1_000


class ReportTemplateError(ReportError):
    """The template is broken or tried something the sandbox forbids."""


class ReportValidationError(ReportError):
    """The rendered document is unreadable or lost content."""

    fix = ("Zet de titel en de projecttabellen terug in het sjabloon (report.template), of haal "
           "de instelling weg om het standaardsjabloon te gebruiken.")


class _ReportSandbox(SandboxedEnvironment):
    """Sandbox that also refuses huge ``'x' * 10**9`` style allocations (CPU/memory guard)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, (int, float)) and abs(right) > _MAX_POWER:
                raise SecurityError("exponent too large in template")
            return operator.pow(left, right)
        if operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) \
                        and len(seq) * count > _MAX_SEQUENCE:
                    raise SecurityError("sequence too large in template")
            return operator.mul(left, right)
        return super().call_binop(context, operator_, left, right)


def make_jinja_env() -> SandboxedEnvironment:
    """The only environment reports are rendered with: sandboxed, autoescaping, no ``safe``."""
    env = _ReportSandbox(autoescape=True)
    env.filters.pop("safe", None)  # a template must not be able to switch escaping off
    return env


def default_template_bytes() -> bytes:
    """The packaged template; built on the fly if the package data is missing (dev checkouts)."""
    try:
        return resources.files("spsync").joinpath("templates/mt-rapportage.docx").read_bytes()
    except (FileNotFoundError, OSError):
        from spsync.report.template_builder import build_template

        return build_template()


def _open_template(template: TemplateSource) -> DocxTemplate:
    if template is None:
        template = default_template_bytes()
    if isinstance(template, bytes):
        template = io.BytesIO(template)
    try:
        tpl = DocxTemplate(template)
        tpl.init_docx()
    except Exception as exc:  # a non-docx upload: bad zip, missing parts
        raise ReportTemplateError(f"Sjabloon kan niet worden geopend: {exc}") from exc
    return tpl


def template_variables(template: TemplateSource = None) -> set[str]:
    """Top-level names the template uses (for checking an edited template before use)."""
    tpl = _open_template(template)
    try:
        return set(tpl.get_undeclared_template_variables(jinja_env=make_jinja_env()))
    except TemplateError as exc:
        raise ReportTemplateError(f"Sjabloon bevat een fout: {exc}") from exc


def check_template(template: TemplateSource, context: Mapping[str, Any]) -> list[str]:
    """Names used by the template that the context does not provide (typos render empty)."""
    return sorted(template_variables(template) - set(context))


def _document_text(document: Any) -> str:
    """All visible text: body paragraphs, table cells (nested), headers and footers."""
    parts: list[str] = [p.text for p in document.paragraphs]

    def tables(items: Iterable[Any]) -> None:
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    tables(document.tables)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def validate_docx(data: bytes, expect_texts: Iterable[str] = ()) -> None:
    """Reopen the output with python-docx and check that the expected texts survived."""
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:
        raise ReportValidationError(f"Rapport kan niet worden heropend: {exc}") from exc
    text = _document_text(document)
    missing = [t for t in expect_texts if t and t not in text]
    if missing:
        shown = ", ".join(missing[:10])
        raise ReportValidationError(f"Rapport mist verwachte inhoud: {shown}")


def render_docx(
    context: Mapping[str, Any],
    template: TemplateSource = None,
    *,
    expect_texts: Iterable[str] = (),
) -> bytes:
    """Render ``context`` into ``template`` (default: the packaged one) and validate the result."""
    tpl = _open_template(template)
    try:
        tpl.render(dict(context), jinja_env=make_jinja_env(), autoescape=True)
    except TemplateError as exc:  # includes SecurityError and syntax errors
        raise ReportTemplateError(f"Sjabloon kan niet worden gevuld: {exc}") from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    data = buffer.getvalue()
    validate_docx(data, expect_texts)
    return data


def _expected(context: Mapping[str, Any]) -> list[str]:
    """Content every MT-rapportage must show: its title and every project code."""
    texts = [str(context.get("titel", ""))]
    for group in context.get("hoofdlijnen", []):
        texts.extend(str(p.get("code", "")) for p in group.get("projecten", []))
    return texts


def report_filename(meta: ReportMeta) -> str:
    """File name in the MT-rapportages library (DATA-MODEL §2.8), one per ISO week."""
    return f"MT-rapportage {meta.week_label}.docx"


def render_report(
    source: CheckResult | Mapping[str, Any],
    meta: ReportMeta | None = None,
    template: TemplateSource = None,
    out_path: str | Path | None = None,
    *,
    strict: bool = True,
) -> bytes:
    """Render a report and validate it; optionally write ``out_path``; return the bytes.

    ``source`` is a CheckResult (then ``meta`` is required) or a context already built with
    :func:`build_context`. ``strict`` also requires the title and every project code in the
    output; switch it off for a custom template that leaves the project tables out on purpose.
    """
    if isinstance(source, CheckResult):
        if meta is None:
            raise TypeError("render_report needs a ReportMeta with a CheckResult")
        context = build_context(source, meta)
    else:
        context = dict(source)
    data = render_docx(context, template, expect_texts=_expected(context) if strict else ())
    if out_path is not None:
        target = Path(out_path)
        tmp = target.with_name(target.name + ".tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            tmp.replace(target)  # never leave a half-written report behind
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise LocalIOError(f"Rapport {target} kan niet worden opgeslagen: "
                               f"{exc.strerror or exc}.", path=target) from None
    return data
