"""The weekly report inside a real cycle on the sandbox: links to the site's items, one file per
ISO week (a rerun replaces it), and a broken template that stops only the report."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from spsync.auth import sandbox_token
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.sharepoint import SharePointGateway

C = date(2026, 5, 15)


def _config(server, tmp_path, **report):
    return config_from_dict({"site": {"url": server.site_url, "organisation": "Demo"},
                             "auth": {"mode": "sandbox"},
                             "report": {"output_dir": str(tmp_path / "out"), **report}})


@pytest.fixture
def gateway(sandbox):
    gw = SharePointGateway(sandbox.site_url, sandbox_token)
    yield gw
    gw.close()


def test_cycle_report_links_to_the_sites_items_and_is_replaced_per_week(sandbox, gateway,
                                                                         tmp_path):
    config = _config(sandbox, tmp_path)
    first = run_cycle(gateway, config, C)
    assert first.exit_code == 0, first.problems
    document = docx.Document(str(first.report_path))
    links = [r.target_ref for r in document.part.rels.values() if r.reltype == RT.HYPERLINK]
    assert f"{sandbox.site_url}/Lists/Projecten/DispForm.aspx?ID=4" in links
    assert document.core_properties.author == "spsync"
    second = run_cycle(gateway, config, C)
    assert second.uploaded is not None and first.uploaded is not None
    assert second.uploaded.server_relative_url == first.uploaded.server_relative_url
    assert sorted(p.name for p in (tmp_path / "out").glob("*.docx")) == [
        "MT-rapportage 2026-W20.docx"]


def test_broken_template_stops_only_the_report(sandbox, gateway, tmp_path):
    bad = tmp_path / "kapot.docx"
    doc = docx.Document()
    doc.add_paragraph("{{ titel }}")
    doc.add_paragraph("{%p for p in hoofdlijnen %}")  # never closed
    buffer = io.BytesIO()
    doc.save(buffer)
    bad.write_bytes(buffer.getvalue())
    outcome = run_cycle(gateway, _config(sandbox, tmp_path, template=str(bad)), C)
    assert outcome.report_path is None and outcome.uploaded is None
    assert outcome.exit_code == 1
    [problem] = [p for p in outcome.problems if "kapot.docx" in p]
    assert "{%p for p in hoofdlijnen %}" in problem
    assert sum(outcome.written.values()) > 0  # statuses were written all the same
