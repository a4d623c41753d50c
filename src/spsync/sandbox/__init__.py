"""A local SharePoint-compatible server for tests and the demo.

It speaks the verbose-OData REST dialect office365-REST-Python-Client 3.3 needs and keeps the
whole site (lists, fields, items, users, library files) in one SQLite file, so the real client
library can be driven over real HTTP without a tenant.
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
