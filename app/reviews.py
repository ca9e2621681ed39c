"""Supervisor reviews in a local SQLite file: the only thing the app writes to disk."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import sqlite3
from contextlib import closing
from pathlib import Path

__all__ = ["ENV", "db_path", "export_csv", "load_reviews", "mark_reviewed"]

ENV = "CPTNLP_REVIEWS_DB"
DEFAULT = "cptnlp-reviews.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS reviews (
  note_id TEXT PRIMARY KEY,
  reviewer TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  reviewed_at TEXT NOT NULL
)"""
_COLUMNS = ("note_id", "reviewer", "comment", "reviewed_at")


def db_path() -> Path:
    """CLI --reviews-db / env CPTNLP_REVIEWS_DB, else ./cptnlp-reviews.sqlite3."""
    return Path(os.environ.get(ENV) or DEFAULT).expanduser()


def load_reviews(path: Path) -> dict[str, dict[str, str]]:
    """note_id -> review; an absent file means no reviews (and is not created)."""
    if not path.is_file():
        return {}
    with closing(sqlite3.connect(path)) as con:
        con.execute(_SCHEMA)
        rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM reviews ORDER BY reviewed_at").fetchall()
    return {r[0]: dict(zip(_COLUMNS, r, strict=True)) for r in rows}


def mark_reviewed(path: Path, note_id: str, comment: str, reviewer: str = "") -> None:
    """Insert or replace the review of one note."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now().isoformat(timespec="seconds")
    with closing(sqlite3.connect(path)) as con, con:
        con.execute(_SCHEMA)
        con.execute(
            "INSERT OR REPLACE INTO reviews (note_id, reviewer, comment, reviewed_at) VALUES (?, ?, ?, ?)",
            (note_id, reviewer, comment, now),
        )


def export_csv(path: Path) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(_COLUMNS)
    for r in load_reviews(path).values():
        w.writerow([r[c] for c in _COLUMNS])
    return buf.getvalue()
