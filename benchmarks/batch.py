"""Batch throughput benchmark: seeded synthetic archive, notes/s with 1 and 2 workers, peak RSS, tokenizer baseline.

    python benchmarks/batch.py                 # 5k and 20k notes (written once to benchmarks/data/)
    python benchmarks/batch.py --sizes 1000 4000 --workers 1 2
Writes benchmarks/results/batch.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
RESULTS = ROOT / "results"

_DX = ["F41.1 generalized anxiety disorder", "F33.1 major depressive disorder, recurrent, moderate",
       "F43.10 post-traumatic stress disorder", "F90.0 ADHD, predominantly inattentive type", "F42.2 OCD"]
_SX = ["reports low mood most days with anhedonia and poor concentration",
       "endorses racing thoughts, restlessness and worry about work most of the day",
       "describes nightmares three to four times per week and hypervigilance in crowds",
       "reports intrusive thoughts and checking rituals taking about two hours daily"]
_IMP = ["missed two days of work this week because of poor sleep", "has withdrawn from friends and stopped attending church",
        "is behind on coursework and at risk of failing a class", "reports conflict with spouse that is affecting parenting"]
_INT = ["Used cognitive restructuring to examine catastrophic predictions", "Practiced diaphragmatic breathing and grounding skills",
        "Reviewed the thought record homework and identified cognitive distortions", "Provided psychoeducation on the anxiety cycle",
        "Conducted exposure hierarchy planning and one in-session imaginal exposure", "Applied DBT distress tolerance skills (TIPP)"]
_RESP = ["Client was engaged and able to generate two balanced thoughts", "Client responded well and reported reduced distress from 8 to 5",
         "Client was tearful but participated and agreed to practice daily", "Progress toward goal 1 is partial"]
_CONTENT = ["Client described an argument with a coworker on Tuesday and how she withdrew for the rest of the day",
            "We reviewed the week hour by hour and noticed that evenings alone are the hardest time",
            "He talked about his father's illness and the guilt he feels about not visiting more often",
            "Session opened with a check-in on sleep, which has been broken by waking around three most nights",
            "She brought a list of situations she has been avoiding, including driving on the highway and grocery shopping",
            "Client reported that the breathing exercise helped once at work but he forgot to use it at home",
            "We discussed the upcoming holidays, family expectations and a plan for leaving early if overwhelmed",
            "Client expressed frustration with slow progress and we reviewed the gains made since intake",
            "He described urges to cancel plans with friends and the thoughts that come with those urges",
            "Time was spent on values clarification and on how the client wants to spend weekends"]
_MSE = "Mental status: alert and oriented x4, casually groomed, cooperative, mood '{m}', affect congruent, thought process linear, no psychosis."
_CODES = [("90832", 30), ("90834", 45), ("90834", 50), ("90837", 55), ("90837", 60), ("90834", 40), ("99214 90833", 25), ("90837", 48)]


def make_note(rng: random.Random, i: int) -> dict[str, Any]:
    """One ~300-word progress note with claim fields; seeded so the archive is reproducible."""
    code, mins = rng.choice(_CODES)
    start_h, start_m = rng.randint(8, 17), rng.choice([0, 5, 10, 15, 30, 45])
    end = start_h * 60 + start_m + mins
    client = f"C{rng.randint(1, max(2, i // 8 + 1)):06d}"
    day = 1 + (i * 7 + rng.randint(0, 6)) % 365
    date = time.strftime("%Y-%m-%d", time.gmtime(1704067200 + day * 86400))
    paras = [
        f"PROGRESS NOTE  Date of service: {date}  Session: {start_h}:{start_m:02d}-{end // 60}:{end % 60:02d} ({mins} minutes)",
        f"Diagnosis: {rng.choice(_DX)}.",
        f"S: Client {rng.choice(_SX)}. Client also {rng.choice(_IMP)}. PHQ-9 today {rng.randint(4, 24)}, GAD-7 {rng.randint(3, 21)}.",
        _MSE.format(m=rng.choice(["anxious", "down", "okay", "stressed"])) + " Denies SI/HI, no plan or intent; safety plan reviewed.",
        f"I: {rng.choice(_INT)}. {rng.choice(_INT)}. Therapist explored triggers from the past week and linked them to the treatment plan goal of "
        f"reducing avoidance. Discussed sleep hygiene and scheduling of pleasant activities across the week.",
        "Session content: " + ". ".join(rng.sample(_CONTENT, rng.randint(4, 6))) + ".",
        f"R: {rng.choice(_RESP)}. {rng.choice(_RESP)}.",
        "Medical necessity: continued weekly psychotherapy is needed because symptoms still impair work and relationships; "
        "without treatment risk of relapse is high.",
        f"P: Next session in one week. Homework: thought record daily and {rng.randint(2, 5)} exposure practices. "
        f"Goal 1 (reduce panic episodes to under {rng.randint(1, 3)} per week) continues.",
        " ".join(rng.choice(_INT) + "." for _ in range(rng.randint(3, 6))),
        f"Signed: {rng.choice(['Jane Roe, LCSW', 'Sam Lee, PhD', 'Ana Cruz, LMFT', 'Tom Park, PsyD'])} {date}",
    ]
    return {"id": f"b{i:06d}", "text": "\n".join(paras), "cpt": code, "client_id": client, "date": date,
            "provider": f"P{rng.randint(1, 12):02d}"}


def archive(n: int, seed: int = 1234) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    p = DATA / f"notes-v2-{n}-seed{seed}.jsonl"
    if not p.exists():
        rng = random.Random(seed)
        tmp = p.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps(make_note(rng, i)) + "\n")
        os.replace(tmp, p)
    return p


def run_cli(inp: Path, workers: int) -> dict[str, Any]:
    """Run `cptnlp batch` in a subprocess; sample the RSS of it and its children every 50 ms."""
    import psutil

    out = Path(tempfile.mkdtemp()) / "out.jsonl"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "cptnlp.cli", "batch", str(inp), "--out", str(out),
                             "--workers", str(workers), "--quiet"])
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"cptnlp batch failed with exit code {proc.returncode}")
    n = sum(1 for _ in out.open(encoding="utf-8"))
    return {"workers": workers, "notes": n, "seconds": round(dt, 2), "notes_per_s": round(n / dt, 1),
            "notes_per_s_per_core": round(n / dt / workers, 1), "peak_rss_mb": round(peak / 2**20, 1)}


def tokenizer_rate(inp: Path) -> float:
    import spacy

    tok = spacy.blank("en").tokenizer
    texts = [json.loads(line)["text"] for line in inp.open(encoding="utf-8")]
    t0 = time.perf_counter()
    for t in texts:
        tok(t)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        inp = archive(n, args.seed)
        words = sum(len(json.loads(line)["text"].split()) for line in inp.open(encoding="utf-8")) / n
        tok = tokenizer_rate(inp)
        for w in args.workers:
            r = run_cli(inp, w)
            r.update(size=n, mean_words=round(words), tokenizer_notes_per_s=round(tok, 1),
                     pipeline_vs_tokenizer=round(r["notes_per_s_per_core"] / tok, 4))
            rows.append(r)
            print(json.dumps(r), file=sys.stderr)
    hdr = f"{'notes':>6} {'words':>5} {'workers':>7} {'notes/s':>8} {'per core':>8} {'tokenizer/s':>11} {'ratio':>6} {'peak RSS MB':>11}"
    print(hdr)
    for r in rows:
        print(f"{r['size']:>6} {r['mean_words']:>5} {r['workers']:>7} {r['notes_per_s']:>8} {r['notes_per_s_per_core']:>8} "
              f"{r['tokenizer_notes_per_s']:>11} {r['pipeline_vs_tokenizer']:>6} {r['peak_rss_mb']:>11}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "batch.json").write_text(json.dumps({"cpus": os.cpu_count(), "runs": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
