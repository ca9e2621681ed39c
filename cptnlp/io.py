"""Streaming batch readers (jsonl, csv, parquet, .txt folders; .gz) and writers (jsonl, csv, parquet)."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from .errors import InputError
from .textio import decode_note_bytes

__all__ = [
    "FIELDS",
    "RawRecord",
    "count_records",
    "input_kind",
    "iter_records",
    "open_writer",
    "output_format",
    "output_line",
    "record_from_row",
]

#: Input fields a record may carry (contract §3); other keys/columns are ignored.
FIELDS: tuple[str, ...] = ("id", "text", "cpt", "minutes", "date", "client_id", "provider")

_SURROGATE = re.compile("[\udc80-\udcff]")
_BATCH_ROWS = 512  # parquet rows per read batch


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One input record: its 0-based position, its id, and either raw fields or the reason it is unusable."""

    index: int
    id: str
    fields: dict[str, Any] | None = None
    error: str | None = None


# -- readers --------------------------------------------------------------------------------------


def input_kind(path: str | Path) -> str:
    """'jsonl', 'csv', 'parquet' or 'txt' (a folder); raise InputError for anything else."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", record=str(path))
    if p.is_dir():
        return "txt"
    name = p.name.lower()
    for suffix, kind in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"), (".parquet", "parquet")):
        if name.endswith(suffix) or (kind != "parquet" and name.endswith(suffix + ".gz")):
            return kind
    raise InputError(
        "unsupported input; expected .jsonl, .csv, .parquet (or .jsonl.gz/.csv.gz) or a folder of .txt",
        record=str(path),
    )


def _open_binary(p: Path) -> IO[bytes]:
    return gzip.open(p, "rb") if p.name.lower().endswith(".gz") else p.open("rb")


def iter_records(path: str | Path, *, max_bytes: int = 20_000_000) -> Iterator[RawRecord]:
    """Yield every input record in order; unusable records come back with ``error`` set, never dropped."""
    kind = input_kind(path)
    p = Path(path)
    try:
        if kind == "jsonl":
            yield from _iter_jsonl(p)
        elif kind == "csv":
            yield from _iter_csv(p)
        elif kind == "parquet":
            yield from _iter_parquet(p)
        else:
            yield from _iter_txt_folder(p, max_bytes=max_bytes)
    except (OSError, EOFError) as exc:  # a truncated .gz or an unreadable file: stop with a clear message
        raise InputError(f"cannot be read to the end ({type(exc).__name__}: {exc})", record=str(path)) from None


def _record_id(value: Any, index: int) -> str:
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, (dict, list)):
        return str(index + 1)
    return str(value).strip()


def _iter_jsonl(p: Path) -> Iterator[RawRecord]:
    # Blank lines are not records (they are not JSON values); every other line is exactly one record.
    index = 0
    with _open_binary(p) as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(
                    index, str(index + 1), error=f"line {lineno} is not UTF-8 (invalid byte at offset {exc.start})"
                )
                index += 1
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRecord(index, str(index + 1), error=f"line {lineno} is not valid JSON ({exc.msg})")
                index += 1
                continue
            if not isinstance(obj, dict):
                yield RawRecord(
                    index, str(index + 1), error=f"line {lineno} is a JSON {type(obj).__name__}, expected an object"
                )
            else:
                yield RawRecord(
                    index, _record_id(obj.get("id"), index), fields={k: obj.get(k) for k in FIELDS if k in obj}
                )
            index += 1


def _iter_csv(p: Path) -> Iterator[RawRecord]:
    csv.field_size_limit(64 * 1024 * 1024)
    with _open_binary(p) as raw:
        # surrogateescape keeps undecodable bytes as lone surrogates so the row that holds them (and only
        # that row) becomes an error record instead of failing the whole file.
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"CSV header cannot be parsed ({exc})", record=str(p)) from None
        header = [h.strip().lower() for h in header]
        if "text" not in header:
            raise InputError(f"CSV has no 'text' column (columns: {', '.join(header[:20])})", record=str(p))
        cols = {name: i for i, name in enumerate(header) if name in FIELDS}
        index = 0
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRecord(index, str(index + 1), error=f"CSV row near line {line} cannot be parsed ({exc})")
                index += 1
                continue
            if not row:
                continue  # a blank line is not a record
            if len(row) != len(header):
                yield RawRecord(
                    index,
                    str(index + 1),
                    error=f"CSV row near line {line} has {len(row)} fields, the header has {len(header)}",
                )
            elif any(_SURROGATE.search(v) for v in row):
                rid = row[cols["id"]] if "id" in cols and not _SURROGATE.search(row[cols["id"]]) else None
                yield RawRecord(
                    index,
                    _record_id(rid, index),
                    error=f"CSV row near line {line} is not UTF-8 text; save the file as UTF-8",
                )
            else:
                fields: dict[str, Any] = {k: row[i] for k, i in cols.items()}
                for k in ("cpt", "minutes", "date", "client_id", "provider"):
                    if k in fields and not fields[k].strip():
                        fields[k] = None
                yield RawRecord(index, _record_id(fields.get("id"), index), fields=fields)
            index += 1


def _iter_parquet(p: Path) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(p)
    names = [n for n in pf.schema_arrow.names if n.lower() in FIELDS]
    if "text" not in [n.lower() for n in names]:
        raise InputError(
            f"Parquet file has no 'text' column (columns: {', '.join(pf.schema_arrow.names[:20])})", record=str(p)
        )
    index = 0
    for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=names):
        for row in batch.to_pylist():
            yield record_from_row(index, row)
            index += 1


def record_from_row(index: int, row: dict[str, Any]) -> RawRecord:
    """A RawRecord from one table row (Parquet/pandas): bytes text decoded, ids and names as strings."""
    fields = {k.lower(): v for k, v in row.items() if k.lower() in FIELDS}
    for k, v in list(fields.items()):
        if isinstance(v, float) and v != v:  # pandas NaN for a missing value
            fields[k] = None
    rid = _record_id(fields.get("id"), index)
    text = fields.get("text")
    if isinstance(text, bytes):
        try:
            fields["text"] = decode_note_bytes(text, record=rid)
        except InputError as exc:
            return RawRecord(index, rid, error=f"text: {exc.reason}")
    if fields.get("minutes") is not None and not isinstance(fields["minutes"], (int, float, str)):
        fields["minutes"] = str(fields["minutes"])
    if fields.get("date") is not None and hasattr(fields["date"], "to_pydatetime"):
        fields["date"] = fields["date"].to_pydatetime()
    for k in ("client_id", "provider"):
        if fields.get(k) is not None:
            fields[k] = str(fields[k])
    return RawRecord(index, rid, fields=fields)


def _txt_files(root: Path) -> list[Path]:
    """Every .txt/.txt.gz under ``root``, sorted by relative path (the listing holds paths only, never text)."""
    found: list[tuple[str, Path]] = []
    for dirpath, _dirs, filenames in os.walk(root):
        for name in filenames:
            if name.lower().endswith((".txt", ".txt.gz")) and not name.startswith("."):
                f = Path(dirpath) / name
                found.append((f.relative_to(root).as_posix(), f))
    return [f for _, f in sorted(found)]


def _iter_txt_folder(root: Path, *, max_bytes: int) -> Iterator[RawRecord]:
    for index, f in enumerate(_txt_files(root)):
        rid = f.relative_to(root).as_posix()
        try:
            with _open_binary(f) as fh:
                raw = fh.read(max_bytes + 1)
            if len(raw) > max_bytes:
                yield RawRecord(index, rid, error=f"file is larger than the {max_bytes:,}-byte limit")
                continue
            text = decode_note_bytes(raw, record=rid)
        except InputError as exc:
            yield RawRecord(index, rid, error=exc.reason)
            continue
        except (OSError, EOFError) as exc:
            yield RawRecord(index, rid, error=f"file cannot be read ({type(exc).__name__})")
            continue
        yield RawRecord(index, rid, fields={"text": text})


def count_records(path: str | Path) -> int | None:
    """Number of records when cheap to know (parquet metadata, folder listing, jsonl line count), else None."""
    kind = input_kind(path)
    p = Path(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(p).metadata.num_rows)
    if kind == "txt":
        return len(_txt_files(p))
    if kind == "jsonl" and not p.name.lower().endswith(".gz"):
        n = 0
        with p.open("rb") as fh:
            for line in fh:
                n += bool(line.strip())
        return n
    return None  # CSV rows can span lines and .gz would have to be decompressed twice


# -- writers --------------------------------------------------------------------------------------


def output_format(out: str | Path, fmt: str | None) -> str:
    """The output format: explicit ``fmt`` or the --out suffix; InputError when neither says."""
    if fmt:
        return fmt
    name = str(out).lower()
    for suffix, kind in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"), (".parquet", "parquet")):
        if name.endswith(suffix):
            return kind
    raise InputError(
        "cannot tell the output format from the file name; pass --format jsonl|csv|parquet", record=str(out)
    )


def _counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    out = {"n_error": 0, "n_warning": 0, "n_info": 0}
    for f in findings:
        key = f"n_{f.get('severity')}"
        if key in out:
            out[key] += 1
    return out


class _Writer:
    """Base: ``write(row, result)`` once per note in input order, then ``close()``; files appear on close."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._tmp: list[tuple[Path, Path]] = []

    def _temp(self, final: Path) -> Path:
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        self._tmp.append((tmp, final))
        return tmp

    def outputs(self) -> list[Path]:
        return [final for _, final in self._tmp]

    def write(self, row: int, result: dict[str, Any]) -> None:
        raise NotImplementedError

    def write_item(self, row: int, meta: dict[str, Any], line: bytes, parsed: dict[str, Any] | None = None) -> None:
        """One record from batch work files: its meta entry and output line (``parsed``: the line, if already parsed)."""
        obj = parsed if parsed is not None else orjson.loads(line)
        self.write(row, {"i": meta["i"], "id": meta["id"], "report": obj} if meta["ok"] else obj)

    def _finish(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._finish()
        for tmp, final in self._tmp:
            os.replace(tmp, final)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._finish()
        for tmp, _ in self._tmp:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def output_line(result: dict[str, Any]) -> bytes:
    """The JSONL output line of a result dict (no newline): its contract report, or ``{"id", "error"}``."""
    if "report" in result:
        return orjson.dumps(result["report"])
    return orjson.dumps({"id": result["id"], "error": result["error"]})


class JsonlWriter(_Writer):
    """One contract report per line; error records as ``{"id": ..., "error": ...}``."""

    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.fh = self._temp(out).open("wb")

    def write(self, row: int, result: dict[str, Any]) -> None:
        self.fh.write(output_line(result) + b"\n")

    def write_item(self, row: int, meta: dict[str, Any], line: bytes, parsed: dict[str, Any] | None = None) -> None:
        self.fh.write(line + b"\n")  # the line is the output already

    def _finish(self) -> None:
        self.fh.close()


def findings_path(out: Path) -> Path:
    """Where the CSV writer puts the findings table: ``out.csv`` -> ``out.findings.csv``."""
    name = out.name[:-4] if out.name.lower().endswith(".csv") else out.name
    return out.with_name(name + ".findings.csv")


class CsvWriter(_Writer):
    """``out.csv``: one row per note (flattened); ``out.findings.csv``: one row per finding, joined on ``row``."""

    def __init__(self, out: Path) -> None:
        from .types import ELEMENTS

        super().__init__(out)
        self.elements = ELEMENTS
        self.fh = self._temp(out).open("w", encoding="utf-8", newline="")
        self.ffh = self._temp(findings_path(out)).open("w", encoding="utf-8", newline="")
        self.w = csv.writer(self.fh)
        self.fw = csv.writer(self.ffh)
        self.w.writerow(
            [
                "row",
                "id",
                "error",
                "cpt",
                "minutes",
                "minutes_source",
                "suggested_cpt",
                "score",
                "n_error",
                "n_warning",
                "n_info",
                "finding_codes",
                *[f"has_{e}" for e in ELEMENTS],
            ]
        )
        self.fw.writerow(["row", "id", "code", "severity", "message", "source", "spans"])

    def write(self, row: int, result: dict[str, Any]) -> None:
        if "report" not in result:
            self.w.writerow([row, result["id"], result["error"], *[""] * (9 + len(self.elements))])
            return
        r = result["report"]
        c = _counts(r["findings"])
        self.w.writerow(
            [
                row,
                r["id"],
                "",
                " ".join(r["cpt"]),
                "" if r["minutes"] is None else r["minutes"],
                r["minutes_source"] or "",
                " ".join(r["suggested_cpt"]),
                r["score"],
                c["n_error"],
                c["n_warning"],
                c["n_info"],
                " ".join(f["code"] for f in r["findings"]),
                *["true" if r["elements"].get(e, {}).get("present") else "false" for e in self.elements],
            ]
        )
        for f in r["findings"]:
            spans = json.dumps([[s["start"], s["end"]] for s in f.get("spans", [])])
            self.fw.writerow([row, r["id"], f["code"], f["severity"], f["message"], f.get("source", ""), spans])

    def _finish(self) -> None:
        self.fh.close()
        self.ffh.close()


class ParquetWriter(_Writer):
    """Flat columns for querying plus ``report_json`` holding the full contract report."""

    def __init__(self, out: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(out)
        self.pa = pa
        self.schema = pa.schema(
            [
                ("row", pa.int64()),
                ("id", pa.string()),
                ("error", pa.string()),
                ("cpt", pa.list_(pa.string())),
                ("minutes", pa.int64()),
                ("minutes_source", pa.string()),
                ("suggested_cpt", pa.list_(pa.string())),
                ("score", pa.int64()),
                ("n_error", pa.int64()),
                ("n_warning", pa.int64()),
                ("n_info", pa.int64()),
                ("finding_codes", pa.list_(pa.string())),
                ("report_json", pa.string()),
            ]
        )
        self.pw = pq.ParquetWriter(self._temp(out), self.schema, compression="zstd")
        self.rows: list[dict[str, Any]] = []

    def write(self, row: int, result: dict[str, Any]) -> None:
        if "report" not in result:
            self.rows.append({"row": row, "id": result["id"], "error": result["error"]})
        else:
            r = result["report"]
            self.rows.append(
                {
                    "row": row,
                    "id": r["id"],
                    "error": None,
                    "cpt": r["cpt"],
                    "minutes": r["minutes"],
                    "minutes_source": r["minutes_source"],
                    "suggested_cpt": r["suggested_cpt"],
                    "score": r["score"],
                    **_counts(r["findings"]),
                    "finding_codes": [f["code"] for f in r["findings"]],
                    "report_json": json.dumps(r, ensure_ascii=False),
                }
            )
        if len(self.rows) >= 2000:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.pw.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def _finish(self) -> None:
        self._flush()
        self.pw.close()


def open_writer(out: str | Path, fmt: str) -> _Writer:
    """A writer for ``fmt``; output files are written to temporaries and renamed into place on close()."""
    p = Path(out)
    if p.parent and not p.parent.exists():
        raise InputError("output folder does not exist", record=str(p.parent))
    return {"jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter}[fmt](p)
