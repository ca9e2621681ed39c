"""On-disk index (SQLite) of compact per-note entries for the bounded-memory cross-note pass of a batch."""

from __future__ import annotations

import datetime as _dt
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .checks.crossnote import IndexRow, Profile, clone_findings_many, frequency_findings_many
from .rules import load_code_table
from .types import Finding

__all__ = ["CrossIndex"]

_BATCH_ROWS = 2048  # clients are checked together until they hold this many notes (bounds memory: 8192 cost +45 MB)

_DUP_SOURCE = "cptnlp batch input check (duplicate note ids make report joins ambiguous; may indicate a duplicate claim)"


class CrossIndex:
    """Collects (client, date, id, codes, signature) per note, then yields extra findings per input row.

    SQLite sorts and groups on disk, so memory is bounded by the largest single client, not the archive.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists():
            self.path.unlink()
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE idx(i INTEGER, id TEXT, client TEXT, date TEXT, codes TEXT, sig BLOB);
            CREATE TABLE ids(i INTEGER, id TEXT, scored INTEGER);
            CREATE TABLE extra(i INTEGER, finding TEXT);
            """
        )
        self._idx: list[tuple[Any, ...]] = []
        self._ids: list[tuple[Any, ...]] = []

    def add(self, meta: dict[str, Any]) -> None:
        """One record's meta entry (``scoring.result_meta``): row, id, scored or not, cross-note entry."""
        self._ids.append((meta["i"], meta["id"], int(meta["ok"])))
        x = meta.get("x")
        if x:
            sig = bytes.fromhex(x["sig"]) if x.get("sig") else None
            self._idx.append((meta["i"], meta["id"], x["client"], x["date"], " ".join(x["codes"]), sig))
        if len(self._ids) >= 5000:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO idx VALUES (?,?,?,?,?,?)", self._idx)
        self.db.executemany("INSERT INTO ids VALUES (?,?,?)", self._ids)
        self._idx, self._ids = [], []

    def _put(self, *found: dict[int, list[Finding]]) -> None:
        """Store findings by row index, in the order given (one insert for all)."""
        self.db.executemany(
            "INSERT INTO extra VALUES (?,?)",
            [(i, orjson.dumps(f.to_dict())) for fs in found for i, flist in fs.items() for f in flist],
        )

    def _check(self, batch: list[list[IndexRow]], profile: Profile, table: Any) -> None:
        """The frequency and clone findings of a batch of clients, stored client by client."""
        if not batch:
            return
        freqs = frequency_findings_many(batch, profile, table)
        self._put(*(fs for pair in zip(freqs, clone_findings_many(batch), strict=True) for fs in pair))

    def compute(self, profile: Profile) -> int:
        """Run the cross-note checks client by client; return the number of extra findings."""
        self._flush()
        table = load_code_table()
        # no index on idx: one sort for the single ordered scan is cheaper than building one and reading through it
        cur = self.db.execute("SELECT client, i, id, date, codes, sig FROM idx ORDER BY client, date, i")
        dates: dict[str, _dt.date] = {}
        codes_of: dict[str, tuple[str, ...]] = {}
        batch: list[list[IndexRow]] = []
        size = 0
        for _, group in itertools.groupby(cur, key=lambda r: r[0]):
            rows = [
                IndexRow(
                    i,
                    rid,
                    dates.get(d) or dates.setdefault(d, _dt.date.fromisoformat(d)),
                    codes_of.get(codes) or codes_of.setdefault(codes, tuple(codes.split())),
                    sig,
                )
                for _, i, rid, d, codes, sig in group
            ]
            if len(rows) < 2:
                continue
            batch.append(rows)
            size += len(rows)
            if size >= _BATCH_ROWS:
                self._check(batch, profile, table)
                batch, size = [], 0
        self._check(batch, profile, table)
        dups = self.db.execute("SELECT id FROM ids GROUP BY id HAVING COUNT(*) > 1")
        for (rid,) in dups.fetchall():
            members = self.db.execute("SELECT i, scored FROM ids WHERE id = ? ORDER BY i", (rid,)).fetchall()
            rows_txt = ", ".join(str(i + 1) for i, _ in members[:10]) + (" ..." if len(members) > 10 else "")
            self._put(
                {
                    i: [
                        Finding(
                            "input.duplicate_id",
                            "warning",
                            f"Note id {rid!r} appears {len(members)} times in the input (rows {rows_txt}); "
                            "each record is scored separately.",
                            (),
                            _DUP_SOURCE,
                        )
                    ]
                    for i, scored in members
                    if scored
                }
            )
        self.db.execute("CREATE INDEX extra_i ON extra(i)")
        self.db.commit()
        return int(self.db.execute("SELECT COUNT(*) FROM extra").fetchone()[0])

    def extras(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(row index, extra findings as dicts), ascending by row index."""
        cur = self.db.execute("SELECT i, finding FROM extra ORDER BY i")
        for i, group in itertools.groupby(cur, key=lambda r: r[0]):
            yield i, [orjson.loads(f) for _, f in group]

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)
