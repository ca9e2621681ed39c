"""Latency of Checker.check on ~200 realistic ~300-word notes built reproducibly from the golden notes.

Run: python benchmarks/check_latency.py [--notes 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "notes"
PADDING = [
    "Client reports sleep has been broken, waking around 3am most nights.",
    "Discussed coping strategies for work stress and practiced paced breathing.",
    "Client described arguments with her partner about household tasks.",
    "Reviewed the thought record homework; two entries were completed.",
    "Affect brighter than last week; speech normal rate and volume.",
    "Explored avoidance of social events and planned one small outing.",
    "Client identified early warning signs of relapse and reviewed supports.",
    "Psychoeducation provided on the cycle of anxiety and avoidance.",
]


def build_notes(n: int, seed: int) -> list[tuple[str, list[str]]]:
    import json

    rng = random.Random(seed)
    cases = json.loads((ROOT / "tests" / "golden" / "cases.json").read_text(encoding="utf-8"))
    out = []
    for i in range(n):
        case = cases[i % len(cases)]
        lines = (GOLDEN / case["file"]).read_text(encoding="utf-8").splitlines()
        while len(" ".join(lines).split()) < 300:
            lines.insert(rng.randrange(1, len(lines)), rng.choice(PADDING))
        words = " ".join(lines).split()
        if len(words) > 340:  # trim long notes near 300 words, keeping the head (time, header) and the signature
            lines = lines[: max(3, len(lines) * 300 // len(words))] + lines[-1:]
        out.append(("\n".join(lines), case["cpt"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notes", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    from cptnlp import Checker, make_note

    notes = [make_note(t, cpt=c, date="2025-06-01") for t, c in build_notes(args.notes, args.seed)]
    t0 = time.perf_counter()
    checker = Checker()
    load_ms = (time.perf_counter() - t0) * 1000
    checker.check(notes[0])  # warm-up: first call compiles caches
    times = []
    for note in notes:
        t = time.perf_counter()
        checker.check(note)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    words = statistics.mean(len(n.text.split()) for n in notes)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"notes: {len(notes)} (mean {words:.0f} words, seed {args.seed})")
    print(f"model load: {load_ms:.0f} ms")
    print(
        f"check latency: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, mean {statistics.mean(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
