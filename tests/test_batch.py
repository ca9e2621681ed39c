"""Tests for cptnlp.batch: count invariant, formats, workers, kill-and-resume through the real CLI, progress."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _batchdata import read_jsonl, records, texts, write_jsonl

from cptnlp.batch import run_batch
from cptnlp.errors import InputError

FAST = {"workers": 1, "use_model": False}


def _bad_jsonl(tmp_path: Path) -> tuple[Path, int]:
    good = records(4)
    p = tmp_path / "bad.jsonl"
    with p.open("wb") as fh:
        for line in [
            json.dumps(good[0]),
            json.dumps({"id": "empty", "text": ""}),
            json.dumps({"id": "ws", "text": "   \n "}),
            json.dumps({"id": "mins", "text": good[1]["text"], "minutes": "forty"}),
            json.dumps({"id": "date", "text": good[1]["text"], "date": "03/04/2024"}),
            json.dumps({"id": "type", "text": 42}),
            json.dumps({"id": "unknown", "text": good[2]["text"], "cpt": "90806 12345"}),
            json.dumps({"id": "garbled", "text": good[2]["text"], "cpt": "Client reports"}),
            json.dumps({"id": "n0", "text": good[3]["text"]}),  # duplicate id
            "{not json",
            "[1, 2, 3]",
        ]:
            fh.write(line.encode() + b"\n")
        fh.write(b'{"id": "latin1", "text": "caf\xe9"}\n')
    return p, 12


def test_count_invariant_jsonl_bad_records(tmp_path: Path) -> None:
    p, n = _bad_jsonl(tmp_path)
    out = tmp_path / "out.jsonl"
    s = run_batch(p, out, **FAST)
    rows = read_jsonl(out)
    assert len(rows) == n == s.read and s.scored + s.errored == n
    by_id = {r["id"]: r for r in rows}
    assert (
        by_id["empty"]["error"].startswith("text:") and "ws" in by_id and by_id["mins"]["error"].startswith("minutes:")
    )
    assert by_id["date"]["error"].startswith("date:") and by_id["type"]["error"].startswith("text:")
    assert {f["code"] for f in by_id["unknown"]["findings"]} >= {"code.unknown"}  # well-formed: a finding
    garbled = by_id["garbled"]["error"]  # not a code at all: an error record that does not quote the value
    assert garbled.startswith("cpt:") and "is not a CPT" in garbled and "CLIENT" not in garbled.upper()
    dup = [r for r in rows if r["id"] == "n0"]
    assert len(dup) == 2 and all("input.duplicate_id" in {f["code"] for f in r["findings"]} for r in dup)
    assert sum("error" in r for r in rows) == s.errored == 9
    assert "café" not in out.read_text(encoding="utf-8")  # no note text in error messages


def test_count_invariant_csv_corrupt_rows(tmp_path: Path) -> None:
    t = texts()
    p = tmp_path / "in.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "cpt", "minutes", "provider"])
        w.writerow(["a", t[0], "90834", "45", "dr1"])
        w.writerow(["b", "", "90834", "", "dr1"])
        w.writerow(["c", t[1], "90837", "abc", "dr2"])
        w.writerow(["d", "x", "y"])
    with p.open("ab") as fh:
        fh.write(b"e,caf\xe9 note,90834,45,dr2\r\n")
        fh.write(b'f,"' + t[2].replace('"', '""').encode() + b'",90834,,dr2\r\n')
    out = tmp_path / "out.csv"
    s = run_batch(p, out, **FAST)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["a", "b", "c", "4", "e", "f"] and s.read == 6 and s.errored == 4
    assert rows[0]["score"] and not rows[0]["error"] and rows[4]["error"]
    findings = list(csv.DictReader((tmp_path / "out.findings.csv").open(encoding="utf-8")))
    assert {f["row"] for f in findings} <= {"1", "6"} and findings
    assert s.providers["dr1"]["notes"] == 1


@pytest.mark.parametrize("kind", ["jsonl.gz", "csv", "parquet", "folder"])
def test_round_trip_inputs_give_same_reports(tmp_path: Path, kind: str) -> None:
    rows = [{"id": f"n{i}.txt", "text": r["text"]} for i, r in enumerate(records(6))]
    ref = tmp_path / "ref.jsonl"
    run_batch(write_jsonl(tmp_path / "ref_in.jsonl", rows), ref, **FAST)
    if kind == "jsonl.gz":
        inp = tmp_path / "in.jsonl.gz"
        inp.write_bytes(gzip.compress((tmp_path / "ref_in.jsonl").read_bytes()))
    elif kind == "csv":
        inp = tmp_path / "in.csv"
        with inp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["id", "text"])
            w.writeheader()
            w.writerows(rows)
    elif kind == "parquet":
        inp = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pylist(rows), inp, row_group_size=2)
    else:
        inp = tmp_path / "notes"
        inp.mkdir()
        for r in rows:
            (inp / r["id"]).write_text(r["text"], encoding="utf-8")
    for fmt in ("jsonl", "parquet"):
        out = tmp_path / f"out.{fmt}"
        run_batch(inp, out, **FAST)
        got = (
            read_jsonl(out)
            if fmt == "jsonl"
            else [json.loads(x) for x in pq.read_table(out)["report_json"].to_pylist()]
        )
        assert got == read_jsonl(ref)
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_two_workers_equal_one_worker(tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "in.jsonl", records(30))
    run_batch(p, tmp_path / "a.jsonl", workers=1, use_model=False, chunk_size=7)
    run_batch(p, tmp_path / "b.jsonl", workers=2, use_model=False, chunk_size=7)
    assert read_jsonl(tmp_path / "a.jsonl") == read_jsonl(tmp_path / "b.jsonl")


def test_resume_keeps_whole_chunks_and_redoes_a_half_written_one(tmp_path: Path) -> None:
    """A chunk is resumed only when its output lines exist (written after its meta file); a chunk killed
    between the two renames is scored again. The result equals a clean run, summary included."""
    from cptnlp import batch

    rows = [{**r, "client_id": f"c{i % 4}", "date": f"2024-03-{1 + i % 9:02d}"} for i, r in enumerate(records(50))]
    rows[7] = "{not json"
    p = write_jsonl(tmp_path / "in.jsonl", rows)
    clean = run_batch(p, tmp_path / "clean.jsonl", workers=1, use_model=False, chunk_size=20)
    out = tmp_path / "out.jsonl"
    work = tmp_path / "out.jsonl.parts"
    manifest = batch._manifest(p, chunk_size=20, model=None, use_model=False, engine="local")
    batch._prepare_work(work, manifest, resume=False)
    chunks = list(batch._chunked(batch.iter_records(p), 20))
    batch._score_chunk(work, 0, chunks[0][1], None, False)
    batch._score_chunk(work, 1, chunks[1][1], None, False)
    batch._chunk_path(work, 1).write_bytes(b"tampered\n")  # a finished chunk is trusted as it is...
    batch._score_chunk(work, 1, chunks[1][1], None, False)  # ...so put it back whole
    batch._write_chunk(work, 2, [])  # chunk 2: meta written, then killed before its lines
    batch._chunk_path(work, 2).unlink()
    summary = run_batch(p, out, workers=1, use_model=False, chunk_size=20, resume=True)
    assert summary.resumed_chunks == 2
    assert read_jsonl(out) == read_jsonl(tmp_path / "clean.jsonl")
    assert (summary.read, summary.scored, summary.errored) == (clean.read, clean.scored, clean.errored) == (50, 49, 1)
    assert summary.by_code == clean.by_code and summary.providers == clean.providers
    assert any(c.startswith(("frequency.", "clone.")) for c in summary.by_code)


def test_resume_refuses_a_different_input(tmp_path: Path) -> None:
    p = write_jsonl(tmp_path / "in.jsonl", records(3))
    work = tmp_path / "out.jsonl.parts"
    work.mkdir()
    (work / "manifest.json").write_text('{"input": "elsewhere"}', encoding="utf-8")
    with pytest.raises(InputError, match="cannot resume"):
        run_batch(p, tmp_path / "out.jsonl", resume=True, **FAST)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cptnlp.cli", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


def test_kill_and_resume_through_the_cli(tmp_path: Path) -> None:
    t = texts()
    rows = [
        {
            "id": f"n{i}",
            "text": t[i % len(t)],
            "cpt": "90834",
            "client_id": f"c{i % 40}",
            "date": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
            "provider": f"dr{i % 4}",
        }
        for i in range(300)
    ]
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    work = tmp_path / "out.jsonl.parts"
    env = {"CPTNLP_BATCH_CHUNK_SIZE": "20"}
    proc = _cli(str(inp), "--out", str(out), "--workers", "1", env=env)
    deadline = time.time() + 60
    while len(list(work.glob("chunk-*.jsonl"))) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(work.glob("chunk-*.jsonl")))
    assert 3 <= done < 15 and not out.exists()
    proc = _cli(str(inp), "--out", str(out), "--workers", "1", "--resume", env=env)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert f"resumed {done} finished chunks" in err.decode() or "resumed" in err.decode()
    got = read_jsonl(out)
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    clean = tmp_path / "clean.jsonl"
    run_batch(inp, clean, workers=1, chunk_size=20)
    assert got == read_jsonl(clean)
    assert not work.exists()


def test_progress_bar_absent_when_stderr_not_a_tty(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", records(5))
    proc = _cli(str(inp), "--out", str(tmp_path / "o.jsonl"), "--workers", "1", env={"CPTNLP_BATCH_NO_MODEL": "1"})
    out, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 0 and out == b""
    assert "\r" not in text and "it/s" not in text and "note/s" not in text
    assert "5 records read, 5 scored, 0 errored" in text and "provider" in text
    proc = _cli(str(inp), "--out", str(tmp_path / "o.jsonl"), "--quiet", env={"CPTNLP_BATCH_NO_MODEL": "1"})
    _, err = proc.communicate(timeout=60)
    assert err == b""


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    proc = _cli(str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o.jsonl"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err.decode().count("\n") == 1 and "Traceback" not in err.decode()


def test_checker_renews_its_pipeline_when_the_vocabulary_outgrows_the_limit() -> None:
    from cptnlp import Checker
    from cptnlp.engine import make_note

    checker = Checker(use_model=False)
    checker.settings = {**checker.settings, "batch": {"max_vocab_entries": 10}}
    text = "Session 10:00-10:50. Client Zyxwv Qrstu reports mood 4/10 after shift.\nSigned: Ana Cruz, LMFT"
    before = checker.check(make_note(text, cpt="90834")).to_dict()
    old = checker.nlp
    assert len(old.vocab) > 10
    assert checker.renew_if_grown()
    assert checker.nlp is not old and len(checker.nlp.vocab) < len(old.vocab)
    assert checker.check(make_note(text, cpt="90834")).to_dict() == before
    assert not Checker(use_model=False).renew_if_grown()  # a fresh pipeline is under the shipped limit
