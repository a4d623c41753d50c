"""Renders the tertiaal report and the annual evaluation, and names the template on errors.

Rendering itself is :func:`spsync.report.render.render_docx` (the one sandboxed, autoescaping
Jinja environment of every report). This module adds what an edited template needs: the
packaged default per kind, a check that the template only uses fields the context has, and an
error that says which template and which tag is wrong, so staff can fix it in Word.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document
from jinja2 import TemplateError

from spsync.report.evaluation_template import EVALUATION_TEMPLATE_FILES, build_evaluation_template
from spsync.report.render import (
    ReportTemplateError,
    TemplateSource,
    render_docx,
    template_variables,
)

__all__ = [
    "default_evaluation_template",
    "dutch_reason",
    "named_template_error",
    "render_evaluation",
    "stamp_properties",
    "template_name",
]

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{[^}]*\}?|\{%[^%]*%?")


def default_evaluation_template(kind: str) -> bytes:
    """The packaged template of ``kind``; built on the fly if package data is missing."""
    name = EVALUATION_TEMPLATE_FILES[kind]
    try:
        return resources.files("spsync").joinpath(f"templates/{name}").read_bytes()
    except (FileNotFoundError, OSError):
        return build_evaluation_template(kind)


def template_name(template: TemplateSource, default: str) -> str:
    """How an error names the template: its file name, or the packaged default's."""
    if isinstance(template, (str, Path)):
        return Path(template).name
    return f"{default} (standaard)" if template is None else default


def _tag_near_error(exc: BaseException | None) -> str | None:
    """The template text around a Jinja error: docxtpl keeps the paragraphs near its line."""
    while exc is not None:
        lines = getattr(exc, "docx_context", None)
        if lines is not None:
            lines = [line for line in lines if line.strip()]
            exc.docx_context = lines  # a map can be read once; keep it readable
            for line in lines[3:4] + lines:  # the error's own line comes fourth
                tags = _TAG.findall(line)
                if tags:
                    return tags[0].strip()
            return lines[3].strip() if len(lines) > 3 else None
        exc = exc.__cause__ or exc.__context__
    return None


_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unexpected '(.+?)'", re.IGNORECASE), "onverwacht teken '{0}' (ontbreekt er een accolade?)"),
    (re.compile(r"Unexpected end of template", re.IGNORECASE),
     "het sjabloon eindigt terwijl een blok nog open staat (ontbreekt een endfor of endif?)"),
    (re.compile(r"Encountered unknown tag '(.+?)'", re.IGNORECASE),
     "onbekende tag '{0}' (ontbreekt het bijbehorende for of if?)"),
    (re.compile(r"No filter named '(.+?)'", re.IGNORECASE), "onbekend filter '{0}'"),
    (re.compile(r"No test named '(.+?)'", re.IGNORECASE), "onbekende test '{0}'"),
    (re.compile(r"is unsafe|unsafe|SecurityError", re.IGNORECASE),
     "niet toegestaan: een sjabloon mag alleen velden tonen"),
    (re.compile(r"too large", re.IGNORECASE), "niet toegestaan: de tekst of lijst wordt te groot"),
    (re.compile(r"'(.+?)' is undefined", re.IGNORECASE), "onbekend veld '{0}'"),
)


def dutch_reason(message: str) -> str:
    """Jinja's (English) reason in Dutch where it is a common mistake; else quoted as is."""
    for pattern, dutch in _REASONS:
        m = pattern.search(message)
        if m:
            return dutch.format(*m.groups())
    return f"Jinja meldt: {message}"


def named_template_error(exc: ReportTemplateError, name: str) -> ReportTemplateError:
    """The same error, in Dutch, naming template ``name`` and (when known) the tag."""
    cause = exc.__cause__
    if not isinstance(cause, TemplateError):  # not a tag problem: e.g. not a Word file
        return ReportTemplateError(f"Sjabloon '{name}': {exc}")
    tag = _tag_near_error(cause)
    reason = dutch_reason(str(cause) if cause is not None else str(exc))
    where = f" bij de tag '{tag}'" if tag else ""
    return ReportTemplateError(f"Sjabloon '{name}' bevat een fout{where}: {reason}")


def stamp_properties(data: bytes, now: datetime | None = None) -> bytes:
    """Core properties of this rendering: created/modified now, author spsync, nl-NL."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    document = Document(io.BytesIO(data))
    props = document.core_properties
    props.author = props.last_modified_by = "spsync"
    props.created = props.modified = now
    props.language = "nl-NL"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _expected(context: Mapping[str, Any], strict: bool) -> list[str]:
    texts = [str(context.get("titel", ""))]
    if strict:
        samenvatting = context.get("samenvatting", {})
        texts += [samenvatting.get("doelen_zin", ""), samenvatting.get("activiteiten_zin", "")]
        for h in context.get("hoofdlijnen", []):
            texts += [d["code"] for d in h.get("doelen", []) if d.get("code")]
    return texts


def render_evaluation(context: Mapping[str, Any], kind: str, template: TemplateSource = None,
                      out_path: str | Path | None = None, *, now: datetime | None = None
                      ) -> bytes:
    """Render a context of :func:`~spsync.report.evaluation.build_evaluation_context`.

    The packaged template must keep its title, summary sentences and every doel code; an
    edited one only its title. Raises ReportTemplateError naming the template (and the tag).
    """
    name = template_name(template, EVALUATION_TEMPLATE_FILES[kind])
    source = default_evaluation_template(kind) if template is None else template
    if isinstance(source, (str, Path)):
        if not Path(source).is_file():
            raise ReportTemplateError(f"Sjabloon '{name}' bestaat niet: {source}; controleer "
                                      f"report.templates.{kind} in de configuratie.")
        source = Path(source).read_bytes()
    try:
        used = template_variables(source)
    except ReportTemplateError:
        used = set()  # a syntax error: rendering below reports it together with its tag
    try:
        unknown = sorted(used - set(context))
        if unknown:
            raise ReportTemplateError(
                f"Sjabloon '{name}' gebruikt onbekend(e) veld(en): "
                + ", ".join(f"'{{{{ {u} }}}}'" for u in unknown)
                + "; zie templates/README.md voor de velden.")
        data = render_docx(context, source, expect_texts=_expected(context, template is None))
    except ReportTemplateError as exc:
        if str(exc).startswith(f"Sjabloon '{name}'"):
            raise
        raise named_template_error(exc, name) from exc.__cause__
    data = stamp_properties(data, now)
    if out_path is not None:
        target = Path(out_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return data
