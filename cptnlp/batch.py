"""Batch scoring: stream records, score in worker processes, resumable chunked output, cross-note pass, summary.

Layout of a run writing ``OUT``: work files live in ``OUT.parts/`` until the run finishes:
``manifest.json`` (what the run is; resume refuses a different input), ``chunk-NNNNNN.jsonl`` (the output
lines of records ``N*chunk_size ...``) with ``chunk-NNNNNN.meta`` (per record: row, id, cross-note entry,
finding codes for the summary), ``index.sqlite`` (cross-note index, rebuilt each run). Each file is written to
a temporary and renamed, the meta file first, so a chunk whose ``.jsonl`` exists is whole. The final output is
assembled in input order into a temporary file and renamed into place; then ``OUT.parts/`` is removed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .checks.crossnote import load_profile
from .crossindex import CrossIndex
from .errors import CptnlpError, InputError
from .io import RawRecord, count_records, input_kind, iter_records, open_writer, output_format, output_line
from .scoring import init_worker, result_meta, score_records
from .types import SEVERITIES

__all__ = ["BatchSummary", "batch_cli", "run_batch"]

DEFAULT_CHUNK = 256
_MANIFEST = "manifest.json"


@dataclass
class BatchSummary:
    """What a batch run did: counts, finding tallies and a per-provider table."""

    read: int = 0
    scored: int = 0
    errored: int = 0
    by_code: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    providers: dict[str, dict[str, float]] = field(default_factory=dict)
    resumed_chunks: int = 0
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)

    def add(self, meta: dict[str, Any], extra: list[dict[str, Any]] | None = None) -> None:
        """Count one record from its meta entry (``scoring.result_meta``) and its cross-note findings."""
        self.read += 1
        if not meta["ok"]:
            self.errored += 1
            return
        self.scored += 1
        found = meta["f"]
        if extra:
            found = [*found, *((f["code"], f["severity"]) for f in extra)]
        by_code, by_severity = self.by_code, self.by_severity
        for code, severity in found:
            by_code[code] += 1
            by_severity[severity] += 1
        prov = meta.get("provider")
        if prov:
            row = self.providers.get(prov)
            if row is None:
                row = self.providers[prov] = {"notes": 0, "error": 0, "warning": 0, "info": 0, "score_sum": 0}
            row["notes"] += 1
            row["score_sum"] += meta["score"]
            for _, severity in found:
                row[severity] = row.get(severity, 0) + 1

    def format(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        lines = [
            f"cptnlp batch: {self.read} records read, {self.scored} scored, {self.errored} errored "
            f"in {self.seconds:.1f}s ({rate:.0f} notes/s)"
            + (f"; resumed {self.resumed_chunks} finished chunks" if self.resumed_chunks else "")
        ]
        if self.by_severity:
            lines.append(
                "findings by severity: "
                + ", ".join(f"{s} {self.by_severity[s]}" for s in SEVERITIES if self.by_severity[s])
            )
            lines.append("findings by code:")
            width = max(len(c) for c in self.by_code)
            lines += [
                f"  {c.ljust(width)}  {n}" for c, n in sorted(self.by_code.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
        if self.providers:
            width = max(8, *(len(p) for p in self.providers))
            lines.append(f"{'provider'.ljust(width)}  notes  errors  warnings  info  mean score")
            for p, r in sorted(self.providers.items()):
                mean = r["score_sum"] / r["notes"] if r["notes"] else 0
                lines.append(
                    f"{p.ljust(width)}  {int(r['notes']):5d}  {int(r['error']):6d}  {int(r['warning']):8d}  {int(r['info']):4d}  {mean:10.1f}"
                )
        lines.append("output: " + ", ".join(self.outputs))
        return "\n".join(lines)


# -- helpers --------------------------------------------------------------------------------------


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _atomic_write(path: Path, text: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("wb") as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _chunk_path(work: Path, k: int) -> Path:
    return work / f"chunk-{k:06d}.jsonl"


def _chunked(records: Iterable[RawRecord], size: int) -> Iterator[tuple[int, list[RawRecord]]]:
    buf: list[RawRecord] = []
    k = 0
    for rec in records:
        buf.append(rec)
        if len(buf) == size:
            yield k, buf
            k, buf = k + 1, []
    if buf:
        yield k, buf


def _manifest(inp: Path, *, chunk_size: int, model: str | None, use_model: bool, engine: str) -> dict[str, Any]:
    st = inp.stat()
    return {
        "cptnlp": __version__,
        "input": str(inp.resolve()),
        "input_size": st.st_size,
        "input_mtime_ns": st.st_mtime_ns,
        "chunk_size": chunk_size,
        "model": model,
        "use_model": use_model,
        "engine": engine,
    }


def _prepare_work(work: Path, manifest: dict[str, Any], resume: bool) -> bool:
    """Create or reuse the work folder; True when resuming earlier chunks."""
    mpath = work / _MANIFEST
    if resume and mpath.exists():
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            old = None
        if old != manifest:
            raise InputError(
                "cannot resume: the unfinished run used a different input, model or chunk size; rerun without --resume",
                record=str(work),
            )
        return True
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    _atomic_write(mpath, json.dumps(manifest, indent=1))
    return False


def _meta_path(work: Path, k: int) -> Path:
    return work / f"chunk-{k:06d}.meta"


def _write_chunk(work: Path, k: int, results: list[dict[str, Any]]) -> None:
    """The chunk's meta file, then its output lines (so a chunk whose lines exist is whole)."""
    _atomic_write(_meta_path(work, k), b"".join(orjson.dumps(result_meta(r)) + b"\n" for r in results))
    _atomic_write(_chunk_path(work, k), b"".join(output_line(r) + b"\n" for r in results))


def _score_chunk(work: Path, k: int, recs: list[RawRecord], model: str | None, use_model: bool) -> int:
    """Score one chunk and write it atomically (in the worker: results never travel back through a pipe)."""
    _write_chunk(work, k, score_records(recs, model=model, use_model=use_model))
    return len(recs)


Item = tuple[dict[str, Any], bytes]  # (meta, output line without newline)


def _split_lines(data: bytes) -> list[bytes]:
    """The lines of a work file as iterating it would give them, without their newlines."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _read_items(work: Path, k: int) -> Iterator[Item]:
    # Whole files (one chunk each) split in one call: cheaper than iterating them line by line.
    metas = _split_lines(_meta_path(work, k).read_bytes())
    lines = _split_lines(_chunk_path(work, k).read_bytes())
    loads = orjson.loads
    for meta, line in zip(metas, lines, strict=True):
        yield loads(meta), line


def _read_metas(work: Path, k: int) -> Iterator[dict[str, Any]]:
    yield from map(orjson.loads, _split_lines(_meta_path(work, k).read_bytes()))


def _progress(total: int | None, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="note",
        desc="cptnlp batch",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
        disable=quiet or not sys.stderr.isatty(),
    )


# -- pass 1: score -------------------------------------------------------------------------------


def _score_local(
    inp: Path, work: Path, *, chunk_size: int, workers: int, model: str | None, use_model: bool, bar: Any
) -> tuple[int, int]:
    """Score every chunk not already on disk; return (number of chunks, chunks resumed)."""
    done = {int(p.stem.split("-")[1]) for p in work.glob("chunk-*.jsonl")}  # whole: see the module docstring
    n_chunks = 0
    resumed = 0
    if workers <= 1:
        init_worker(model, use_model)
        for k, recs in _chunked(iter_records(inp), chunk_size):
            n_chunks = k + 1
            if k in done:
                resumed += 1
            else:
                _score_chunk(work, k, recs, model, use_model)
            bar.update(len(recs))
        return n_chunks, resumed
    pending: dict[Future[int], tuple[int, int]] = {}

    def drain(block_until: int) -> None:
        while len(pending) > block_until:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                _, n = pending.pop(fut)
                fut.result()  # re-raises a worker's failure
                bar.update(n)

    counters = [0, 0]

    try:
        _score_pool(
            inp,
            work,
            chunk_size=chunk_size,
            workers=workers,
            model=model,
            use_model=use_model,
            bar=bar,
            done=done,
            pending=pending,
            drain=drain,
            counters=counters,
        )
    except BrokenProcessPool:
        raise CptnlpError(
            "a worker process failed (e.g. the model could not be loaded, or it ran out of memory); "
            "rerun with --workers 1 to see the cause; finished chunks are kept for --resume"
        ) from None
    return counters[0], counters[1]


def _score_pool(
    inp: Path,
    work: Path,
    *,
    chunk_size: int,
    workers: int,
    model: str | None,
    use_model: bool,
    bar: Any,
    done: set[int],
    pending: dict[Any, tuple[int, int]],
    drain: Callable[[int], None],
    counters: list[int],
) -> None:
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker, initargs=(model, use_model)) as ex:
        for k, recs in _chunked(iter_records(inp), chunk_size):
            counters[0] = k + 1
            if k in done:
                counters[1] += 1
                bar.update(len(recs))
                continue
            drain(2 * workers - 1)  # bounded: at most 2 chunks per worker in flight
            pending[ex.submit(_score_chunk, work, k, recs, model, use_model)] = (k, len(recs))
        drain(0)


# -- passes 2 and 3: cross-note, assemble ----------------------------------------------------------


def _merge(report: dict[str, Any], extra: list[dict[str, Any]]) -> None:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    report["findings"] = sorted([*report["findings"], *extra], key=lambda f: (order.get(f["severity"], 9), f["code"]))


def _assemble(
    metas: Callable[[], Iterator[dict[str, Any]]],
    items: Callable[[], Iterator[Item]],
    work: Path,
    out: Path,
    fmt: str,
    profile: str | None,
    summary: BatchSummary,
) -> None:
    """Pass 1: the cross-note index from the meta entries. Pass 2: the output in input order; a line is
    parsed only when cross-note findings are merged into it or the output format needs its fields."""
    index = CrossIndex(work / "index.sqlite")
    try:
        for meta in metas():
            index.add(meta)
        index.compute(load_profile(profile))
        extras = index.extras()
        nxt = next(extras, None)
        writer = open_writer(out, fmt)
        try:
            for expected, (meta, line) in enumerate(items()):
                i = meta["i"]
                if i != expected:
                    raise InputError(
                        f"work files are inconsistent at row {expected + 1}; rerun without --resume", record=str(work)
                    )
                while nxt is not None and nxt[0] < i:
                    nxt = next(extras, None)
                extra = nxt[1] if nxt is not None and nxt[0] == i and meta["ok"] else None
                parsed = None
                if extra:
                    parsed = orjson.loads(line)
                    _merge(parsed, extra)
                    line = orjson.dumps(parsed)
                writer.write_item(i + 1, meta, line, parsed)
                summary.add(meta, extra)
        except BaseException:
            writer.abort()
            raise
        writer.close()
        summary.outputs = [str(p) for p in writer.outputs()]
    finally:
        index.close()


# -- public API ------------------------------------------------------------------------------------


def run_batch(
    input: str | Path,
    out: str | Path,
    *,
    fmt: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    quiet: bool = True,
    profile: str | None = None,
    engine: str = "local",
    scheduler: Any = None,
    model: str | None = None,
    use_model: bool | None = None,
    chunk_size: int | None = None,
) -> BatchSummary:
    """Score every record of ``input`` into ``out``; output count == input count, in input order.

    ``workers``: processes (default: all cores; 1 = no multiprocessing). ``resume``: continue an interrupted
    run from its finished chunks. ``profile``: payer profile for frequency limits (cptnlp/data/profiles).
    ``engine="dask"`` with ``scheduler`` (an address or a distributed.Client) scores a Parquet input on a
    Dask cluster. ``use_model=False`` uses the rule-only checker (env CPTNLP_BATCH_NO_MODEL=1 does the same).
    """
    t0 = time.perf_counter()
    inp, outp = Path(input), Path(out)
    fmt = output_format(outp, fmt)
    kind = input_kind(inp)
    load_profile(profile)  # fail on a bad profile before any work
    if use_model is None:
        use_model = not _env_flag("CPTNLP_BATCH_NO_MODEL")
    chunk_size = chunk_size or int(os.environ.get("CPTNLP_BATCH_CHUNK_SIZE", DEFAULT_CHUNK))
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise InputError("--workers must be at least 1", record="arguments")
    if engine not in ("local", "dask"):
        raise InputError(f"unknown engine {engine!r}; use local or dask", record="arguments")
    if outp.resolve() == inp.resolve():
        raise InputError("output would overwrite the input", record=str(outp))
    work = outp.with_name(outp.name + ".parts")
    summary = BatchSummary()
    _prepare_work(work, _manifest(inp, chunk_size=chunk_size, model=model, use_model=use_model, engine=engine), resume)
    if engine == "dask":
        if kind != "parquet" and not (inp.is_dir() and any(inp.rglob("*.parquet"))):
            raise InputError("the dask engine reads Parquet (a file or a folder of part files)", record=str(inp))
        from .dask_engine import iter_dask_results, score_dask

        score_dask(inp, work, scheduler=scheduler, model=model, use_model=use_model)

        def metas() -> Iterator[dict[str, Any]]:
            return map(result_meta, iter_dask_results(work))

        def items() -> Iterator[Item]:
            return ((result_meta(r), output_line(r)) for r in iter_dask_results(work))
    else:
        bar = _progress(count_records(inp), quiet)
        try:
            n_chunks, summary.resumed_chunks = _score_local(
                inp, work, chunk_size=chunk_size, workers=workers, model=model, use_model=use_model, bar=bar
            )
        finally:
            bar.close()

        def metas() -> Iterator[dict[str, Any]]:
            for k in range(n_chunks):
                yield from _read_metas(work, k)

        def items() -> Iterator[Item]:
            for k in range(n_chunks):
                yield from _read_items(work, k)

    _assemble(metas, items, work, outp, fmt, profile, summary)
    shutil.rmtree(work, ignore_errors=True)
    summary.seconds = time.perf_counter() - t0
    return summary


def batch_cli(args: argparse.Namespace) -> int:
    """`cptnlp batch`: run, print the summary on stderr, return 0 (errors raise and the CLI maps them to 2)."""
    if args.engine == "local" and args.scheduler:
        raise InputError("--scheduler needs --engine dask", record="arguments")
    if args.engine == "dask" and not args.scheduler:
        raise InputError("--engine dask needs --scheduler ADDRESS", record="arguments")
    summary = run_batch(
        args.input,
        args.out,
        fmt=args.format,
        workers=args.workers,
        resume=args.resume,
        quiet=args.quiet,
        profile=args.profile,
        engine=args.engine,
        scheduler=args.scheduler,
        model=args.model,
    )
    if not args.quiet:
        sys.stderr.write(summary.format() + "\n")
    with contextlib.suppress(BrokenPipeError):
        sys.stderr.flush()
    return 0
