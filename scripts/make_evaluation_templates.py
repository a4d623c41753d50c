"""Regenerate the tertiaal and annual-evaluation templates in templates/ and the package data.

Run once; after that the templates are documents that staff edit in Word (templates/README.md).
Running it again overwrites those edits, so only do that for a fresh start.
"""

from __future__ import annotations

import sys
from pathlib import Path

from spsync.report.evaluation_template import EVALUATION_TEMPLATE_FILES, build_evaluation_template

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Build each kind once and write the same bytes to both places, so they cannot drift."""
    for kind, name in EVALUATION_TEMPLATE_FILES.items():
        data = build_evaluation_template(kind)
        for folder in (ROOT / "templates", ROOT / "src" / "spsync" / "templates"):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"geschreven: {target.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
