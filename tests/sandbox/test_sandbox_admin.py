"""List and field creation, field MERGE and permissions: what the real client library sends
(recorded from the sandbox's request log) and what the sandbox answers."""

from __future__ import annotations

import json

import pytest
from office365.runtime.client_request_exception import ClientRequestException
from office365.sharepoint.fields.creation_information import FieldCreationInformation
from office365.sharepoint.fields.type import FieldType
from office365.sharepoint.lists.creation_information import ListCreationInformation
from office365.sharepoint.lists.templates.type import ListTemplateType
from office365.sharepoint.permissions.kind import PermissionKind

from spsync.auth import sandbox_token
from spsync.sharepoint import SharePointGateway


def _bodies(server, path_end: str) -> list[dict]:
    return [json.loads(r.body) for r in server.requests
            if r.path.lower().endswith(path_end.lower()) and r.method in ("POST", "MERGE")]


def test_list_and_library_creation_wire_format(empty_sandbox, ctx_factory):
    ctx = ctx_factory(empty_sandbox.site_url)
    ctx.web.lists.add(ListCreationInformation("Projecten", None,
                                              ListTemplateType.GenericList)).execute_query()
    lib = ctx.web.lists.add_library("MT-rapportages").execute_query()
    assert _bodies(empty_sandbox, "Web/lists") == [
        {"Title": "Projecten", "BaseTemplate": 100, "AllowContentTypes": False,
         "__metadata": {"type": "SP.List"}},
        {"Title": "MT-rapportages", "BaseTemplate": 101, "AllowContentTypes": False,
         "__metadata": {"type": "SP.List"}},
    ]
    assert lib.properties["BaseTemplate"] == 101
    assert lib.properties["ListItemEntityTypeFullName"] == "SP.Data.MTrapportagesItem"
    store = empty_sandbox.store
    assert [f.internal_name for f in store.get_list("Projecten").fields] == ["Title", "Author", "Editor"]  # every list has its creator and editor (SPO)
    with pytest.raises(ClientRequestException) as err:  # the same title twice
        ctx.web.lists.add_list("Projecten").execute_query()
    assert err.value.response.status_code == 500


def test_create_field_as_xml_wire_format_and_internal_name_hint(empty_sandbox):
    gw = SharePointGateway(empty_sandbox.site_url, sandbox_token)
    gw.create_list("Projecten")
    xml = ('<Field Type="Number" Name="ToegekendeUren" StaticName="ToegekendeUren" '
           'DisplayName="Toegekende uren" Required="FALSE" Decimals="1" />')
    created = gw.create_field("Projecten", xml)
    gw.close()
    assert _bodies(empty_sandbox, "Fields/CreateFieldAsXml") == [{"parameters": {
        "SchemaXml": xml, "Options": 24,
        "__metadata": {"type": "SP.XmlSchemaFieldCreationInformation"}}}]
    assert (created.internal_name, created.type, created.title) == \
        ("ToegekendeUren", "Number", "Toegekende uren")


def test_without_the_hint_sharepoint_derives_the_name_from_the_display_name(empty_sandbox,
                                                                           ctx_factory):
    ctx = ctx_factory(empty_sandbox.site_url)
    lst = ctx.web.lists.add_list("Projecten").execute_query()
    field = lst.fields.create_field_as_xml(
        '<Field Type="Number" Name="ToegekendeUren" DisplayName="Toegekende uren" />')
    ctx.execute_query()
    assert field.properties["InternalName"] == "Toegekende_x0020_uren"


def test_add_field_and_entity_creation_as_the_library_sends_them(empty_sandbox, ctx_factory):
    ctx = ctx_factory(empty_sandbox.site_url)
    target = ctx.web.lists.add_list("Hoofdlijnen").execute_query()
    lst = ctx.web.lists.add_list("Doelen").execute_query()
    lst.fields.add_choice_field("Status", ["Op koers", "Niet op koers"])
    lst.fields.add_lookup_field("Hoofdlijn", target.id, "Title")
    lst.fields.add_user_field("Eigenaar")
    ctx.execute_query()
    add_field = _bodies(empty_sandbox, "Fields/AddField")
    assert add_field[0] == {"parameters": {
        "Title": "Status", "FieldTypeKind": 6, "Required": False,
        "Choices": {"__metadata": {"type": "Collection(Edm.String)"},
                    "results": ["Op koers", "Niet op koers"]},
        "__metadata": {"type": "SP.FieldCreationInformation"}}}
    assert add_field[1]["parameters"]["LookupListId"] == target.id
    entity = _bodies(empty_sandbox, "Fields")
    assert entity[0]["FieldTypeKind"] == 20 and entity[0]["__metadata"]["type"] == "SP.FieldUser"
    doelen = empty_sandbox.store.get_list("Doelen")
    assert [(f.internal_name, f.type, f.lookup_list) for f in doelen.fields
            if f.internal_name not in ("Title", "Author", "Editor")] == [
        ("Status", "Choice", None), ("Hoofdlijn", "Lookup", "Hoofdlijnen"),
        ("Eigenaar", "User", None)]


def test_indexed_merge_wire_format_and_unique_needs_an_index(empty_sandbox):
    gw = SharePointGateway(empty_sandbox.site_url, sandbox_token)
    gw.create_list("Projecten")
    gw.create_field("Projecten", '<Field Type="Text" Name="ProjectCode" DisplayName="Code" />')
    gw.set_field_indexed("Projecten", "ProjectCode")
    merge = [r for r in empty_sandbox.requests if r.method == "MERGE"]
    assert [(r.path, json.loads(r.body)) for r in merge] == [
        ("Web/lists/GetByTitle('Projecten')/Fields/getByInternalNameOrTitle('ProjectCode')",
         {"Indexed": True, "__metadata": {"type": "SP.Field"}})]
    described = gw.describe_site(["Projecten"]).lists["Projecten"]
    assert described.fields["ProjectCode"].indexed is True
    from spsync.exceptions import GatewayError
    with pytest.raises(GatewayError):
        gw.create_field("Projecten", '<Field Type="Text" Name="X" DisplayName="X" '
                                     'EnforceUniqueValues="TRUE" />')
    gw.close()


def test_effective_base_permissions_follow_the_role(empty_sandbox, ctx_factory):
    ctx = ctx_factory(empty_sandbox.site_url)
    lst = ctx.web.lists.add_list("Projecten").execute_query()
    lst.add_item({"Title": "a"}).execute_query()
    empty_sandbox.set_role("read")
    web = ctx.web.select(["EffectiveBasePermissions"]).get().execute_query()
    perms = web.effective_base_permissions
    assert perms.has(PermissionKind.ViewListItems)
    assert not perms.has(PermissionKind.EditListItems)
    assert not perms.has(PermissionKind.ManageLists)
    with pytest.raises(ClientRequestException) as err:
        lst.items.get_by_id(1).set_property("Title", "b").update().execute_query()
    assert err.value.response.status_code == 403
    empty_sandbox.set_role("manage")
    site = SharePointGateway(empty_sandbox.site_url, sandbox_token).describe_site(["Projecten"])
    assert {1, 2, 3, 12} <= site.permissions and {1, 2, 3, 12} <= \
        site.lists["Projecten"].permissions


def test_field_creation_entity_kind_matches_the_library(empty_sandbox, ctx_factory):
    """FieldCreationInformation's FieldTypeKind for a Number is 9 (as the sandbox maps it)."""
    ctx = ctx_factory(empty_sandbox.site_url)
    lst = ctx.web.lists.add_list("L").execute_query()
    lst.fields.add_field(FieldCreationInformation("Uren", FieldType.Number)).execute_query()
    assert empty_sandbox.store.get_list("L").field("Uren").type == "Number"


def test_choices_merge_needs_the_choice_type(empty_sandbox, ctx_factory):
    gw = SharePointGateway(empty_sandbox.site_url, sandbox_token)
    gw.create_list("Projecten")
    gw.create_field("Projecten", '<Field Type="Choice" Name="UrenStatus" DisplayName="U">'
                                 '<CHOICES><CHOICE>Binnen uren</CHOICE></CHOICES></Field>')
    gw.set_field_choices("Projecten", "UrenStatus", ["Binnen uren", "Overschreden"])
    (merge,) = [json.loads(r.body) for r in empty_sandbox.requests if r.method == "MERGE"]
    assert merge == {"Choices": {"__metadata": {"type": "Collection(Edm.String)"},
                                 "results": ["Binnen uren", "Overschreden"]},
                     "__metadata": {"type": "SP.FieldChoice"}}
    site = gw.describe_site(["Projecten"])
    assert site.lists["Projecten"].fields["UrenStatus"].choices == ("Binnen uren", "Overschreden")
    gw.close()
    ctx = ctx_factory(empty_sandbox.site_url)  # as a plain SP.Field, SharePoint refuses it
    field = ctx.web.lists.get_by_title("Projecten").fields \
        .get_by_internal_name_or_title("UrenStatus")
    field.set_property("Choices", {"__metadata": {"type": "Collection(Edm.String)"},
                                   "results": ["x"]})
    with pytest.raises(ClientRequestException) as err:
        field.update().execute_query()
    assert err.value.response.status_code == 400
