"""Dask engine: the same per-note function (scoring.score_records) over partitioned Parquet in and out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .io import FIELDS, record_from_row
from .scoring import score_records

__all__ = ["iter_dask_results", "score_dask"]

_RESULTS = "dask-results"


def _score_partition(pdf: pd.DataFrame, offset: int, model: str | None, use_model: bool) -> pd.DataFrame:
    """Runs on a Dask worker: rows -> result dicts (JSON) with their global row index."""
    rows = pdf.astype(object).where(pdf.notna(), None).to_dict("records")
    records = [record_from_row(offset + n, row) for n, row in enumerate(rows)]
    results = score_records(records, model=model, use_model=use_model)
    return pd.DataFrame(
        {"i": pd.Series([r["i"] for r in results], dtype="int64"),
         "result": pd.Series([json.dumps(r, ensure_ascii=False) for r in results], dtype=object)}
    )


def _client(scheduler: Any) -> tuple[Any, bool]:
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    return Client(scheduler), True


def score_dask(inp: Path, work: Path, *, scheduler: Any, model: str | None, use_model: bool) -> None:
    """Score a Parquet file or folder on the cluster; results land in ``work/dask-results/`` (one part per partition).

    On a multi-machine cluster ``inp`` and ``work`` (next to the output) must be on storage every worker sees.
    """
    import dask
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    client, owned = _client(scheduler)
    try:
        schema = pq.read_schema(next(iter(sorted(inp.rglob("*.parquet")))) if inp.is_dir() else inp)
        cols = [n for n in schema.names if n.lower() in FIELDS]
        ddf = dd.read_parquet(str(inp), columns=cols)
        # global row numbers (default ids, input order) need each partition's length first; read one small column
        small = next((c for c in cols if c.lower() != "text"), cols[0])
        lengths = dask.compute(*[dask.delayed(len)(p) for p in ddf[[small]].to_delayed()])
        offsets = [0]
        for n in lengths[:-1]:
            offsets.append(offsets[-1] + int(n))
        parts = [
            dask.delayed(_score_partition)(p, off, model, use_model)
            for p, off in zip(ddf.to_delayed(), offsets, strict=True)
        ]
        meta = pd.DataFrame({"i": pd.Series([], dtype="int64"), "result": pd.Series([], dtype=object)})
        out = dd.from_delayed(parts, meta=meta, verify_meta=False)
        out.to_parquet(str(work / _RESULTS), write_index=False, name_function=lambda k: f"part-{k:06d}.parquet")
    finally:
        if owned:
            client.close()


def iter_dask_results(work: Path) -> Iterator[dict[str, Any]]:
    """Result dicts in input order, streamed part by part and batch by batch."""
    import pyarrow.parquet as pq

    for part in sorted((work / _RESULTS).glob("part-*.parquet")):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=1024, columns=["result"]):
            for s in batch.column(0).to_pylist():
                yield json.loads(s)
