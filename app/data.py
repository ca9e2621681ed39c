"""Caseload loading (notes or batch reports), tables, stratified audit sample, fee table. No streamlit, no rules."""

from __future__ import annotations

import csv
import io
import json
import random
import tomllib
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from cptnlp import scoring
from cptnlp.io import record_from_row

__all__ = [
    "MAX_NOTES",
    "at_risk",
    "parse_fee_table",
    "read_records",
    "score_records",
    "stratified_sample",
    "summary_frame",
]

#: Scoring in the app is interactive; bigger caseloads belong to `cptnlp batch`.
MAX_NOTES = 3000
_META = ("provider", "client_id", "date")


def read_records(name: str, raw: bytes) -> list[dict[str, Any]]:
    """Records of a .jsonl/.json/.csv file (one dict per note or report)."""
    text = raw.decode("utf-8-sig")
    low = name.lower()
    if low.endswith(".csv"):
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    if low.endswith(".json") and text.lstrip().startswith("["):
        return list(json.loads(text))
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{name}: line {i} is not valid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{name}: line {i} is not a JSON object")
            out.append(rec)
    return out


def is_report_file(records: list[dict[str, Any]]) -> bool:
    """Batch output has reports (findings/score) or error records, not note text."""
    return bool(records) and all(("findings" in r and "score" in r) or ("error" in r and "text" not in r) for r in records)


def score_records(checker: Any, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One entry per input record: {'id', 'text', 'report'|'error', provider, client_id, date}.

    Records go through the batch runner's own reader and per-note function, so a note gives the
    same report (or the same error) here as in `cptnlp batch`.
    """
    raws = [record_from_row(i, rec) for i, rec in enumerate(records)]
    for raw, res in zip(raws, scoring.score_records(raws, checker=checker), strict=True):
        fields = raw.fields or {}
        meta = {k: (str(fields[k]) if fields.get(k) not in (None, "") else None) for k in _META}
        if "error" in res:
            yield {"id": raw.id, "text": None, "error": res["error"], **meta}
        else:
            yield {"id": raw.id, "text": fields.get("text"), "report": res["report"], **meta}


def report_entries(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Entries from batch output (reports carry no note text)."""
    for i, rec in enumerate(records, 1):
        rid = str(rec.get("id") or i)
        meta = {k: rec.get(k) or (rec.get("facts") or {}).get(k) for k in _META}
        if "error" in rec and "findings" not in rec:
            yield {"id": rid, "text": rec.get("text"), "error": str(rec["error"]), **meta}
        else:
            yield {"id": rid, "text": rec.get("text"), "report": rec, **meta}


def summary_frame(entries: list[dict[str, Any]], reviewed: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per note: the review table."""
    rows = []
    reviewed = reviewed or {}
    for e in entries:
        rep = e.get("report")
        f = rep["findings"] if rep else []
        rows.append(
            {
                "id": e["id"],
                "provider": e.get("provider") or "",
                "client": e.get("client_id") or "",
                "date": e.get("date") or "",
                "billed": " ".join(rep["cpt"]) if rep else "",
                "suggested": " ".join(rep["suggested_cpt"]) if rep else "",
                "score": rep["score"] if rep else None,
                "errors": sum(x["severity"] == "error" for x in f),
                "warnings": sum(x["severity"] == "warning" for x in f),
                "top findings": ", ".join(x["code"] for x in f[:3]) if rep else f"not scored: {e.get('error')}",
                "finding codes": sorted({x["code"] for x in f}),
                "severities": sorted({x["severity"] for x in f}),
                "reviewed": e["id"] in reviewed,
            }
        )
    return pd.DataFrame(rows)


def stratified_sample(df: pd.DataFrame, n: int, seed: int) -> list[str]:
    """A reproducible audit sample of ``n`` note ids, drawn round-robin across providers."""
    rng = random.Random(seed)
    pools = {}
    for prov, grp in sorted(df.groupby("provider", sort=True), key=lambda kv: str(kv[0])):
        ids = sorted(grp["id"].astype(str))
        rng.shuffle(ids)
        pools[prov] = ids
    out: list[str] = []
    while len(out) < n and any(pools.values()):
        for prov in list(pools):
            if pools[prov] and len(out) < n:
                out.append(pools[prov].pop())
    return out


def parse_fee_table(name: str, raw: bytes) -> dict[str, float]:
    """code -> fee from a CSV (code,fee) or TOML ([fees] table or top-level code = fee)."""
    text = raw.decode("utf-8-sig")
    fees: dict[str, float] = {}
    if name.lower().endswith(".toml"):
        data = tomllib.loads(text)
        data = data.get("fees", data)
        items = data.items()
    else:
        reader = csv.DictReader(io.StringIO(text))
        cols = {c.lower().strip(): c for c in reader.fieldnames or []}
        if "code" not in cols or "fee" not in cols:
            raise ValueError(f"{name}: expected CSV columns code,fee; got {reader.fieldnames}")
        items = ((r[cols["code"]], r[cols["fee"]]) for r in reader)
    for code, fee in items:
        try:
            fees[str(code).strip().lstrip("+")] = float(fee)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: fee for {code!r} is not a number") from None
    return fees


def at_risk(entries: list[dict[str, Any]], fees: dict[str, float]) -> pd.DataFrame:
    """Per note: fee of billed codes when an error finding exists, and billed-minus-suggested fee difference."""
    rows = []
    for e in entries:
        rep = e.get("report")
        if not rep:
            continue
        billed = sum(fees.get(c, 0.0) for c in rep["cpt"])
        suggested = sum(fees.get(c, 0.0) for c in rep["suggested_cpt"])
        has_error = any(f["severity"] == "error" for f in rep["findings"])
        rows.append(
            {
                "id": e["id"],
                "provider": e.get("provider") or "",
                "billed fee": billed,
                "at risk (error findings)": billed if has_error else 0.0,
                "at risk (billed - suggested)": max(0.0, billed - suggested) if list(rep["cpt"]) != list(rep["suggested_cpt"]) else 0.0,
            }
        )
    return pd.DataFrame(rows)
