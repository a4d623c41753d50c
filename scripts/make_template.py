"""Regenerate the default MT-rapportage template in templates/ and in the package data."""

from __future__ import annotations

import sys
from pathlib import Path

from spsync.report.template_builder import build_template

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (
    ROOT / "templates" / "mt-rapportage.docx",
    ROOT / "src" / "spsync" / "templates" / "mt-rapportage.docx",
)


def main() -> int:
    """Build once and write the same bytes to both places, so they cannot drift apart."""
    data = build_template()
    for target in TARGETS:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"geschreven: {target.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
