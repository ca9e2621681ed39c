"""Shared fixtures data for the batch tests: note texts and record builders (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden" / "notes"


def texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.txt"))]


def records(n: int) -> list[dict[str, Any]]:
    t = texts()
    return [
        {"id": f"n{i}", "text": t[i % len(t)], "cpt": "90834", "minutes": 45, "provider": f"dr{i % 3}"}
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
