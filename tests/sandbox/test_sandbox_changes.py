"""The sandbox's change log and its fidelity points, driven by the real client over HTTP:
CurrentChangeToken, getChanges (the SP.ChangeQuery the library sends), Author/Editor, exact
$select and text limits in UTF-16 units."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import requests as rq
from office365.runtime.client_request_exception import ClientRequestException
from office365.sharepoint.changes.query import ChangeQuery
from office365.sharepoint.changes.token import ChangeToken

from spsync import schema
from spsync.sandbox import add_items, create_list
from spsync.sandbox.store import APP_USER_ID, FieldInfo

TOKEN = re.compile(r"^1;3;([0-9a-f-]{36});(\d+);(\d+)$")


def _token(ctx, title: str) -> str:
    lst = ctx.web.lists.get_by_title(title).select(["CurrentChangeToken"]).get().execute_query()
    token = lst.properties["CurrentChangeToken"]
    assert isinstance(token, ChangeToken)  # the library builds the object from the JSON
    return token.StringValue


def _changes(ctx, title: str, start: str | None, **flags):
    query = ChangeQuery(Item=True, Add=True, Update=True, DeleteObject=True,
                        ChangeTokenStart=ChangeToken(start) if start else None, **flags)
    return ctx.web.lists.get_by_title(title).get_changes(query).execute_query()


def test_current_change_token_has_the_spo_shape(sandbox, client_context):
    token = _token(client_context, "Projecten")
    m = TOKEN.match(token)
    assert m, token
    assert m.group(1) == sandbox.store.get_list("Projecten").id
    assert int(m.group(2)) > 638_000_000_000_000_000  # .NET ticks of a 2020s date
    # One change later (in any list of the site) the token has moved on.
    sandbox.edit_item("Doelen", 1, {"DoelStatus": "Behaald"})
    later = TOKEN.match(_token(client_context, "Projecten"))
    assert int(later.group(3)) > int(m.group(3))


def test_adds_updates_deletes_come_back_in_order_after_the_token(sandbox, client_context):
    ctx = client_context
    start = _token(ctx, "Urenregistratie")
    lst = ctx.web.lists.get_by_title("Urenregistratie")
    added = lst.add_item({"Title": "nieuw", "Uren": 2}).execute_query()
    new_id = added.properties["Id"]
    item = lst.items.get_by_id(3)
    item.set_property("Uren", 7).update()
    ctx.execute_query()
    lst.items.get_by_id(4).delete_object().execute_query()
    sandbox.clear_log()
    changes = list(_changes(ctx, "Urenregistratie", start))
    assert [(c.change_type.value, c.properties["ItemId"]) for c in changes] == [
        (1, new_id), (2, 3), (3, 4)]
    list_id = sandbox.store.get_list("Urenregistratie").id
    assert {c.properties["ListId"] for c in changes} == {list_id}
    numbers = [int(c.change_token.StringValue.split(";")[4]) for c in changes]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    now = datetime.now(UTC).replace(tzinfo=None)
    assert all(abs((c.time.replace(tzinfo=None) - now).total_seconds()) < 120 for c in changes)
    # The body the real client sends: an SP.ChangeQuery with the token as an SP.ChangeToken.
    post = [r for r in sandbox.requests if r.path.lower().endswith("/getchanges")][0]
    sent = json.loads(post.body)
    assert sent["query"]["__metadata"] == {"type": "SP.ChangeQuery"}
    assert sent["query"]["ChangeTokenStart"] == {"StringValue": start,
                                                 "__metadata": {"type": "SP.ChangeToken"}}
    assert sent["query"]["Item"] is True and sent["query"]["DeleteObject"] is True
    # From the last change's token nothing is left.
    assert list(_changes(ctx, "Urenregistratie", changes[-1].change_token.StringValue)) == []
    # Writes through the API are the app's: Editor is the app principal, Author too on add.
    stored = sandbox.store.get_item(list_id, 3).data
    assert stored["Editor"] == APP_USER_ID and stored["Author"] != APP_USER_ID
    assert sandbox.store.get_item(list_id, new_id).data["Author"] == APP_USER_ID


def test_fetch_limit_pages_the_log(tmp_path, sandbox, client_context):
    start = _token(client_context, "Hoofdlijnen")
    add_items(sandbox.store, "Hoofdlijnen", ({"Title": f"h{i}", "Code": f"H{i}"}
                                             for i in range(5)))
    first = list(_changes(client_context, "Hoofdlijnen", start, FetchLimit=2))
    assert len(first) == 2
    rest = list(_changes(client_context, "Hoofdlijnen", first[-1].change_token.StringValue,
                         FetchLimit=2))
    assert len(rest) == 2
    assert rest[0].properties["ItemId"] == first[-1].properties["ItemId"] + 1
    everything = list(_changes(client_context, "Hoofdlijnen", start))
    assert len(everything) == 5  # default FetchLimit 1000


def test_a_bare_string_token_is_refused_with_400(sandbox, client_context):
    query = ChangeQuery(Item=True, ChangeTokenStart=_token(client_context, "Projecten"))
    with pytest.raises(ClientRequestException) as err:
        client_context.web.lists.get_by_title("Projecten").get_changes(query).execute_query()
    assert err.value.response.status_code == 400
    assert "StartObject" in err.value.response.text


def test_a_token_older_than_the_log_gets_the_spo_error(sandbox, client_context):
    start = _token(client_context, "Projecten")
    sandbox.edit_item("Projecten", 1, {"Projectstatus": "Afgerond"})
    sandbox.set_change_log_retention(0)  # every entry logged so far is past retention
    with pytest.raises(ClientRequestException) as err:
        _changes(client_context, "Projecten", start)
    error = err.value.response.json()["error"]
    assert error["code"].startswith("-2130575172")
    assert error["message"]["value"] == ("The changeToken refers to a time before the start of "
                                         "the current change log.")
    # The current token is not too old: nothing lost after it.
    sandbox.set_change_log_retention(60 * 86400)
    assert list(_changes(client_context, "Projecten", _token(client_context, "Projecten"))) == []


def test_a_token_of_another_list_is_refused(sandbox, client_context):
    with pytest.raises(ClientRequestException) as err:
        _changes(client_context, "Projecten", _token(client_context, "Doelen"))
    assert "-2130575173" in err.value.response.json()["error"]["code"]


def test_a_schema_change_is_in_the_log(sandbox, client_context):
    start = _token(client_context, "Doelen")
    fields = [FieldInfo(c.name, c.type, c.name, c.lookup_list, c.lookup_field)
              for c in schema.list_def("doelen").columns if c.name != "DoelStatus"]
    sandbox.store.create_list("Doelen", fields + [FieldInfo("Nieuw", "Text")], key="doelen")
    assert list(_changes(client_context, "Doelen", start)) == []  # Item changes only
    query = ChangeQuery(Field=True, Add=True, DeleteObject=True,
                        ChangeTokenStart=ChangeToken(start))
    found = client_context.web.lists.get_by_title("Doelen").get_changes(query).execute_query()
    kinds = sorted(c.change_type.value for c in found)
    assert kinds == [1, 3]  # Nieuw added, DoelStatus removed


def test_items_carry_author_and_editor_and_lists_have_the_fields(sandbox, client_context):
    lst = client_context.web.lists.get_by_title("Projecten")
    fields = lst.fields.select(["InternalName", "TypeAsString"]).get().execute_query()
    types = {f.properties["InternalName"]: f.properties["TypeAsString"] for f in fields}
    assert types["Author"] == "User" and types["Editor"] == "User"
    items = lst.items.select(["Id", "AuthorId", "EditorId", "Author/Title"]).expand(
        ["Author"]).top(5).get().execute_query()
    first = items[0].properties
    assert first["AuthorId"] == first["EditorId"] == sandbox.store.default_author()
    assert first["Author"]["Title"] == sandbox.store.get_user(first["AuthorId"])[1]


def test_select_returns_exactly_the_selected_fields(sandbox, client_context):
    lst = client_context.web.lists.get_by_title("Projecten")
    via_lib = lst.items.select(["Title"]).top(2).get().execute_query()
    assert set(via_lib[0].properties) <= {"Title", "ParentList"}
    raw = rq.get(f"{sandbox.site_url}/_api/Web/lists/GetByTitle('Projecten')/items",
                 params={"$select": "Title", "$top": "2"},
                 headers={"Authorization": "Bearer t", "Accept": "application/json;odata=verbose"},
                 timeout=10).json()
    assert [sorted(r) for r in raw["d"]["results"]] == [["Title", "__metadata"]] * 2
    raw = rq.get(f"{sandbox.site_url}/_api/Web/lists/GetByTitle('Projecten')/items",
                 params={"$select": "ID,Modified", "$top": "1"},
                 headers={"Authorization": "Bearer t"}, timeout=10).json()
    assert sorted(raw["d"]["results"][0]) == ["ID", "Modified", "__metadata"]
    raw = rq.get(f"{sandbox.site_url}/_api/Web/lists/GetByTitle('Projecten')/items",
                 params={"$top": "1"}, headers={"Authorization": "Bearer t"}, timeout=10).json()
    everything = raw["d"]["results"][0]
    assert {"Id", "ID", "Created", "Modified", "AuthorId", "EditorId", "Title"} <= set(everything)


@pytest.mark.parametrize("title,ok", [("🌍" * 127, True), ("🌍" * 128, False),
                                      ("🌍" * 200, False), ("e" * 255, True), ("e" * 256, False)])
def test_text_limit_is_255_utf16_units(sandbox, client_context, title, ok):
    item = client_context.web.lists.get_by_title("Projecten").items.get_by_id(1)
    item.set_property("Title", title).update()
    list_id = sandbox.store.get_list("Projecten").id
    if ok:
        client_context.execute_query()
        assert sandbox.store.get_item(list_id, 1).data["Title"] == title
        return
    with pytest.raises(ClientRequestException) as err:
        client_context.execute_query()
    assert err.value.response.status_code == 500
    assert "-2130575336" in err.value.response.json()["error"]["code"]
    assert "Invalid text value" in err.value.response.text
    assert sandbox.store.get_item(list_id, 1).data["Title"] != title


def test_bulk_loads_enter_the_log_as_adds(tmp_path):
    from spsync.sandbox import SandboxServer
    from spsync.sandbox.store import Store

    db = tmp_path / "s.db"
    create_list(db, schema.list_def("hoofdlijnen"))
    add_items(db, "Hoofdlijnen", [{"Title": "a", "Code": "A"}, {"Title": "b", "Code": "B"}])
    with Store(db) as store:
        lst = store.get_list("Hoofdlijnen")
        assert [(c.item_id, c.change_type) for c in store.changes_after(
            lst.id, 0, ["item"], [1, 2, 3], 10)] == [(1, 1), (2, 1)]
    with SandboxServer(db) as server:
        assert server.store.count_items(server.store.get_list("Hoofdlijnen").id) == 2


def test_list_select_answers_only_the_token(sandbox):
    raw = rq.get(f"{sandbox.site_url}/_api/Web/lists/GetByTitle('Projecten')",
                 params={"$select": "CurrentChangeToken"},
                 headers={"Authorization": "Bearer t"}, timeout=10).json()
    assert sorted(raw["d"]) == ["CurrentChangeToken", "__metadata"]
    token = raw["d"]["CurrentChangeToken"]
    assert token["__metadata"] == {"type": "SP.ChangeToken"}
    assert TOKEN.match(token["StringValue"])
