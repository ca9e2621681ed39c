"""Tests for the cross-note checks: frequency.multiple_per_week and clone.near_duplicate (positive and negative)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _batchdata import read_jsonl, texts, write_jsonl

from cptnlp.batch import run_batch
from cptnlp.checks.crossnote import IndexRow, clone_findings, frequency_findings, load_profile, minhash
from cptnlp.errors import DataFileError


def _row(i: int, day: str, codes: str = "90834", text: str | None = None) -> IndexRow:
    return IndexRow(i, f"n{i}", dt.date.fromisoformat(day), tuple(codes.split()), minhash(text) if text else None)


@pytest.mark.parametrize(
    ("profile", "days", "flagged"),
    [
        ("default", ["2024-03-04", "2024-03-06"], 2),  # Mon + Wed, same ISO week
        ("default", ["2024-03-03", "2024-03-04"], 0),  # Sun + Mon: different ISO weeks
        ("tricare", ["2024-03-04", "2024-03-06"], 0),  # TRICARE allows two a week
        ("tricare", ["2024-03-04", "2024-03-05", "2024-03-08"], 3),
        ("point32", ["2024-03-04", "2024-03-05"], 2),
    ],
)
def test_frequency_per_iso_week(profile: str, days: list[str], flagged: int) -> None:
    found = frequency_findings([_row(i, d) for i, d in enumerate(days)], load_profile(profile))
    assert sum(len(v) for v in found.values()) == flagged
    for fs in found.values():
        assert fs[0].code == "frequency.multiple_per_week" and fs[0].severity == "warning"
        assert "n" in fs[0].message and "2024-03-0" in fs[0].message


def test_frequency_ignores_crisis_and_eval_codes() -> None:
    rows = [_row(0, "2024-03-04", "90839"), _row(1, "2024-03-05", "90791"), _row(2, "2024-03-06", "90834")]
    assert frequency_findings(rows, load_profile("default")) == {}


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(DataFileError, match="tricare"):
        load_profile("nope")


def test_clone_positive_names_other_note_and_date() -> None:
    t = texts()[0]
    edited = t.replace("10:", "11:")  # copy-forward with new times only
    found = clone_findings([_row(0, "2024-03-04", text=t), _row(1, "2024-03-11", text=edited)])
    assert set(found) == {0, 1}
    f = found[0][0]
    assert f.code == "clone.near_duplicate" and f.severity == "warning"
    assert "n1 (2024-03-11)" in f.message and t[:30] not in f.message


def test_clone_negative_different_notes_or_same_date() -> None:
    a, b = texts()[0], texts()[1]
    assert clone_findings([_row(0, "2024-03-04", text=a), _row(1, "2024-03-11", text=b)]) == {}
    assert clone_findings([_row(0, "2024-03-04", text=a), _row(1, "2024-03-04", text=a)]) == {}


def test_clone_many_identical_notes_is_linear() -> None:
    t = texts()[0]
    sig = minhash(t)
    rows = [IndexRow(i, f"n{i}", dt.date(2020, 1, 1) + dt.timedelta(days=i), ("90834",), sig) for i in range(3000)]
    found = clone_findings(rows)
    assert len(found) == 3000 and all(len(v) == 1 for v in found.values())


def test_batch_crossnote_end_to_end(tmp_path: Path) -> None:
    t = texts()
    rows = [
        {"id": "a", "text": t[0], "cpt": "90834", "client_id": "c1", "date": "2024-03-04"},
        {"id": "b", "text": t[0], "cpt": "90834", "client_id": "c1", "date": "2024-03-06"},  # clone + same week
        {"id": "c", "text": t[0], "cpt": "90834", "client_id": "c2", "date": "2024-03-20"},  # other client
        {"id": "d", "text": t[2], "cpt": "90834", "client_id": "c1", "date": "2024-04-01"},  # different text
        {"id": "e", "text": t[3], "cpt": "90834", "date": "2024-03-05"},  # no client: no cross-note checks
    ]
    out = tmp_path / "out.jsonl"
    run_batch(write_jsonl(tmp_path / "in.jsonl", rows), out, workers=1, use_model=False)
    codes = {r["id"]: {f["code"] for f in r["findings"]} for r in read_jsonl(out)}
    assert {"frequency.multiple_per_week", "clone.near_duplicate"} <= codes["a"]
    assert {"frequency.multiple_per_week", "clone.near_duplicate"} <= codes["b"]
    for rid in "cde":
        assert not {"frequency.multiple_per_week", "clone.near_duplicate"} & codes[rid]
    run_batch(tmp_path / "in.jsonl", out, workers=1, use_model=False, profile="tricare")
    codes = {r["id"]: {f["code"] for f in r["findings"]} for r in read_jsonl(out)}
    assert "frequency.multiple_per_week" not in codes["a"] and "clone.near_duplicate" in codes["a"]


def test_clone_and_frequency_many_match_the_reference_loop() -> None:
    """The vectorised batch path gives what the pair-by-pair loop gives, ties and hash collisions included."""
    import dataclasses
    import random

    import numpy as np

    from cptnlp.checks import crossnote as cn

    rng = random.Random(7)
    base = cn.load_clone_settings()

    def group(n: int, perm: int, g: int) -> list[IndexRow]:
        protos = [np.array([rng.randrange(5) for _ in range(perm)], dtype="<u4") for _ in range(rng.randint(1, 3))]
        rows = []
        for k, i in enumerate(rng.sample(range(5000), n)):
            v = protos[rng.randrange(len(protos))].copy()
            for _ in range(rng.randint(0, perm // 4)):
                v[rng.randrange(perm)] = rng.randrange(5)
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(12))
            rows.append(IndexRow(i, f"n{g}-{k}", day, ("90834",), v.tobytes() if rng.random() > 0.1 else None))
        return rows

    for trial in range(150):
        perm = rng.choice([8, 16, 64])
        bands = rng.choice([b for b in (1, 2, 4, 8, 16) if perm % b == 0])
        s = dataclasses.replace(
            base,
            num_perm=perm,
            bands=bands,
            threshold=rng.choice([0.5, 0.85, 1.0]),
            max_neighbours=rng.choice([1, 3, 8]),
        )
        groups = [group(rng.randint(0, 20), perm, g) for g in range(rng.randint(1, 5))]
        assert cn.clone_findings_many(groups, s) == [cn._clone_findings_loop(g, s) for g in groups], trial
        profile = load_profile()
        assert cn.frequency_findings_many(groups, profile) == [frequency_findings(g, profile) for g in groups]
    # every band hash equal: each bucket mixes different band values, so every client takes the reference loop
    s = dataclasses.replace(base, num_perm=8, bands=8, threshold=0.5, max_neighbours=3)
    groups = [group(15, 8, g) for g in range(4)]
    saved = cn._BAND_MUL
    try:
        cn._BAND_MUL = np.zeros(4, dtype=np.uint64)
        assert cn.clone_findings_many(groups, s) == [cn._clone_findings_loop(g, s) for g in groups]
    finally:
        cn._BAND_MUL = saved
