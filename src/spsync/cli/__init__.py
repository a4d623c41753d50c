"""The ``spsync`` command line: one click group, one module per command family.

``app`` holds the group, logging set-up and the one place where errors become a Dutch line and
an exit code; each sibling module registers its commands on ``app.main`` when imported here.
"""

from __future__ import annotations

from spsync.cli import admin as _admin  # noqa: F401
from spsync.cli import alerts as _alerts  # noqa: F401
from spsync.cli import daemon as _daemon  # noqa: F401
from spsync.cli import report as _report  # noqa: F401

# Command families register themselves on ``main`` (import order = order in ``--help``).
from spsync.cli import run as _run  # noqa: F401
from spsync.cli import sandbox as _sandbox  # noqa: F401
from spsync.cli import state as _state  # noqa: F401
from spsync.cli.app import main

__all__ = ["main"]

