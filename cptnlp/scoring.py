"""The per-note batch function: raw records -> plain result dicts (shared by the local pool and the Dask engine)."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

from .engine import Checker, load_checker, make_note
from .errors import CheckError, InputError
from .io import RawRecord
from .types import Note

__all__ = ["get_checker", "init_worker", "result_meta", "score_records"]

_CHECKERS: dict[tuple[str | None, bool], Checker] = {}


def get_checker(model: str | None = None, use_model: bool = True) -> Checker:
    """One Checker per process and settings, built on first use (worker initializer or first Dask task)."""
    key = (model, use_model)
    if key not in _CHECKERS:
        _CHECKERS[key] = load_checker(model, use_model=use_model) if use_model else Checker(use_model=False)
    return _CHECKERS[key]


def init_worker(model: str | None, use_model: bool) -> None:
    """Batch process setup: build the pipeline once, then freeze it out of the garbage collector's
    sight (the model, vocabulary and rules live for the whole run; scanning them on every
    collection is wasted work). Used as the ProcessPoolExecutor initializer and by the one-worker path."""
    get_checker(model, use_model)
    gc.collect()
    gc.freeze()


def _error(rec: RawRecord, reason: str) -> dict[str, Any]:
    return {"i": rec.index, "id": rec.id, "error": reason}


def _reason(exc: InputError) -> str:
    return f"{exc.field}: {exc.reason}" if exc.field else exc.reason


def score_records(
    records: Sequence[RawRecord], *, model: str | None = None, use_model: bool = True, checker: Checker | None = None
) -> list[dict[str, Any]]:
    """Score records in order; every record yields exactly one dict (a report or an error), never note text.

    A scored dict carries ``report`` (contract report), ``provider`` and, when the record has a client and a
    date, ``x``: the compact cross-note index entry (client, date, codes, MinHash signature as hex).
    """
    from .checks.crossnote import minhash

    checker = checker or get_checker(model, use_model)
    out: list[dict[str, Any] | None] = [None] * len(records)
    todo: list[tuple[int, RawRecord, Note]] = []
    for pos, rec in enumerate(records):
        if rec.error is not None or rec.fields is None:
            out[pos] = _error(rec, rec.error or "no fields")
            continue
        f = rec.fields
        try:
            note = make_note(
                f.get("text"),
                id=rec.id,
                cpt=f.get("cpt"),
                minutes=f.get("minutes"),
                date=f.get("date"),
                client_id=None if f.get("client_id") is None else str(f["client_id"]).strip() or None,
                provider=None if f.get("provider") is None else str(f["provider"]).strip() or None,
            )
        except InputError as exc:
            out[pos] = _error(rec, _reason(exc))
            continue
        todo.append((pos, rec, note))
    try:
        reports = list(checker.check_many([n for _, _, n in todo]))
    except CheckError:
        reports = []
    if len(reports) != len(todo):  # a check crashed inside the batch: redo one by one to isolate the note
        reports = []
        for _, _, note in todo:
            try:
                reports.append(checker.check(note))
            except CheckError as exc:
                reports.append(exc)  # type: ignore[arg-type]
    checker.renew_if_grown()
    for (pos, rec, note), rep in zip(todo, reports, strict=True):
        if isinstance(rep, CheckError):
            out[pos] = _error(rec, f"internal error: check {rep.check} failed ({type(rep.__cause__).__name__})")
            continue
        res: dict[str, Any] = {"i": rec.index, "id": rec.id, "report": rep.to_dict(), "provider": note.provider}
        if note.client_id and note.date:
            sig = minhash(note.text)
            res["x"] = {
                "client": note.client_id,
                "date": note.date.isoformat(),
                "codes": list(note.cpt),
                "sig": sig.hex() if sig else None,
            }
        out[pos] = res
    return [r for r in out if r is not None]


def result_meta(result: dict[str, Any]) -> dict[str, Any]:
    """What the batch run needs of a result besides its output line: row, id, whether it was scored,
    provider, cross-note entry, and findings as (code, severity) with the score, for the summary."""
    meta: dict[str, Any] = {"i": result["i"], "id": result["id"], "ok": "report" in result}
    if "report" in result:
        rep = result["report"]
        meta["provider"] = result.get("provider")
        meta["score"] = rep["score"]
        meta["f"] = [(f["code"], f["severity"]) for f in rep["findings"]]
        if result.get("x"):
            meta["x"] = result["x"]
    return meta
