"""A local SharePoint-compatible server for tests and the demo.

It speaks the verbose-OData REST dialect office365-REST-Python-Client 3.3 needs and keeps the
whole site (lists, fields, items, users, library files) in one SQLite file, so the real client
library can be driven over real HTTP without a tenant.

Known deviations from SharePoint Online (a test against a real tenant would notice these):

- ``$filter`` on a lookup path (``Project/ProjectCode``) works without ``$expand``;
- no list-view-threshold refusal for a ``$filter`` on a list over 5,000 items (only ``$top``
  above 5,000 on such a list is refused); filtered/ordered queries load the list in Python;
- any non-empty ``X-RequestDigest`` is accepted (an expired digest is simulated with
  ``inject(403)``);
- no multi-value lookups, no folder creation or file rename/move;
- MERGE property names are case-sensitive and need ``__metadata.type``;
- the change log numbers changes per site (SharePoint: per content database) and a list's
  ``CurrentChangeToken`` carries the site's latest change number with that change's time;
  ``getChanges`` knows Item, Field and List changes of the types Add, Update and DeleteObject
  only (no Rename/Move/Restore/role changes), and ignores ``SystemUpdate``/``LatestFirst``;
- the HTTP statuses of the change-token errors are not verified against a tenant: a token
  older than the retained log (``set_change_log_retention``, default 60 days) and a token of
  another list answer 500 with SharePoint's codes -2130575172/-2130575173 and messages, a
  malformed token 400 (``System.FormatException``), a bare-string token 400;
- a Text/Choice value over 255 UTF-16 units is refused with SharePoint's generic 500 "Invalid
  text value" (-2130575336); other limits (Note, URL, number ranges) are not enforced, and the
  CSV loader, like an import, stores what it is given;
- ``$select`` on a list answers the selected properties it knows and ignores unknown names
  (SharePoint: 400); ``getChanges`` cannot be sent in a ``$batch`` by the client library
  (it cannot serialise an ``SP.ChangeQuery``), so the sandbox never sees it there;
- ``Author``/``Editor`` of API writes are the app principal "SharePoint App" (id 1073741822);
  bulk loads set both to the first site user.
- lists are created only as custom lists (BaseTemplate 100) and document libraries (101); a new
  list has just ``Title`` (no content types, views or version settings); field schema XML is read
  for type, names, Required, Indexed, EnforceUniqueValues, choices, default, date format and
  lookup target, other attributes are kept in ``SchemaXml`` but have no effect; no index
  refusal above 20,000 items; removed columns keep their values in the items;
- permissions are one Sites.Selected role for the whole web (``set_role``: read, write, manage,
  fullcontrol as sets of permission kinds chosen here, not read from SharePoint); no item-level
  permissions, and reads are never refused.

Besides SharePoint it answers Microsoft Graph's ``POST /v1.0/users/{id}/sendMail`` on the same
port (``SandboxServer.graph_url``; 202, the accepted messages kept in the SQLite file and shown
by ``SandboxServer.sent_mail`` and ``GET /_sandbox/sent_mail``); no other Graph endpoint.
"""

from __future__ import annotations

from .faults import FaultRule, RecordedRequest
from .loader import DEMO_DATA, add_items, create_list, drop_list, load_csv_dir
from .server import SandboxServer, serve
from .store import Store

__all__ = [
    "SandboxServer",
    "serve",
    "load_csv_dir",
    "create_list",
    "add_items",
    "drop_list",
    "DEMO_DATA",
    "Store",
    "FaultRule",
    "RecordedRequest",
]
