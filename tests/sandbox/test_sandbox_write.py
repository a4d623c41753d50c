"""Writes through the real client: MERGE with If-Match, 412, $batch, ValidateUpdateListItem,
digest and auth checks."""

from __future__ import annotations

import json

import pytest
import requests
from office365.runtime.client_request_exception import ClientRequestException


def _merges(server) -> list:
    return [r for r in server.requests if r.method == "MERGE"]


def test_merge_with_star_updates_and_bumps_version(sandbox, client_context):
    lst = client_context.web.lists.get_by_title("Urenregistratie")
    item = lst.items.get_by_id(5)
    item.set_property("BoekingStatus", "Ongeldig").set_property("Controlemelding", "x")
    item.update()
    client_context.execute_query()
    merge = _merges(sandbox)[0]
    assert merge.headers["if-match"] == "*" and merge.status == 204
    assert json.loads(merge.body)["__metadata"]["type"] == "SP.Data.UrenregistratieListItem"
    stored = sandbox.store.get_item(sandbox.store.get_list("Urenregistratie").id, 5)
    assert stored.version == 2
    assert stored.data["BoekingStatus"] == "Ongeldig" and stored.data["Controlemelding"] == "x"


def _update_with_etag(ctx, list_title, item_id, etag, **fields):
    item = ctx.web.lists.get_by_title(list_title).items.get_by_id(item_id)
    for k, v in fields.items():
        item.set_property(k, v)
    item.update()
    ctx.before_execute(lambda r: r.set_header("IF-MATCH", etag))
    ctx.execute_query()


def test_merge_with_current_etag_succeeds(sandbox, client_context):
    _update_with_etag(client_context, "Projecten", 1, '"1"', UrenStatus="Binnen uren")
    assert _merges(sandbox)[0].headers["if-match"] == '"1"'
    r = client_context.web.lists.get_by_title("Projecten").items.get_by_id(1) \
        .select(["Id", "UrenStatus"]).get().execute_query()
    assert r.properties["UrenStatus"] == "Binnen uren"


def test_stale_etag_gives_412(sandbox, client_context):
    sandbox.edit_item("Projecten", 1, {"Projectstatus": "Afgerond"})  # version 2 now
    with pytest.raises(ClientRequestException) as err:
        _update_with_etag(client_context, "Projecten", 1, '"1"', UrenStatus="Overschreden")
    assert err.value.response.status_code == 412
    assert "-2130575305" in err.value.response.text
    assert len(_merges(sandbox)) == 1  # not retried
    data = sandbox.store.get_item(sandbox.store.get_list("Projecten").id, 1).data
    assert data["UrenStatus"] is None


def test_concurrent_edit_makes_the_etag_stale(sandbox, client_context):
    sandbox.concurrent_edit("Projecten", 2, {"Projectstatus": "Gestopt"})
    with pytest.raises(ClientRequestException) as err:
        _update_with_etag(client_context, "Projecten", 2, '"1"', UrenStatus="Overschreden")
    assert err.value.response.status_code == 412
    data = sandbox.store.get_item(sandbox.store.get_list("Projecten").id, 2).data
    assert data["Projectstatus"] == "Gestopt" and data["UrenStatus"] is None


def test_etag_readable_from_raw_response(sandbox, client_context):
    seen = []
    client_context.web.lists.get_by_title("Projecten").items.get_by_id(3).get()
    client_context.after_execute(lambda resp: seen.append(resp.json()["d"]["__metadata"]["etag"]),
                                 include_response=True)
    client_context.execute_query()
    assert seen == ['"1"']


def test_unknown_property_and_wrong_type_are_400(sandbox, client_context):
    lst = client_context.web.lists.get_by_title("Projecten")
    item = lst.items.get_by_id(1)
    item.set_property("Bestaatniet", 1)
    item.update()
    with pytest.raises(ClientRequestException) as err:
        client_context.execute_query()
    assert err.value.response.status_code == 400
    assert "The property 'Bestaatniet' does not exist on type 'SP.Data.ProjectenListItem'" \
        in err.value.response.text
    item = lst.items.get_by_id(1)
    item._entity_type_name = "SP.Data.VerkeerdListItem"
    item.set_property("UrenStatus", "x")
    item.update()
    with pytest.raises(ClientRequestException) as err:
        client_context.execute_query()
    assert err.value.response.status_code == 400


def test_three_merges_in_one_batch_with_one_412(sandbox, client_context):
    ctx = client_context
    lst = ctx.web.lists.get_by_title("Projecten").select(["ListItemEntityTypeFullName"]).get() \
        .execute_query()
    type_name = lst.properties["ListItemEntityTypeFullName"]
    sandbox.concurrent_edit("Projecten", 2, {"Projectstatus": "Gestopt"})
    sandbox.clear_log()
    for item_id in (1, 2, 3):
        item = lst.items.get_by_id(item_id)
        item._entity_type_name = type_name
        item.set_property("UrenStatus", f"S{item_id}").update()
        # a concrete ETag per part; item 2 gets edited by staff just before its write
        ctx.before_execute(lambda r: r.set_header("IF-MATCH", '"1"'))
    with ctx.collect_batch_failures() as failures:
        ctx.execute_batch()
    outer = [r for r in sandbox.requests if not r.in_batch]
    parts = [r for r in sandbox.requests if r.in_batch]
    assert [r.path for r in outer] == ["$batch"]
    assert [(r.method, r.status) for r in parts] == [("MERGE", 204), ("MERGE", 412), ("MERGE", 204)]
    assert len(failures) == 1 and failures[0][1].response.status_code == 412
    store = sandbox.store
    pid = store.get_list("Projecten").id
    assert [store.get_item(pid, i).data["UrenStatus"] for i in (1, 2, 3)] == ["S1", None, "S3"]


def test_validate_update_list_item(sandbox, client_context):
    item = client_context.web.lists.get_by_title("Projecten").items.get_by_id(4)
    result = item.validate_update_list_item({"UrenStatus": "Overschreden", "RestUren": "-22.5",
                                             "StatusGewijzigdOp": "2026-05-15",
                                             "GeboekteUren": "veel"})
    client_context.execute_query()
    by_name = {v.FieldName: v for v in result.value}
    assert not by_name["UrenStatus"].HasException
    assert by_name["GeboekteUren"].HasException
    data = sandbox.store.get_item(sandbox.store.get_list("Projecten").id, 4).data
    assert data["RestUren"] == -22.5 and data["UrenStatus"] == "Overschreden"
    assert data["StatusGewijzigdOp"] == "2026-05-14T22:00:00Z"


def test_post_without_digest_is_403_and_without_token_401(sandbox):
    url = sandbox.site_url + "/_api/Web/lists/GetByTitle('Projecten')/items(1)"
    headers = {"Authorization": "Bearer t", "Accept": "application/json;odata=verbose",
               "X-HTTP-Method": "MERGE", "Content-Type": "application/json;odata=verbose"}
    with requests.Session() as s:
        r = s.post(url, headers=headers, data=b"{}")
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "-2130575251, Microsoft.SharePoint.SPException"
        r = s.get(sandbox.site_url + "/_api/Web", headers={"Accept": "application/json"})
        assert r.status_code == 401
        assert r.headers["Content-Type"] == "application/json;odata=verbose;charset=utf-8"


def test_create_and_delete_item(sandbox, client_context):
    lst = client_context.web.lists.get_by_title("Hoofdlijnen")
    new = lst.add_item({"Title": "Nieuw", "Code": "NW", "Volgorde": 8}).execute_query()
    assert new.properties["Id"] == 8
    new.delete_object().execute_query()
    assert sandbox.store.get_item(sandbox.store.get_list("Hoofdlijnen").id, 8) is None
