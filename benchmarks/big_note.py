"""Wall time of `cptnlp check` on huge notes (the whole command: start-up, model load, check, text report).

    python benchmarks/big_note.py [--mb 2 0.99] [--runs 3]

A 2 MB note is over the size limit (``max_note_chars``, 1,000,000): it is refused with exit 2, and
this measures how fast. A note just under the limit is checked: this measures the checking.

Two notes are built reproducibly into benchmarks/data/ (git-ignored):

- ``varied``: every distinct note we have (the golden, held-out and dev notes, the authored training
  notes, MTSamples from ../shared/data/external when present) joined until the size is reached, so
  lines repeat only after the whole collection has been used; it holds non-ASCII text.
- ``repeated``: one golden note repeated, the simplest "huge paste" a user makes.

Prints the best and median of ``--runs`` runs for each and writes benchmarks/results/big_note.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
EXTERNAL = ROOT.parent / "shared" / "data" / "external"


def _collection() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "training").rglob("notes/*.txt"))]
    sources = sorted((ROOT / "training" / "data" / "authored").glob("*.jsonl"))
    sources += sorted(EXTERNAL.glob("*.jsonl")) if EXTERNAL.is_dir() else []
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text")
            if isinstance(text, str) and text.strip():
                texts.append(text)
    return texts


def build(kind: str, size: int) -> Path:
    path = DATA / f"big-{kind}-{size}.txt"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    parts = _collection() if kind == "varied" else [(ROOT / "examples" / "note.txt").read_text(encoding="utf-8")]
    text = ""
    while len(text) < size:
        text += "\n\n".join(parts) + "\n\n"
    path.write_text(text[:size], encoding="utf-8")
    return path


def wall(path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cptnlp.cli", "check", str(path), "--cpt", "90834"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2) or b"Traceback" in proc.stderr:  # 2 = refused (over the size limit)
        raise SystemExit(f"cptnlp check failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:200]}")
    return dt, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[2.0, 0.99])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for mb in args.mb:
        for kind in ("varied", "repeated"):
            path = build(kind, int(mb * 1_000_000))
            runs = [wall(path) for _ in range(args.runs)]
            times = [t for t, _ in runs]
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            row = {
                "note": kind,
                "chars": len(text),
                "ascii": text.isascii(),
                "distinct_line_share": round(len(set(lines)) / max(1, len(lines)), 3),
                "exit": runs[0][1],
                "best_s": round(min(times), 2),
                "median_s": round(statistics.median(times), 2),
            }
            rows.append(row)
            print(json.dumps(row))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "big_note.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
