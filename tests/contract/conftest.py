"""The gateway contract, run against the sandbox always and against a real site on request.

Set ``SPSYNC_TEST_SITE`` (the site URL, e.g. ``https://contoso.sharepoint.com/sites/spsync-test``)
and ``SPSYNC_TEST_CONFIG`` (a config file with ``[auth] mode = "certificate"``) to run the same
tests against that site as well. They create scratch lists named ``spsync-contract-<random>``
and delete them afterwards, so the app needs the Sites.Selected role ``manage`` on that test
site (never point this at a production site). Without the variables the tenant run is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from office365.sharepoint.client_context import ClientContext

from spsync.auth import sandbox_token
from spsync.sandbox import SandboxServer
from spsync.sharepoint import SharePointGateway

TENANT_SKIP = ("contract tests against a real SharePoint site run only when SPSYNC_TEST_SITE "
               "and SPSYNC_TEST_CONFIG (a config with certificate auth) are set; see "
               "docs/INSTALL.md, 'Checking the sandbox against your tenant'")
#: Scratch list columns: (internal name, CreateFieldAsXml) for every contract test.
COLUMNS = {
    "Code": '<Field Type="Text" Name="Code" StaticName="Code" DisplayName="Code" '
            'Indexed="TRUE" />',
    "Uren": '<Field Type="Number" Name="Uren" StaticName="Uren" DisplayName="Uren" />',
    "Status": '<Field Type="Choice" Name="Status" StaticName="Status" DisplayName="Status" '
              'FillInChoice="FALSE"><CHOICES><CHOICE>Open</CHOICE><CHOICE>Dicht</CHOICE>'
              '</CHOICES></Field>',
}
ITEMS = 5


@dataclass
class Target:
    """A site to run the contract against: its URL, a token provider, and the sandbox (None
    for a real site) for the checks only a sandbox can make (its request log)."""

    name: str
    site_url: str
    token: Callable[[], dict[str, Any]]
    server: SandboxServer | None = None

    def gateway(self, **kwargs: Any) -> SharePointGateway:
        return SharePointGateway(self.site_url, self.token, **kwargs)

    def context(self) -> ClientContext:
        """A second client, as a staff member editing the site at the same time."""
        return ClientContext(self.site_url).with_access_token(self.token)


@pytest.fixture(params=["sandbox", "tenant"])
def target(request, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sandbox":
        server = SandboxServer(tmp_path / "contract.db").start()
        try:
            yield Target("sandbox", server.site_url, sandbox_token, server)
        finally:
            server.stop()
        return
    site, config_path = os.environ.get("SPSYNC_TEST_SITE"), os.environ.get("SPSYNC_TEST_CONFIG")
    if not site or not config_path:
        pytest.skip(TENANT_SKIP)
    from spsync.auth import token_provider
    from spsync.config import load_config

    config = load_config(config_path)
    if config.auth.mode != "certificate":
        pytest.fail("SPSYNC_TEST_CONFIG must use [auth] mode = \"certificate\"")
    yield Target("tenant", site.rstrip("/"), token_provider(config.auth, site))


@dataclass
class Scratch:
    list_title: str
    library_title: str
    item_ids: list[int]


@pytest.fixture
def scratch(target: Target) -> Iterator[Scratch]:
    """A fresh list with COLUMNS and ITEMS items, and a fresh library; deleted afterwards."""
    suffix = uuid.uuid4().hex[:8]
    title, library = f"spsync-contract-{suffix}", f"spsync-contract-{suffix}-docs"
    gateway = target.gateway()
    ctx = target.context()
    try:
        gateway.create_list(title)
        gateway.create_list(library, library=True)
        for xml in COLUMNS.values():
            gateway.create_field(title, xml)
        lst = ctx.web.lists.get_by_title(title)
        ids = []
        for n in range(1, ITEMS + 1):
            item = lst.add_item({"Title": f"item {n}", "Code": f"C-{n}", "Uren": n,
                                 "Status": "Open"}).execute_query()
            ids.append(int(item.properties["Id"]))
        yield Scratch(title, library, ids)
    finally:
        gateway.close()
        for name in (title, library):
            ctx.web.lists.get_by_title(name).delete_object(ignore_missing=True).execute_query()
        if target.server is not None:  # the clean-up a tenant run relies on really deletes
            assert target.server.store.get_list(title) is None
            assert target.server.store.get_list(library) is None
