"""Tests for cptnlp.io: streaming readers with error records, and writers."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _batchdata import records, write_jsonl

from cptnlp.errors import InputError
from cptnlp.io import count_records, iter_records, open_writer, output_format


def test_jsonl_reader_bad_lines_become_error_records(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"id": "a", "text": "x"}\n\n{bad\n[1, 2]\n{"text": "caf\xe9"}\n{"text": "ok"}\n')
    recs = list(iter_records(p))
    assert [r.index for r in recs] == [0, 1, 2, 3, 4]
    assert recs[0].id == "a" and recs[0].error is None
    assert "not valid JSON" in (recs[1].error or "")
    assert "expected an object" in (recs[2].error or "")
    assert "not UTF-8" in (recs[3].error or "")
    assert recs[4].id == "5" and recs[4].fields == {"text": "ok"}


def test_csv_reader_mixed_encoding_and_ragged_rows(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(
        b'id,text,minutes\r\na,"multi\nline note",45\r\nb,caf\xe9 latin-1,30\r\nc,too,many,fields\r\nd,,\r\ne,fine,\r\n'
    )
    recs = list(iter_records(p))
    assert len(recs) == 5
    assert recs[0].fields == {"id": "a", "text": "multi\nline note", "minutes": "45"}
    assert recs[1].id == "b" and "not UTF-8" in (recs[1].error or "")
    assert "4 fields" in (recs[2].error or "")
    assert recs[3].fields is not None and recs[3].fields["text"] == ""
    assert recs[4].fields is not None and recs[4].fields["minutes"] is None


def test_csv_without_text_column_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text("id,note\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'text' column"):
        list(iter_records(p))


def test_gz_inputs_read_like_plain(tmp_path: Path) -> None:
    rows = records(3)
    plain = write_jsonl(tmp_path / "a.jsonl", rows)
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert [r.fields for r in iter_records(gz)] == [r.fields for r in iter_records(plain)]
    c = tmp_path / "a.csv.gz"
    with gzip.open(c, "wt", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "text"])
        w.writeheader()
        w.writerows({"id": r["id"], "text": r["text"]} for r in rows)
    assert [r.fields["text"] for r in iter_records(c) if r.fields] == [r["text"] for r in rows]


def test_txt_folder_recursive_sorted_with_gz_and_binary(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("second", encoding="utf-8")
    (tmp_path / "a.txt").write_text("first", encoding="utf-8")
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(b"third"))
    (tmp_path / "d.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "skip.md").write_text("no", encoding="utf-8")
    recs = list(iter_records(tmp_path))
    assert [r.id for r in recs] == ["a.txt", "b/2.txt", "c.txt.gz", "d.txt"]
    assert recs[2].fields == {"text": "third"}
    assert "binary" in (recs[3].error or "")
    assert count_records(tmp_path) == 4


def test_parquet_reader_streams_batches(tmp_path: Path) -> None:
    rows = records(1200)
    p = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), p, row_group_size=300)
    recs = list(iter_records(p))
    assert len(recs) == 1200 and recs[-1].id == "n1199" and recs[5].fields["minutes"] == 45  # type: ignore[index]
    assert count_records(p) == 1200


def test_output_format_from_suffix() -> None:
    assert output_format("x/out.parquet", None) == "parquet"
    assert output_format("x/out.txt", "csv") == "csv"
    with pytest.raises(InputError):
        output_format("x/out.txt", None)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_writers_write_error_and_report_rows(tmp_path: Path, fmt: str) -> None:
    report = {
        "id": "a",
        "cpt": ["90834"],
        "minutes": 45,
        "minutes_source": "stated",
        "suggested_cpt": ["90834"],
        "score": 90,
        "elements": {"risk": {"present": True, "spans": []}},
        "findings": [{"code": "signature.missing", "severity": "warning", "message": "m", "spans": [], "source": "s"}],
    }
    out = tmp_path / f"out.{fmt}"
    w = open_writer(out, fmt)
    w.write(1, {"i": 0, "id": "a", "report": report})
    w.write(2, {"i": 1, "id": "b", "error": "text: note text is empty"})
    assert not out.exists()  # atomic: appears on close
    w.close()
    if fmt == "jsonl":
        lines = [json.loads(x) for x in out.read_text().splitlines()]
        assert lines[1] == {"id": "b", "error": "text: note text is empty"} and lines[0]["score"] == 90
    elif fmt == "csv":
        rows = list(csv.DictReader(out.open()))
        assert [r["id"] for r in rows] == ["a", "b"] and rows[0]["has_risk"] == "true" and rows[1]["error"]
        frows = list(csv.DictReader((tmp_path / "out.findings.csv").open()))
        assert frows == [
            {
                "row": "1",
                "id": "a",
                "code": "signature.missing",
                "severity": "warning",
                "message": "m",
                "source": "s",
                "spans": "[]",
            }
        ]
    else:
        t = pq.read_table(out).to_pylist()
        assert t[0]["n_warning"] == 1 and json.loads(t[0]["report_json"]) == report and t[1]["error"]
