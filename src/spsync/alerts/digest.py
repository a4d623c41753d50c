"""One digest as a Dutch message: subject, plain-text part and autoescaped HTML part.

The templates are staff-editable (``alerts.templates_dir`` overrides the packaged ones), so they
are untrusted code: they run in the report's sandbox (no attribute tricks, no ``safe`` filter,
no huge ``*``/``**``), with ``StrictUndefined`` so a typo fails loudly instead of rendering
empty, and autoescape on for ``.html.j2``. Item text from SharePoint (``<script>``, ``{{ 7*7 }}``,
``&``, emoji, newlines) is data, never markup or template code.

A broken override never silences an alert: it is logged and the packaged template is used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from spsync.alerts.model import KIND_ORDER, AlertKind, AlertLine, Digest, RenderedMessage
from spsync.report.render import make_jinja_env

__all__ = [
    "KIND_HEADINGS",
    "TEMPLATE_NAMES",
    "digest_context",
    "digest_subject",
    "make_digest_env",
    "render_digest",
]

log = logging.getLogger(__name__)

#: The templates a digest needs; an override folder may hold either or both.
TEMPLATE_NAMES = ("digest.txt.j2", "digest.html.j2")

#: Dutch group headings, in ``KIND_ORDER``.
KIND_HEADINGS: Mapping[AlertKind, str] = {
    "gemist": "Gemist",
    "escalatie": "Escalatie",
    "herinnering": "Herinnering",
    "uren": "Uren",
    "budget": "Budget",
}

#: One sentence under each heading: what the lines in this group have in common.
_KIND_INTROS: Mapping[AlertKind, str] = {
    "gemist": "Deze documenten zijn niet besproken binnen de periode van de jaarkalender.",
    "escalatie": "Deze documenten staan na het eerste signaal nog steeds op Gemist.",
    "herinnering": "Deze documenten moeten binnenkort besproken worden.",
    "uren": "Bij deze projecten dreigen de toegekende uren op te raken of zijn ze op.",
    "budget": "Bij deze projecten is het begrote bedrag overschreden.",
}

#: How a group is counted in the subject: (singular, plural).
_KIND_COUNTS: Mapping[AlertKind, tuple[str, str]] = {
    "gemist": ("gemist", "gemist"),
    "escalatie": ("escalatie", "escalaties"),
    "herinnering": ("herinnering", "herinneringen"),
    "uren": ("urensignaal", "urensignalen"),
    "budget": ("budgetsignaal", "budgetsignalen"),
}

_FOOTER_REASON = ("Je krijgt dit bericht van spsync, de controle op de registraties van "
                  "{organisation} in SharePoint, omdat je eigenaar bent van deze items of "
                  "omdat dit adres als MT-mailbox is ingesteld.")
_FOOTER_ONCE = ("Elk signaal wordt één keer verstuurd: dezelfde melding over hetzelfde item "
                "krijg je niet nog eens.")


def _one_line(text: str) -> str:
    """Header-safe text: no line breaks or control characters, runs of space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", text)).strip()


def digest_subject(digest: Digest) -> str:
    """``spsync – <organisatie>: 3 signalen (1 gemist, 2 herinneringen)``.

    Built in code, not in a template: a subject is a header, and no staff edit or item text
    can put a line break into it.
    """
    counts = {kind: sum(1 for line in digest.lines if line.kind == kind) for kind in KIND_ORDER}
    parts = []
    for kind in KIND_ORDER:
        if counts[kind]:
            singular, plural = _KIND_COUNTS[kind]
            parts.append(f"{counts[kind]} {singular if counts[kind] == 1 else plural}")
    total = len(digest.lines)
    noun = "signaal" if total == 1 else "signalen"
    organisation = _one_line(digest.organisation) or "spsync"
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"spsync – {organisation}: {total} {noun}{detail}"


def _line_context(line: AlertLine) -> dict[str, Any]:
    link = line.link.strip()
    return {
        "kind": line.kind,
        "title": line.title,
        "ref": line.ref,
        "owner": line.owner or "",
        "date_label": line.date_label,
        "date": line.date.isoformat() if line.date else "",
        "figure": line.figure or "",
        "link": link,
        # Only web links become clickable; anything else (javascript:, data:) stays text.
        "link_is_web": link.lower().startswith(("https://", "http://")),
        "action": line.action,
    }


def digest_context(digest: Digest) -> dict[str, Any]:
    """The plain data the templates see (dicts, lists and strings only: nothing to call)."""
    groups = []
    for kind in KIND_ORDER:
        lines = [_line_context(line) for line in digest.lines if line.kind == kind]
        if lines:
            groups.append({"kind": kind, "heading": KIND_HEADINGS[kind],
                           "intro": _KIND_INTROS[kind], "count": len(lines), "lines": lines})
    return {
        "subject": digest_subject(digest),
        "recipient_name": digest.recipient.name,
        "recipient_address": digest.recipient.address,
        "organisation": digest.organisation,
        "total": len(digest.lines),
        "groups": groups,
        "footer_reason": _FOOTER_REASON.format(organisation=_one_line(digest.organisation)),
        "footer_once": _FOOTER_ONCE,
        "message_id": digest.message_id,
    }


def make_digest_env(templates_dir: Path | None = None) -> SandboxedEnvironment:
    """The report's sandbox with autoescape for ``.html.j2`` only, StrictUndefined, and the
    override folder (if any) searched before the packaged templates."""
    env = make_jinja_env()
    env.autoescape = select_autoescape(enabled_extensions=("html.j2", "html"),
                                       disabled_extensions=("txt.j2", "txt"),
                                       default_for_string=True, default=True)
    env.undefined = StrictUndefined
    env.keep_trailing_newline = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    packaged = PackageLoader("spsync", "templates/alerts")
    env.loader = (ChoiceLoader([FileSystemLoader(str(templates_dir)), packaged])
                  if templates_dir is not None else packaged)
    return env


def _render(env: SandboxedEnvironment, context: Mapping[str, Any]) -> tuple[str, str]:
    text = env.get_template("digest.txt.j2").render(context)
    html = env.get_template("digest.html.j2").render(context)
    return text, html


def render_digest(digest: Digest, *, templates_dir: Path | None = None) -> RenderedMessage:
    """Render ``digest``; a failing override falls back to the packaged templates (logged)."""
    context = digest_context(digest)
    if templates_dir is not None:
        try:
            text, html = _render(make_digest_env(templates_dir), context)
            return RenderedMessage(subject=context["subject"], text=text, html=html)
        except (TemplateError, OSError) as exc:
            log.warning("Eigen sjabloon voor signalen in %s werkt niet (%s: %s); het "
                        "standaardsjabloon is gebruikt.", templates_dir, type(exc).__name__,
                        str(exc)[:200])
    text, html = _render(make_digest_env(None), context)
    return RenderedMessage(subject=context["subject"], text=text, html=html)
