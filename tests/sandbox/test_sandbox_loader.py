"""The CSV loader, the store, and the parsers (batch, routing, query options) on their own."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from spsync import schema
from spsync.sandbox import DEMO_DATA, Store, create_list, drop_list, load_csv_dir
from spsync.sandbox.batch import format_batch, parse_batch
from spsync.sandbox.odata import SPError, parse_query_string
from spsync.sandbox.routing import split_segments


@pytest.fixture
def store(tmp_path):
    db = tmp_path / "s.db"
    counts = load_csv_dir(db, DEMO_DATA)
    assert counts == {"Hoofdlijnen": 7, "Projecten": 17, "Urenregistratie": 301,
                      "Jaarkalender": 24, "Doelen": 17, "Activiteiten": 23, "Indicatoren": 22,
                      "MT-rapportages": 0, "Signalen": 0}
    with Store(db) as s:
        yield s


def _items(store, title):
    return {i.id: i for i in store.all_items(store.get_list(title).id)}


def test_raw_values_dates_people_and_ids(store):
    uren = _items(store, "Urenregistratie")
    assert uren[166].data["Uren"] == "twee" and uren[157].data["Uren"] == "1,5"
    assert uren[89].data["Uren"] == -4 and uren[300].data["Uren"] == 2.5
    assert uren[243].data["Uren"] is None
    assert uren[225].data["Datum"] == "2026-02-30"  # impossible date kept raw
    assert uren[3].data["Datum"] == "2025-07-23T22:00:00Z"  # summer time
    assert uren[204].data["BoekingStatus"] is None  # Daemon column exists, empty
    projecten = _items(store, "Projecten")
    code_of = {i.id: i.data["ProjectCode"] for i in projecten.values()}
    assert code_of[uren[1].data["Project"]] == "P-2526-04"
    assert uren[204].data["Project"] not in code_of  # dangling lookup
    assert uren[204].data["Project"] > max(code_of)
    user = store.get_user(uren[1].data["Medewerker"])
    assert user[1] == "coördinator onderwijs-jeugdhulp"
    assert user[2] == "coordinator.onderwijsjeugdhulp@swv-demo.example"
    p08 = next(p for p in projecten.values() if p.data["ProjectCode"] == "P-2526-08")
    assert p08.data["BudgetPM"] is True and p08.data["Startdatum"] == "2025-08-17T22:00:00Z"
    assert set(_items(store, "Jaarkalender")) == set(range(1, 25))
    assert store.get_list("MT-rapportages").base_template == 101
    fields = [f.internal_name for f in store.get_list("Projecten").fields]
    assert fields == [c.name for c in schema.list_def("projecten").columns] + ["Author", "Editor"]


def test_loading_again_is_idempotent(store, tmp_path):
    before = {i: it.data for i, it in _items(store, "Urenregistratie").items()}
    list_id = store.get_list("Urenregistratie").id
    load_csv_dir(store, DEMO_DATA)
    assert store.get_list("Urenregistratie").id == list_id
    assert {i: it.data for i, it in _items(store, "Urenregistratie").items()} == before
    assert len(store.users()) == 16


def test_list_helpers(store):
    create_list(store, schema.list_def("projecten"), omit_columns=["UrenStatus"], title="Oud")
    assert store.get_list("Oud").field("UrenStatus") is None
    drop_list(store, "Oud")
    assert store.get_list("Oud") is None


def test_batch_parse_tolerates_library_quirks():
    body = (b"Content-Type: multipart/mixed;\n boundary=\"batch_1\"\n\n"
            b"--batch_1\nContent-Type: multipart/mixed; boundary=\"changeset_a\"\n\n"
            b"--changeset_a\nContent-Type: application/http\nContent-Transfer-Encoding: binary\n\n"
            b"MERGE http://h/sites/x/_api/Web/lists/GetByTitle('A B')/items(1) HTTP/1.1\n"
            b"X-HTTP-Method:MERGE\nIF-MATCH:*\n\n\n{\"Title\": \"a\"}\n\n--changeset_a--\n\n"
            b"--batch_1\nContent-Type: application/http\nContent-Transfer-Encoding: binary\n\n"
            b"GET http://h/sites/x/_api/Web/lists/GetByTitle('A B')/items?$select=Id&$top=2 HTTP/1.1\n"
            b"Accept:application/json\n\n--batch_1--\n")
    parts = parse_batch(body, "multipart/mixed; boundary=batch_1")
    assert [(p.method, p.path_and_query) for p in parts] == [
        ("MERGE", ("/sites/x/_api/Web/lists/GetByTitle('A B')/items(1)", "")),
        ("GET", ("/sites/x/_api/Web/lists/GetByTitle('A B')/items", "$select=Id&$top=2"))]
    assert parts[0].headers["if-match"] == "*" and parts[0].body == b'{"Title": "a"}'
    ctype, data = format_batch([(204, {"ETag": '"2"'}, b""), (200, {}, b"{}")])
    assert ctype.startswith("multipart/mixed; boundary=batchresponse_")
    assert b"\r\nHTTP/1.1 204 No Content\r\nETAG: \"2\"\r\n\r\n\r\n--batchresponse_" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_routing_and_query_string():
    segs = split_segments("Web/getFolderByServerRelativeUrl('/sites/x/A B/c')/Files/"
                          "add(overwrite=true,url='it''s.docx')")
    assert [s.key for s in segs] == ["web", "getfolderbyserverrelativeurl", "files", "add"]
    assert segs[1].args == ["/sites/x/A B/c"]
    assert segs[3].kwargs == {"overwrite": True, "url": "it's.docx"}
    assert split_segments("Web/Lists(guid'ab-12')/Items(3)")[1].args == ["ab-12"]
    q = parse_query_string("$filter=Title eq 'A & B' and Id gt 1&$top=5&%24select=Id%2CTitle")
    assert q == {"$filter": "Title eq 'A & B' and Id gt 1", "$top": "5", "$select": "Id,Title"}
    assert isinstance(SPError(400, "c", "m"), Exception)


def test_serve_prints_the_site_url_first(tmp_path):
    db = tmp_path / "cli.db"
    load_csv_dir(db, DEMO_DATA)
    proc = subprocess.Popen([sys.executable, "-c",
                             f"from spsync.sandbox import serve; serve({str(db)!r})"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/sites/spsync")
        with requests.Session() as s:
            r = s.get(url + "/_api/Web/lists/GetByTitle('Projecten')",
                      headers={"Authorization": "Bearer t"})
            assert r.json()["d"]["ItemCount"] == 17
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()


def test_a_date_sharepoint_cannot_store_is_a_dutch_error_not_a_traceback(tmp_path):
    import shutil

    from click.testing import CliRunner

    from spsync.cli import main

    csv_dir = tmp_path / "csv"
    shutil.copytree(DEMO_DATA, csv_dir, ignore=shutil.ignore_patterns("expected", "*.py", "*.md"))
    path = csv_dir / "urenregistratie.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(lines[3].split(",")[4], "0001-01-01")
    path.write_text("".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["sandbox", "load", "--db", str(tmp_path / "s.db"),
                                       "--csv", str(csv_dir)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert ("urenregistratie.csv, regel 4: datum '0001-01-01' in kolom Datum kan SharePoint "
            "niet opslaan") in result.output


def test_lookups_are_resolved_from_one_index_per_target(tmp_path, monkeypatch):
    from spsync.sandbox.store import Store

    scans: list[int] = []
    original = Store.all_items

    def counting(self, list_id, *args, **kwargs):
        scans.append(list_id)
        return original(self, list_id, *args, **kwargs)

    monkeypatch.setattr(Store, "all_items", counting)
    load_csv_dir(tmp_path / "s.db", DEMO_DATA)
    # 301 bookings + 23 activities + 22 indicators reference other lists; before, each lookup
    # cell scanned its whole target list (once more for a dangling one).
    assert len(scans) <= 10
