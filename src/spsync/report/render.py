"""Renders the MT-rapportage context into a .docx with docxtpl, always in a Jinja sandbox.

Staff can edit the template, so the template is untrusted code: rendering uses a
``SandboxedEnvironment`` with autoescape (without it, ``&`` or ``<`` in SharePoint data silently
truncates the document), no ``safe`` filter, and limits on string multiplication and powers.
The output is checked by content, because a mangled document still reopens (reference §1).
"""

from __future__ import annotations

import contextlib
import gc
import io
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from spsync.checks.normalise import DEFAULT_TZ
from spsync.checks.result import CheckResult
from spsync.exceptions import LocalIOError, ReportError  # ReportError: the base, re-exported
from spsync.report.context import build_context
from spsync.report.history import PreviousFigures, SentAlert
from spsync.report.meta import ReportMeta
from spsync.report.rich import Chart, Hyperlink

if TYPE_CHECKING:
    # python-docx and docxtpl (lxml) are imported where a document is opened or made, so a
    # sync cycle that only renders alert e-mails (make_jinja_env) does not load them.
    from docxtpl import DocxTemplate

__all__ = [
    "ReportError",
    "ReportTemplateError",
    "ReportValidationError",
    "check_template",
    "default_template_bytes",
    "locate_bad_tag",
    "make_jinja_env",
    "render_docx",
    "render_report",
    "report_filename",
    "template_name",
    "template_variables",
    "validate_docx",
]

LINK_COLOUR = "0563C1"
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_BLOCK = re.compile(r"\{%-?\s*(?:[ptrc]{1,2}\s+)?(\w+)")
_OPENERS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro",
            "filter": "endfilter", "block": "endblock", "set": None}

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


def template_name(template: TemplateSource) -> str:
    """How a person recognises the template in a message."""
    if template is None:
        return "het ingebouwde sjabloon mt-rapportage.docx"
    if isinstance(template, (str, Path)):
        return f"het sjabloon '{Path(template).name}'"
    return "het opgegeven sjabloon"


def _open_template(template: TemplateSource) -> DocxTemplate:
    from docxtpl import DocxTemplate

    name = template_name(template)
    source = default_template_bytes() if template is None else template
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        tpl = DocxTemplate(source)
        tpl.init_docx()
    except Exception as exc:  # a non-docx upload: bad zip, missing parts
        raise ReportTemplateError(f"{name[0].upper()}{name[1:]} kan niet worden geopend: het "
                                  f"is geen geldig Word-bestand ({exc}).", template=name) from exc
    return tpl


def _paragraph_texts(document: Any) -> list[str]:
    """Every paragraph's text in document order (body, tables nested, headers, footers)."""
    return _document_text(document).split("\n")


def locate_bad_tag(document: Any, env: SandboxedEnvironment) -> tuple[str, int] | None:
    """The first tag that cannot be right, and its paragraph number (1-based), or None.

    A ``{{ }}`` tag that does not parse on its own, an unclosed ``{{``/``{%``, an end tag
    without its start, or the start of a block that is never closed.
    """
    stack: list[tuple[str, str, int]] = []
    for number, paragraph in enumerate(_paragraph_texts(document), start=1):
        tags = _TAG.findall(paragraph)
        rest = _TAG.sub("", paragraph)
        if "{{" in rest or "{%" in rest:
            start = rest.find("{{") if "{{" in rest else rest.find("{%")
            return rest[start:start + 60].strip(), number
        for found in tags:
            if found.startswith("{{"):
                inner = re.sub(r"^\{\{\s*r\s", "{{ ", found)
                try:
                    env.parse(inner)
                except TemplateSyntaxError:
                    return found, number
                continue
            if not found.startswith("{%"):
                continue
            match = _BLOCK.match(found)
            word = match.group(1) if match else ""
            if word in _OPENERS:
                if _OPENERS[word]:
                    stack.append((_OPENERS[word], found, number))
            elif word.startswith("end"):
                if not stack or stack[-1][0] != word:
                    return found, number
                stack.pop()
    if stack:
        _, found, number = stack[-1]
        return found, number
    return None


def _template_error(template: TemplateSource, tpl: DocxTemplate,
                    exc: TemplateError) -> ReportTemplateError:
    name = template_name(template)
    if isinstance(exc, SecurityError):
        return ReportTemplateError(
            f"{name[0].upper()}{name[1:]} probeert iets wat niet is toegestaan ({exc}); het "
            "rapport is niet gemaakt.", template=name, tag=None)
    where = locate_bad_tag(tpl.docx, make_jinja_env())
    detail = f" bij de tag '{where[0]}' (alinea {where[1]})" if where else ""
    return ReportTemplateError(
        f"{name[0].upper()}{name[1:]} bevat een fout{detail}: {exc.message or exc}. Herstel "
        "de tag in Word; het rapport is niet gemaakt.", template=name,
        tag=where[0] if where else None, paragraph=where[1] if where else None)


def template_variables(template: TemplateSource = None) -> set[str]:
    """Top-level names the template uses (for checking an edited template before use)."""
    tpl = _open_template(template)
    try:
        return set(tpl.get_undeclared_template_variables(jinja_env=make_jinja_env()))
    except TemplateError as exc:
        raise _template_error(template, tpl, exc) from exc


def check_template(template: TemplateSource, context: Mapping[str, Any]) -> list[str]:
    """Names used by the template that the context does not provide (typos render empty)."""
    return sorted(template_variables(template) - set(context))


def _paragraphs(element: Any) -> list[str]:
    """The text of every ``w:p`` under ``element`` in document order (tables included)."""
    from docx.oxml.ns import qn

    p_tag, t_tag = qn("w:p"), qn("w:t")
    return ["".join(t.text or "" for t in p.iter(t_tag)) for p in element.iter(p_tag)]


def _document_text(document: Any) -> str:
    """All visible text: body paragraphs, table cells (nested), headers and footers.

    Read straight from the XML: python-docx's table proxies cost seconds on a 2,000-row report.
    """
    parts = _paragraphs(document.element.body)
    for section in document.sections:
        parts.extend(_paragraphs(section.header._element))
        parts.extend(_paragraphs(section.footer._element))
    return "\n".join(parts)


def validate_docx(data: bytes, expect_texts: Iterable[str] = ()) -> None:
    """Reopen the output with python-docx and check that the expected texts survived."""
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:
        raise ReportValidationError(f"Rapport kan niet worden heropend: {exc}") from exc
    text = _document_text(document)
    missing = [t for t in expect_texts if t and t not in text]
    if missing:
        shown = ", ".join(missing[:10])
        raise ReportValidationError(f"Rapport mist verwachte inhoud: {shown}")


class _UrlIds:
    """Hyperlink relationship ids, one per distinct URL, allocated in O(1).

    docxtpl's ``build_url_id`` asks python-docx, which scans every relationship for each new
    link and again for the next free id: quadratic, 80 s for a report with 5,000 links.
    """

    def __init__(self, tpl: DocxTemplate) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE

        self.hyperlink = RELATIONSHIP_TYPE.HYPERLINK
        tpl.init_docx()
        self.rels = tpl.docx.part.rels
        self.by_url = {r.target_ref: rid for rid, r in self.rels.items()
                       if r.reltype == self.hyperlink and r.is_external}
        used = [int(k[3:]) for k in self.rels if k.startswith("rId") and k[3:].isdigit()]
        self.next = max(used, default=0) + 1

    def __call__(self, url: str) -> str:
        rid = self.by_url.get(url)
        if rid is None:
            rid = f"rId{self.next}"
            self.next += 1
            self.rels.add_relationship(self.hyperlink, url, rid, is_external=True)
            self.by_url[url] = rid
        return rid


def _materialise(value: Any, tpl: DocxTemplate, ids: _UrlIds | None = None) -> Any:
    """Context values for this template: links become RichText, charts InlineImage."""
    if ids is None:
        ids = _UrlIds(tpl)
    if isinstance(value, Hyperlink):
        from docxtpl import RichText

        rich = RichText()
        url_id = ids(value.url) if value.url else None
        rich.add(value.text, url_id=url_id, color=LINK_COLOUR if url_id else None,
                 underline=bool(url_id), size=round(value.size_pt * 2), bold=value.bold)
        return rich
    if isinstance(value, Chart):
        from docx.shared import Mm
        from docxtpl import InlineImage

        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, Mapping):
        return {k: _materialise(v, tpl, ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_materialise(v, tpl, ids) for v in value]
    return value


def _set_properties(tpl: DocxTemplate, props: Mapping[str, Any] | None) -> None:
    """File properties: title, subject, author spsync, created/modified now, nl-NL."""
    cp = tpl.docx.core_properties
    props = props or {}
    moment = props.get("moment") or datetime.now(UTC)
    if moment.tzinfo is None:  # a naive time is local (Europe/Amsterdam)
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_TZ))
    naive = moment.astimezone(UTC).replace(tzinfo=None)  # python-docx writes it as UTC
    cp.title = str(props.get("titel", cp.title or ""))[:255]
    cp.subject = str(props.get("onderwerp", cp.subject or ""))[:255]
    cp.author = "spsync"
    cp.last_modified_by = "spsync"
    cp.created = naive
    cp.modified = naive
    cp.language = "nl-NL"
    cp.keywords = str(props.get("trefwoorden", ""))[:255]
    cp.revision = 1


def render_docx(
    context: Mapping[str, Any],
    template: TemplateSource = None,
    *,
    expect_texts: Iterable[str] = (),
) -> bytes:
    """Render ``context`` into ``template`` (default: the packaged one) and validate the result."""
    tpl = _open_template(template)
    try:
        tpl.render(_materialise(dict(context), tpl), jinja_env=make_jinja_env(),
                   autoescape=True)
    except TemplateError as exc:  # includes SecurityError and syntax errors
        raise _template_error(template, tpl, exc) from exc
    _set_properties(tpl, context.get("document_eigenschappen"))
    buffer = io.BytesIO()
    tpl.save(buffer)
    data = buffer.getvalue()
    # The rendered XML tree is as large as the one validation parses: let it go first.
    # Its object graph is cyclic (python-docx's parts and package), so only a collection
    # frees it; for a 2,000-project report that is some 90 MB less at the cycle's peak.
    del tpl, buffer
    gc.collect()
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
    previous: PreviousFigures | None = None,
    alerts_sent: Sequence[SentAlert] = (),
) -> bytes:
    """Render a report and validate it; optionally write ``out_path``; return the bytes.

    ``source`` is a CheckResult (then ``meta`` is required) or a context already built with
    :func:`build_context` (then ``previous``/``alerts_sent`` were given there). ``strict`` also
    requires the title and every project code in the output; switch it off for a custom
    template that leaves the project tables out on purpose.
    """
    if isinstance(source, CheckResult):
        if meta is None:
            raise TypeError("render_report needs a ReportMeta with a CheckResult")
        context = build_context(source, meta, previous=previous, alerts_sent=alerts_sent)
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
