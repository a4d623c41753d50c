"""Library files: simple and chunked upload, listing, download, metadata and delete."""

from __future__ import annotations

import pytest
from office365.runtime.client_request_exception import ClientRequestException

LIB_URL = "/sites/spsync/MTrapportages"


def test_library_root_folder(sandbox, client_context):
    lib = client_context.web.lists.get_by_title("MT-rapportages")
    folder = lib.root_folder.get().execute_query()
    assert folder.server_relative_url == LIB_URL


def test_upload_list_download_delete(sandbox, client_context):
    ctx = client_context
    folder = ctx.web.get_folder_by_server_relative_url("MTrapportages")
    small = b"PK\x03\x04 small report"
    f = folder.upload_file("week 20.docx", small).execute_query()
    assert f.server_relative_url == f"{LIB_URL}/week 20.docx"
    assert int(f.length) == len(small)

    big = bytes(range(256)) * 100  # 25,600 bytes in chunks of 10,000
    g = folder.upload_file("big.docx", big, chunk_size=10_000).execute_query()
    methods = [r.path.rsplit("/", 1)[-1].split("(")[0] for r in sandbox.requests
               if r.method == "POST" and "GetFileById" in r.path]
    assert methods == ["startUpload", "continueUpload", "finishUpload"]
    assert int(g.length) == len(big)

    files = ctx.web.get_folder_by_server_relative_path(LIB_URL).files.get().execute_query()
    assert sorted(x.name for x in files) == ["big.docx", "week 20.docx"]

    content = ctx.web.get_file_by_server_relative_url(f"{LIB_URL}/big.docx").get_content() \
        .execute_query()
    assert content.value == big
    content = ctx.web.get_file_by_server_relative_url(f"{LIB_URL}/week 20.docx").get_content() \
        .execute_query()
    assert content.value == small

    ctx.web.get_file_by_server_relative_url(f"{LIB_URL}/week 20.docx").delete_object() \
        .execute_query()
    files = ctx.web.get_folder_by_server_relative_url(LIB_URL).files.get().execute_query()
    assert [x.name for x in files] == ["big.docx"]
    ctx.web.get_file_by_server_relative_url(f"{LIB_URL}/week 20.docx").get()
    with pytest.raises(ClientRequestException) as err:
        ctx.execute_query()
    assert err.value.response.status_code == 404


def test_file_metadata_via_list_item_all_fields(sandbox, client_context):
    ctx = client_context
    folder = ctx.web.get_folder_by_server_relative_url(LIB_URL)
    f = folder.upload_file("rapport.docx", b"x").execute_query()
    item = f.listItemAllFields
    item.set_property("Rapportageweek", "2026-W20").set_property("Title", "Week 20")
    item.update()
    ctx.execute_query()
    got = ctx.web.get_file_by_id(f.unique_id).listItemAllFields \
        .select(["Id", "Title", "Rapportageweek", "FileLeafRef"]).get().execute_query()
    assert got.properties["Rapportageweek"] == "2026-W20"
    assert got.properties["FileLeafRef"] == "rapport.docx"


def test_missing_folder_is_404(sandbox, client_context):
    client_context.web.get_folder_by_server_relative_url("Bestaat niet").files.get()
    with pytest.raises(ClientRequestException) as err:
        client_context.execute_query()
    assert err.value.response.status_code == 404
