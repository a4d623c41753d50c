"""Digest rendering: grouping and wording, every line's facts in both parts, item text that
stays text (markup, template code, emoji, line breaks), staff templates in the sandbox."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from spsync.alerts.digest import KIND_HEADINGS, TEMPLATE_NAMES, digest_subject, render_digest
from spsync.alerts.model import KIND_ORDER

from .htmltext import ParsedHtml
from .samples import HOSTILE, SITE, digest, hostile_digest, line

ROOT = Path(__file__).resolve().parents[2]


def _all_kinds():
    # Deliberately out of order: the digest sorts by KIND_ORDER, not by arrival.
    return digest(
        line("budget", 5, list_key="projecten", ref="SUB-2526-01", title="Subsidie Begaafde "
             "leerlingen", figure="€ 47.250 van € 45.000", status="Overschreden"),
        line("herinnering", 17, title="Jaarplan 2026-2027", status="2026-05-25"),
        line("uren", 4, list_key="projecten", ref="P-2526-04", figure="262,5 van 240 uur",
             title="Samenwerking onderwijs-jeugdhulp", status="Overschreden"),
        line("escalatie", 19, title="Voortgang samenwerking onderwijs-jeugdhulp"),
        line("gemist", 14),
        line("herinnering", 9, title="Managementrapportage Q3", status="2026-05-31"),
    )


def test_groups_follow_kind_order_with_dutch_headings_in_both_parts():
    message = render_digest(_all_kinds())
    text_positions = [message.text.index(f"== {KIND_HEADINGS[k]} (") for k in KIND_ORDER]
    assert text_positions == sorted(text_positions)
    assert "== Herinnering (2) ==" in message.text and "== Budget (1) ==" in message.text
    html = ParsedHtml(message.html)
    html_positions = [html.text.index(f"{KIND_HEADINGS[k]} (") for k in KIND_ORDER]
    assert html_positions == sorted(html_positions)
    assert html.tags.count("h2") == 5 and html.tags.count("li") == 6


def test_subject_counts_every_kind_and_names_the_organisation():
    assert digest_subject(_all_kinds()) == (
        "spsync – Passend Onderwijs Almere: 6 signalen (1 gemist, 1 escalatie, "
        "2 herinneringen, 1 urensignaal, 1 budgetsignaal)")
    single = digest(line(), organisation="SWV\nAlmere\r\nBcc: x@evil.test")
    assert digest_subject(single) == "spsync – SWV Almere Bcc: x@evil.test: 1 signaal (1 gemist)"
    assert "\n" not in render_digest(single).subject


def test_every_line_shows_title_ref_owner_date_figure_link_and_action():
    message = render_digest(_all_kinds())
    html = ParsedHtml(message.html)
    for expected in ("Subsidie Begaafde leerlingen (SUB-2526-01)", "Teamleider toeleiding",
                     "deadline 15-02-2026", "€ 47.250 van € 45.000", "262,5 van 240 uur",
                     "Zet het document op de agenda van het eerstvolgende OPR."):
        assert expected in message.text
        assert expected in html.text
    links = [f"{SITE}/Lists/Projecten/DispForm.aspx?ID=5", f"{SITE}/Lists/Jaarkalender/"
             "DispForm.aspx?ID=14"]
    for link in links:
        assert f"Openen: {link}" in message.text
        assert (link, "Open het item in SharePoint") in html.links
    assert len(html.links) == 6
    assert "Je krijgt dit bericht" in message.text and "één keer" in message.text
    assert message.text.startswith("Beste Teamleider toeleiding,")


def test_hostile_item_text_renders_literally_in_both_parts():
    message = render_digest(hostile_digest(name="Jan <b>de</b> Vries & co"))
    # Plain text: exactly the data, nothing evaluated.
    assert HOSTILE in message.text
    assert "49" not in message.text
    assert "Beste Jan <b>de</b> Vries & co," in message.text
    # HTML: escaped on the wire, the same characters once parsed, and no element injected.
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    html = ParsedHtml(message.html)
    assert html.text.count(HOSTILE) == 2  # title and action
    assert "script" not in html.tags and "b" not in html.tags
    assert all(href.startswith(SITE) for href, _ in html.links)  # the Markdown link stays text
    assert "Beste Jan <b>de</b> Vries & co," in html.text
    assert "🎉" in message.html


def test_only_web_links_become_clickable():
    message = render_digest(digest(line(link="javascript:alert(1)"),
                                   line(item_id=2, link=f"{SITE}/x?ID=2&a=\"b")))
    html = ParsedHtml(message.html)
    assert html.links == [(f"{SITE}/x?ID=2&a=\"b", "Open het item in SharePoint")]
    assert "Item: javascript:alert(1)" in html.text


def test_repo_and_packaged_templates_are_identical():
    repo = ROOT / "templates" / "alerts"
    packaged = ROOT / "src" / "spsync" / "templates" / "alerts"
    assert sorted(p.name for p in repo.glob("*.j2")) == sorted(TEMPLATE_NAMES)
    assert sorted(p.name for p in packaged.glob("*.j2")) == sorted(TEMPLATE_NAMES)
    for name in TEMPLATE_NAMES:
        assert (repo / name).read_bytes() == (packaged / name).read_bytes(), name


def test_override_folder_replaces_one_template_and_keeps_autoescape(tmp_path):
    (tmp_path / "digest.html.j2").write_text(
        "<p>AANGEPAST {{ total }}: {{ groups[0].lines[0].title }}</p>", encoding="utf-8")
    message = render_digest(hostile_digest(), templates_dir=tmp_path)
    assert message.html.startswith("<p>AANGEPAST 1: R&amp;D &lt;script&gt;")
    assert "== Gemist (1) ==" in message.text  # the packaged text template


@pytest.mark.parametrize("template", [
    "{{ cycler.__init__.__globals__.os }}",            # sandbox: no access to globals
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",  # sandbox: no dunder walking
    "{{ groups[0].lines[0].title|safe }}",             # no way to switch escaping off
    "{{ ('x' * 10**8)|length }}",                      # no memory bomb
    "{{ totaal }}",                                    # a typo fails instead of rendering empty
    "{% for %}",                                       # syntax error
])
def test_a_broken_or_hostile_override_falls_back_to_the_packaged_template(tmp_path, caplog,
                                                                          template):
    (tmp_path / "digest.html.j2").write_text(template, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="spsync.alerts.digest"):
        message = render_digest(hostile_digest(), templates_dir=tmp_path)
    assert message == render_digest(hostile_digest())
    assert "standaardsjabloon is gebruikt" in caplog.text
    assert "module 'os'" not in message.html
