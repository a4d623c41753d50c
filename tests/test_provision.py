"""``spsync provision`` and ``spsync check`` against the sandbox, with the real client over HTTP.

Each test reads its evidence from the sandbox (its store or its request log) or from the
command's Dutch output, not from what the planner says it would do.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from spsync import schema
from spsync.auth import sandbox_token
from spsync.cli import main
from spsync.config import config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM, demo_data_dir
from spsync.gateway import FieldDescription, ListDescription, SiteDescription
from spsync.provision import compare_site, field_schema_xml, plan_provision
from spsync.sandbox import DEMO_DATA, load_csv_dir
from spsync.sandbox.store import FieldInfo
from spsync.schema import Column, ListDef, Writer
from spsync.sharepoint import SharePointGateway

ADMIN_PATHS = ("web/lists", "/fields")


def _config_file(tmp_path: Path, site_url: str, extra: str = "") -> Path:
    path = tmp_path / "spsync.toml"
    path.write_text(f'[site]\nurl = "{site_url}"\n\n[auth]\nmode = "sandbox"\n\n'
                    f'[report]\noutput_dir = "{tmp_path / "out"}"\n{extra}', encoding="utf-8")
    return path


def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _admin_writes(server) -> list:
    """List/field creations and field MERGEs the site received."""
    return [r for r in server.requests if r.method in ("POST", "MERGE")
            and any(p in r.path.lower() for p in ADMIN_PATHS)]


@pytest.fixture
def provisioned(empty_sandbox, tmp_path):
    """(server, config file) of an empty sandbox after ``spsync provision``."""
    config = _config_file(tmp_path, empty_sandbox.site_url)
    result = _cli("provision", "--config", str(config))
    assert result.exit_code == 0, result.output
    return empty_sandbox, config


def test_provision_on_an_empty_site_then_check_finds_nothing_missing(provisioned):
    server, config = provisioned
    store = server.store
    for d in schema.provisioned_lists():
        lst = store.get_list(d.title)
        assert lst is not None, d.title
        assert lst.base_template == (101 if d.is_library else 100)
        assert {c.name for c in d.columns} <= {f.internal_name for f in lst.fields}
    # Types, lookups, display names and indexes as the schema says, read from the store.
    uren = store.get_list("Urenregistratie")
    project = uren.field("Project")
    assert (project.type, project.lookup_list, project.lookup_field) == \
        ("Lookup", "Projecten", "ProjectCode")
    projecten = store.get_list("Projecten")
    assert projecten.field("ToegekendeUren").type == "Number"
    assert projecten.field("ToegekendeUren").title == "Toegekende uren"
    props = store.field_props(projecten.id)
    assert props["projectcode"]["Indexed"] and props["projectcode"]["EnforceUniqueValues"]
    assert props["urenstatus"]["Choices"] == ["Binnen uren", "Risico op overschrijding",
                                              "Overschreden", "Geen uren toegekend"]

    result = _cli("check", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "In orde" in result.output


def test_provision_twice_creates_nothing_the_second_time(provisioned):
    server, config = provisioned
    # one request per list and per column: what the plan for an empty site holds
    assert len(_admin_writes(server)) == len(plan_provision(schema.provisioned_lists(),
                                                            _empty_site()))
    server.clear_log()
    result = _cli("provision", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "Niets te doen" in result.output
    assert _admin_writes(server) == []


def test_dry_run_lists_the_steps_and_changes_nothing(empty_sandbox, tmp_path):
    config = _config_file(tmp_path, empty_sandbox.site_url)
    result = _cli("provision", "--config", str(config), "--dry-run")
    assert result.exit_code == 0, result.output
    n = len(plan_provision(schema.provisioned_lists(), _empty_site()))
    assert f"Proefdraaien: {n} stappen zouden worden uitgevoerd; er is niets veranderd:" \
        in result.output
    assert "Lijst 'Projecten' aanmaken" in result.output
    assert "Documentbibliotheek 'MT-rapportages' aanmaken" in result.output
    assert ("Kolom 'ToegekendeUren' (Getal, weergavenaam 'Toegekende uren') toevoegen aan "
            "'Projecten'") in result.output
    assert "Kolom 'Project' (Opzoeken naar 'Projecten'" in result.output
    assert _admin_writes(empty_sandbox) == []
    assert empty_sandbox.store.lists() == []


def test_check_on_a_site_with_one_column_removed_names_exactly_that_column(provisioned):
    server, config = provisioned
    store = server.store
    store.remove_field(store.get_list("Projecten").id, "ToegekendeUren")
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("- ")]
    assert problems == [
        ("- Maak in de lijst 'Projecten' een kolom 'ToegekendeUren' van het type Getal, of zet "
         "in [columns.projecten] de interne naam van de bestaande kolom.")]
    # provision puts it back, and then check is clean again
    assert _cli("provision", "--config", str(config)).exit_code == 0
    assert _cli("check", "--config", str(config)).exit_code == 0


def test_wrong_types_are_named_and_provision_leaves_them_alone(provisioned):
    server, config = provisioned
    store = server.store
    uren = store.get_list("Urenregistratie")
    for name in ("Uren", "Project"):  # a Text column for a Number, a legacy Text for a Lookup
        store.remove_field(uren.id, name)
        store.add_field(uren.id, FieldInfo(name, "Text", name))
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 1
    out = result.output
    assert ("De kolom 'Uren' in de lijst 'Urenregistratie' is van het type Eén regel tekst; "
            "spsync verwacht Getal.") in out
    assert ("De kolom 'Project' in de lijst 'Urenregistratie' is van het type Eén regel tekst; "
            "spsync verwacht Opzoeken naar 'Projecten'.") in out
    assert len([line for line in out.splitlines() if line.startswith("- ")]) == 2
    server.clear_log()
    result = _cli("provision", "--config", str(config))
    assert result.exit_code == 1  # what it cannot fix is said, and nothing was changed
    assert "spsync verwacht Getal" in result.output
    assert _admin_writes(server) == []
    assert store.get_list("Urenregistratie").field("Uren").type == "Text"


def test_a_missing_index_is_reported_and_provision_sets_it(provisioned):
    server, config = provisioned
    store = server.store
    lst = store.get_list("Urenregistratie")
    store.set_field_props(lst.id, "Datum", {"Indexed": False})
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 1
    assert "De kolom 'Datum' in de lijst 'Urenregistratie' heeft geen index." in result.output
    assert "1 daarvan lost 'spsync provision" in result.output
    server.clear_log()
    assert _cli("provision", "--config", str(config)).exit_code == 0
    merges = [r for r in server.requests if r.method == "MERGE"]
    assert [r.path for r in merges] == \
        ["Web/lists/GetByTitle('Urenregistratie')/Fields/getByInternalNameOrTitle('Datum')"]
    assert store.field_props(lst.id)["datum"]["Indexed"] is True


def test_config_titles_and_column_mappings_are_honoured(empty_sandbox, tmp_path):
    extra = ('\n[lists]\nprojecten = "Projecten 2026"\n\n'
             '[columns.projecten]\nToegekendeUren = "Uren_x0020_budget"\n')
    config = _config_file(tmp_path, empty_sandbox.site_url, extra)
    assert _cli("provision", "--config", str(config)).exit_code == 0
    store = empty_sandbox.store
    assert store.get_list("Projecten") is None
    lst = store.get_list("Projecten 2026")
    assert lst.field("Uren_x0020_budget").type == "Number"
    assert lst.field("ToegekendeUren") is None
    # lookups point at the configured title
    assert store.get_list("Urenregistratie").field("Project").lookup_list == "Projecten 2026"
    assert _cli("check", "--config", str(config)).exit_code == 0


def test_missing_permissions_are_named_with_the_fix(provisioned):
    server, config = provisioned
    server.set_role("read")
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 1
    assert ("spsync mist in 'Projecten' het recht: items bewerken (EditListItems). Geef de app "
            "via Sites.Selected de rol 'write' op deze site") in result.output
    assert "spsync mist in 'Hoofdlijnen'" not in result.output  # reading is enough there
    assert "'MT-rapportages' het recht: items toevoegen (AddListItems), items bewerken" \
        in result.output


def test_provision_without_manage_rights_fails_in_dutch(empty_sandbox, tmp_path):
    empty_sandbox.set_role("write")
    config = _config_file(tmp_path, empty_sandbox.site_url)
    check = _cli("check", "--config", str(config))
    assert check.exit_code == 1
    assert "'spsync provision' mag op deze site geen lijsten en kolommen maken" in check.output
    result = CliRunner().invoke(main, ["provision", "--config", str(config)])
    assert result.exit_code == 4  # refused by SharePoint (docs/ERRORS.md)
    assert "weigert de toegang tot de site (403)" in result.output
    assert "Oplossing: Lijsten en kolommen maken vraagt de Sites.Selected-rol 'manage'" \
        in result.output
    assert "Traceback" not in result.output
    assert empty_sandbox.store.lists() == []


def test_a_cycle_on_the_provisioned_site_with_the_demo_items_works(provisioned, tmp_path):
    server, _ = provisioned
    load_csv_dir(server.store, DEMO_DATA, create_lists=False)
    config = config_from_dict({"site": {"url": server.site_url, "organisation": "Demo"},
                               "auth": {"mode": "sandbox"},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(server.site_url, sandbox_token)
    try:
        outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM,
                            now=datetime(2026, 5, 15, 5, 0, tzinfo=UTC))
        assert outcome.exit_code == 0, outcome.problems
        assert outcome.uploaded is not None
        info = gateway.describe_lists(["Projecten"])["Projecten"]
        got = {i.values["ProjectCode"]: i.values["UrenStatus"]
               for i in gateway.read_items(info, ["ProjectCode", "UrenStatus"])}
    finally:
        gateway.close()
    with open(demo_data_dir() / "expected" / "projecten_status.csv", encoding="utf-8") as fh:
        expected = {r["ProjectCode"]: r["UrenStatus"] for r in csv.DictReader(fh)}
    assert got == expected


# -- the pure core ---------------------------------------------------------------------------

def _empty_site() -> SiteDescription:
    return SiteDescription(url="https://x", lists={}, permissions=None)


def test_plan_on_an_empty_site_creates_lists_first_then_every_non_builtin_column():
    steps = plan_provision(schema.provisioned_lists(), _empty_site())
    kinds = [s.action for s in steps]
    n_lists = len(schema.provisioned_lists())
    assert kinds[:n_lists] == ["create_list"] * n_lists
    fields = [s for s in steps if s.action == "create_field"]
    expected = sum(1 for d in schema.provisioned_lists() for c in d.columns if c.name != "Title")
    assert len(fields) == expected
    # the one built-in column that needs an index gets it after the list exists
    assert [(s.action, s.list_key, s.site_name) for s in steps[n_lists + len(fields):]] == \
        [("set_index", "hoofdlijnen", "Title")]


def test_plan_includes_a_signalen_list_given_to_it_with_its_index():
    signalen = ListDef("signalen", "Signalen", (
        Column("Title", "Text", Writer.DAEMON),
        Column("Sleutel", "Text", Writer.DAEMON, indexed=True),
        Column("Ontvanger", "User", Writer.DAEMON),
    ))
    steps = plan_provision((*schema.LISTS, signalen), _empty_site())
    mine = [s for s in steps if s.list_key == "signalen"]
    assert [s.action for s in mine] == ["create_list", "create_field", "create_field"]
    xml = ET.fromstring(field_schema_xml(mine[1].column, mine[1].site_name))
    assert xml.get("Indexed") == "TRUE" and xml.get("ShowInNewForm") == "FALSE"


def test_field_xml_carries_type_details_choices_and_lookup():
    col = schema.list_def("projecten").column("Projectstatus")
    xml = ET.fromstring(field_schema_xml(col, "Projectstatus"))
    assert xml.get("Type") == "Choice" and xml.get("FillInChoice") == "FALSE"
    assert [c.text for c in xml.iter("CHOICE")] == list(col.choices)
    assert xml.find("Default").text == "Lopend"
    datum = ET.fromstring(field_schema_xml(schema.list_def("urenregistratie").column("Datum"),
                                           "Datum"))
    assert datum.get("Format") == "DateOnly" and datum.get("Indexed") == "TRUE"
    project = ET.fromstring(field_schema_xml(
        schema.list_def("urenregistratie").column("Project"), "Project", "abc", "ProjectCode"))
    assert (project.get("List"), project.get("ShowField")) == ("{abc}", "ProjectCode")
    with pytest.raises(ValueError):
        field_schema_xml(schema.list_def("urenregistratie").column("Project"), "Project")


def test_compare_names_a_lookup_to_another_list():
    config = config_from_dict({"site": {"url": "https://x"}})
    site = SiteDescription(url="https://x", lists={
        "Projecten": ListDescription("Projecten", "p-id", 100, {}),
        "Doelen": ListDescription("Doelen", "d-id", 100, {}),
        "Urenregistratie": ListDescription("Urenregistratie", "u-id", 100, {
            "Project": FieldDescription("Project", "Lookup", indexed=True, lookup_list="d-id",
                                        lookup_field="DoelCode")}),
    })
    problems = [p for p in compare_site(config, site) if p.list_key == "urenregistratie"
                and p.column == "Project"]
    assert [p.code for p in problems] == ["VERKEERDE_OPZOEKING"]
    assert "wijst niet naar de kolom 'ProjectCode' van de lijst 'Projecten'" in problems[0].message


def test_check_on_an_unreachable_site_is_one_dutch_line_and_exit_4(tmp_path, monkeypatch):
    import socket

    import office365.runtime.retry as library_retry
    monkeypatch.setattr(library_retry, "sleep", lambda _s: None)  # the library's own back-off
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = _config_file(tmp_path, f"http://127.0.0.1:{port}/sites/x",
                          "\n[http]\nconnect_timeout = 0.5\nread_timeout = 0.5\nmax_retries = 0\n")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 4  # unreachable (docs/ERRORS.md)
    assert "Fout: SharePoint (http://127.0.0.1:" in result.output
    assert "is niet bereikbaar" in result.output
    assert "Traceback" not in result.output


def test_check_with_a_broken_config_exits_2(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[site]\nurl = "ftp://x"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "Fout: De configuratie" in result.output and "site.url" in result.output


def test_a_site_loaded_from_the_demo_csvs_passes_check(sandbox, tmp_path):
    """The sandbox loader gives its lists the same indexes and choices provisioning would."""
    config = _config_file(tmp_path, sandbox.site_url)
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 0, result.output
    sandbox.clear_log()
    result = _cli("provision", "--config", str(config), "--dry-run")
    assert "Niets te doen" in result.output


def test_missing_choices_are_named_and_provision_adds_them_after_the_sites_own(provisioned):
    server, config = provisioned
    store = server.store
    lst = store.get_list("Projecten")
    store.set_field_props(lst.id, "UrenStatus", {"Choices": ["Eigen keuze", "Binnen uren"]})
    result = _cli("check", "--config", str(config))
    assert result.exit_code == 1
    assert ("De keuzekolom 'UrenStatus' in de lijst 'Projecten' mist de keuze(s) 'Risico op "
            "overschrijding', 'Overschreden', 'Geen uren toegekend'.") in result.output
    result = _cli("provision", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "Keuze(s) 'Risico op overschrijding', 'Overschreden', 'Geen uren toegekend' " \
           "toevoegen aan kolom 'UrenStatus' in 'Projecten'" in result.output
    assert store.field_props(lst.id)["urenstatus"]["Choices"] == [
        "Eigen keuze", "Binnen uren", "Risico op overschrijding", "Overschreden",
        "Geen uren toegekend"]
    assert _cli("check", "--config", str(config)).exit_code == 0


def test_a_provision_that_fails_halfway_says_so_and_the_rerun_does_the_rest(empty_sandbox,
                                                                             tmp_path):
    config = _config_file(tmp_path, empty_sandbox.site_url)
    # the first column creation fails (after all lists were made)
    empty_sandbox.inject(500, times=1, method="POST", path_contains="CreateFieldAsXml")
    result = CliRunner().invoke(main, ["provision", "--config", str(config)])
    assert result.exit_code == 4  # the site's 500 (docs/ERRORS.md)
    n = len(plan_provision(schema.provisioned_lists(), _empty_site()))
    lists = len(schema.provisioned_lists())
    assert f"Gestopt bij stap {lists + 1} van {n}" in result.output
    assert "Traceback" not in result.output
    assert len(empty_sandbox.store.lists()) == lists  # the lists made before stay
    result = _cli("provision", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert f"{n - lists} stappen uitgevoerd." in result.output
    assert _cli("check", "--config", str(config)).exit_code == 0
