"""spsync: checks a samenwerkingsverband's jaarplan registrations in SharePoint.

Reads the registration lists, computes statuses (a pure core in :mod:`spsync.checks`), writes
spsync-owned fields back, and renders the weekly MT-rapportage. See docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
