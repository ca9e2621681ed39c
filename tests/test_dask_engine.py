"""Tests for the Dask engine on a distributed.LocalCluster: same reports as the local engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _batchdata import read_jsonl, records

from cptnlp.batch import run_batch

distributed = pytest.importorskip("distributed")


def test_dask_engine_matches_local(tmp_path: Path) -> None:
    rows = records(12)
    for i, r in enumerate(rows):
        r["client_id"], r["date"] = "c1", f"2024-03-{4 + i:02d}"
        if i == 0:
            r["id"] = None  # default id = global row number
    rows[5]["text"] = ""  # error record
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):  # partitioned input: three part files
        pq.write_table(pa.Table.from_pylist(rows[4 * k : 4 * k + 4]), folder / f"part-{k}.parquet")
    local = tmp_path / "local.jsonl"
    single = tmp_path / "all.parquet"
    pq.write_table(pa.Table.from_pylist(rows), single)
    run_batch(single, local, workers=1, use_model=False)
    with distributed.LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask.jsonl"
        s = run_batch(folder, out, engine="dask", scheduler=cluster.scheduler_address, use_model=False)
    got = read_jsonl(out)
    assert len(got) == 12 == s.read and s.errored == 1
    assert got == read_jsonl(local)
    assert got[0]["id"] == "1"
    assert any(f["code"] == "frequency.multiple_per_week" for f in got[1]["findings"])
