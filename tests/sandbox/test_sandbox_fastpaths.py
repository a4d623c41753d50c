"""The sandbox's fast paths answer what the plain ones do: a page written item by item as JSON
text is byte for byte the JSON of the rendered dicts, and the caches behind lookups, lists and
the app principal follow every change, also one made through another SQLite connection."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests

from spsync.sandbox import Store, add_items
from spsync.sandbox import items as it
from spsync.sandbox.store import APP_USER_ID, FieldInfo
from spsync.sandbox.wire import json_text

_AUTH = {"Authorization": "Bearer t", "Accept": "application/json;odata=verbose"}


def _get(server, title: str, options: dict[str, str]) -> requests.Response:
    qs = "&".join(f"{k}={quote(v, safe=',/')}" for k, v in options.items())
    url = f"{server.site_url}/_api/web/lists/GetByTitle('{title}')/items" + (f"?{qs}" if qs else "")
    resp = requests.get(url, headers=_AUTH, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp


def _dict_rendering(server, title: str, options: dict[str, str]) -> bytes:
    """The same answer through ItemQuery.query (dicts) and json.dumps, as json_response makes."""
    lst = server.store.get_list(title)
    body = it.ItemQuery(server.store, lst, server.site_url + "/_api").query(options)
    return json.dumps({"d": body}, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("value", [
    "plain", 'quote " and \\ backslash', "new\nline\ttab\x01\x1f", "café — ☃ 🌍", "\ud800",
    "", 0, -7, 2 ** 70, 1.5, 0.1, 1e16, 1e-7, -0.0, float("nan"), float("inf"), float("-inf"),
    True, False, None, [1, "a", None, 2.5], {"k": [True, {"n": "ü"}]}, (1, 2),
])
def test_json_text_is_json_dumps(value):
    assert json_text(value) == json.dumps(value, ensure_ascii=False)


def _odd_bookings(server) -> None:
    """Bookings whose values take every branch of the text path: odd types, odd strings,
    lookups as string/float/bool, to a deleted project and to an unknown person."""
    add_items(server.store, "Urenregistratie", [
        {"ID": 901, "Title": 'Met "quotes", \\ en\nregels 🌍', "Project": 3, "Medewerker": 2,
         "Uren": float("nan"), "Datum": None},
        {"ID": 902, "Title": "float-lookup", "Project": 3.0, "Medewerker": 99999,
         "Uren": float("inf"), "Datum": "2026-01-01T00:00:00Z"},
        {"ID": 903, "Title": "bool-lookup", "Project": True, "Medewerker": "2",
         "Uren": [1, 2], "Datum": {"nested": ["x", 1.25]}},
        {"ID": 904, "Title": "string-lookup", "Project": "3", "Medewerker": None,
         "Uren": 1e16, "Datum": ""},
        {"ID": 905, "Title": "dangling", "Project": 777, "Medewerker": 1, "Uren": 2 ** 70},
    ])


OPTIONS = [
    {},
    {"$top": "7"},
    {"$top": "100", "$skiptoken": "Paged=TRUE&p_ID=100"},
    {"$select": "*", "$expand": "Project", "$top": "60"},
    {"$expand": "Project,Medewerker", "$top": "5000"},
    {"$select": "Id,Title,Project,Medewerker,Uren", "$top": "5000"},  # deferred lookups
    {"$select": "Id,ProjectId,Project/ProjectCode,Project/Title,MedewerkerId,Medewerker/Title,"
                "Medewerker/EMail,Medewerker/Name,Datum,Uren,GUID,owshiddenversion,Created,"
                "Modified,ID,Title,Title,Project/ProjectCode",  # a repeated name keeps its place
     "$expand": "Project,Medewerker", "$top": "5000"},
    {"$select": "Id,Project/Id,Medewerker", "$expand": "Project,Medewerker", "$top": "5000"},
    {"$select": "Id,Uren,Project/ProjectCode", "$expand": "Project", "$filter": "Uren gt 2",
     "$orderby": "Datum desc", "$top": "20"},
    {"$select": "Id,Title", "$filter": "Id eq 901 or (Id ge 3 and Id le 5)", "$top": "5000"},
    {"$select": "Id", "$filter": "Id eq 123456"},  # an empty page
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "&".join(o) or "none")
def test_a_page_is_byte_for_byte_the_json_of_its_dicts(sandbox, options):
    _odd_bookings(sandbox)
    body = _get(sandbox, "Urenregistratie", options).content
    assert body == _dict_rendering(sandbox, "Urenregistratie", options)
    json.loads(body)  # and it is JSON


@pytest.mark.parametrize("title,options", [
    ("Projecten", {"$expand": "Hoofdlijn,Eigenaar"}),
    ("Activiteiten", {"$select": "Id,Hoofdlijn/Title,Doel/DoelCode,Project/ProjectCode,Eigenaar",
                      "$expand": "Hoofdlijn,Doel,Project"}),
    ("MT-rapportages", {}),
    ("MT-rapportages", {"$select": "Id,FileLeafRef,Editor/Title", "$expand": "Editor"}),
])
def test_other_lists_and_the_library_render_the_same(sandbox, title, options):
    sandbox.store.put_file(sandbox.store.get_list("MT-rapportages").id,
                           "/sites/spsync/MTrapportages", "r.docx", b"x")
    body = _get(sandbox, title, options).content
    assert body == _dict_rendering(sandbox, title, options)


def test_expanded_targets_differ_by_type_and_show_null_when_gone(sandbox):
    _odd_bookings(sandbox)
    res = _get(sandbox, "Urenregistratie", {
        "$select": "Id,Project/ProjectCode,Medewerker/Title", "$expand": "Project,Medewerker",
        "$filter": "Id ge 901 and Id le 905", "$top": "10"}).json()["d"]["results"]
    by_id = {r["Id"]: r for r in res}
    # 3 and 3.0 are different names for SharePoint's GUID (as before the cache existed)
    assert by_id[901]["Project"]["__metadata"]["id"] != by_id[902]["Project"]["__metadata"]["id"]
    assert by_id[901]["Project"]["ProjectCode"] == by_id[902]["Project"]["ProjectCode"]
    assert by_id[905]["Project"]["ProjectCode"] is None  # the target does not exist
    assert by_id[902]["Medewerker"]["Title"] is None  # nor does the person


def _code_of_project_3(server) -> str:
    res = _get(server, "Urenregistratie", {
        "$select": "Id,Project/ProjectCode", "$expand": "Project",
        "$filter": "Id eq 901", "$top": "1"}).json()["d"]["results"]
    return res[0]["Project"]["ProjectCode"]


def test_an_expanded_lookup_follows_edits_between_reads(sandbox):
    _odd_bookings(sandbox)
    assert _code_of_project_3(sandbox) == "P-2526-03"
    sandbox.edit_item("Projecten", 3, {"ProjectCode": "P-NIEUW"})
    assert _code_of_project_3(sandbox) == "P-NIEUW"


def test_changes_through_another_connection_are_seen(sandbox):
    """A second Store on the same file (another process, the CLI loader) commits: the server's
    caches of lists, lookup targets and the app principal must not hide it."""
    _odd_bookings(sandbox)
    assert _code_of_project_3(sandbox) == "P-2526-03"
    url = f"{sandbox.site_url}/_api/web/lists/GetByTitle('Nieuw')"
    assert requests.get(url, headers=_AUTH, timeout=30).status_code == 404
    with Store(sandbox.db_path) as other:
        projecten = other.get_list("Projecten")
        other.update_item(projecten.id, 3, {"ProjectCode": "P-ANDERS"})
        other.create_list("Nieuw", [])
        other.replace_users([("Iemand", "iemand@example.org")])  # the app principal is gone
    assert _code_of_project_3(sandbox) == "P-ANDERS"
    assert requests.get(url, headers=_AUTH, timeout=30).status_code == 200
    # The next API write is the app's again: its user row is back and Editor expands to it.
    digest = requests.post(f"{sandbox.site_url}/_api/contextinfo", headers=_AUTH, timeout=30) \
        .json()["d"]["GetContextWebInformation"]["FormDigestValue"]
    resp = requests.post(
        f"{sandbox.site_url}/_api/web/lists/GetByTitle('Urenregistratie')/items(901)",
        headers={**_AUTH, "X-RequestDigest": digest, "X-HTTP-Method": "MERGE", "IF-MATCH": "*",
                 "Content-Type": "application/json;odata=verbose"},
        data=json.dumps({"__metadata": {"type": "SP.Data.UrenregistratieListItem"},
                         "BoekingStatus": "OK"}), timeout=30)
    assert resp.status_code == 204, resp.text
    res = _get(sandbox, "Urenregistratie", {"$select": "Id,Editor/Title,EditorId",
                                             "$expand": "Editor", "$filter": "Id eq 901"})
    row = res.json()["d"]["results"][0]
    assert row["EditorId"] == APP_USER_ID and row["Editor"]["Title"] == "SharePoint App"
    with Store(sandbox.db_path) as other:
        other.delete_list("Nieuw")
    assert requests.get(url, headers=_AUTH, timeout=30).status_code == 404


def test_a_merge_of_a_missing_item_is_still_404(sandbox):
    digest = requests.post(f"{sandbox.site_url}/_api/contextinfo", headers=_AUTH, timeout=30) \
        .json()["d"]["GetContextWebInformation"]["FormDigestValue"]
    resp = requests.post(
        f"{sandbox.site_url}/_api/web/lists/GetByTitle('Urenregistratie')/items(424242)",
        headers={**_AUTH, "X-RequestDigest": digest, "X-HTTP-Method": "MERGE", "IF-MATCH": '"1"',
                 "Content-Type": "application/json;odata=verbose"},
        data=json.dumps({"__metadata": {"type": "SP.Data.UrenregistratieListItem"},
                         "BoekingStatus": "OK"}), timeout=30)
    assert resp.status_code == 404
    assert "-2130575338" in resp.json()["error"]["code"]


def test_a_property_named_twice_keeps_its_first_place_and_last_value(sandbox):
    """A Text column ``ProjectId`` beside the lookup ``Project`` (whose id is ``ProjectId``
    too): the dict keeps one key, the text path must write it once, with the same value."""
    sandbox.store.create_list("Dubbel", [FieldInfo("Title", "Text"),
                                         FieldInfo("Project", "Lookup", "Project", "Projecten",
                                                   "ProjectCode"),
                                         FieldInfo("ProjectId", "Text")])
    add_items(sandbox.store, "Dubbel", [{"Title": "a", "Project": 3, "ProjectId": "tekst"}])
    for options in ({}, {"$expand": "Project"}, {"$select": "*,ProjectId", "$expand": "Project"}):
        body = _get(sandbox, "Dubbel", options).content
        assert body == _dict_rendering(sandbox, "Dubbel", options)
        assert body.count(b'"ProjectId"') == 1
