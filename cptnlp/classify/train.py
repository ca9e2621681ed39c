"""Train, compare, tune and evaluate the evidence classifier; write models/ (``cptnlp train``)."""

from __future__ import annotations

import json
import random
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ..types import ELEMENTS
from .corpus import CorpusNote, corpus_sha256, load_corpus, split_notes
from .features import prepare
from .model import EvidenceModel

__all__ = ["FAMILIES", "GRID", "note_metrics", "train", "train_cli"]

SEED = 13


def _vectorizers() -> FeatureUnion:
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=40000, dtype=np.float32)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=60000, dtype=np.float32)),
        ]
    )


def _logreg(C: float = 8.0, class_weight: str | None = "balanced") -> Pipeline:
    clf = LogisticRegression(C=C, solver="liblinear", class_weight=class_weight, max_iter=2000, random_state=SEED)
    return Pipeline([("features", _vectorizers()), ("clf", OneVsRestClassifier(clf))])


def _svm(C: float = 1.0, class_weight: str | None = None) -> Pipeline:
    clf = LinearSVC(C=C, class_weight=class_weight, random_state=SEED, max_iter=5000)
    return Pipeline([("features", _vectorizers()), ("clf", OneVsRestClassifier(clf))])


FAMILIES = {"logreg": _logreg, "linear_svm": _svm}
# Candidates compared by the grouped CV on train+dev only: (family, C, class_weight).
GRID: tuple[tuple[str, float, str | None], ...] = (
    ("logreg", 8.0, "balanced"),
    ("linear_svm", 0.5, "balanced"),
    ("linear_svm", 0.5, None),
    ("linear_svm", 1.0, None),
    ("linear_svm", 2.0, None),
)


def _candidates() -> dict[str, Any]:
    return {f"{fam} C={c:g} {cw or 'unweighted'}": partial(FAMILIES[fam], c, cw) for fam, c, cw in GRID}


def _xy(notes: list[CorpusNote]) -> tuple[list[str], np.ndarray]:
    X, Y = [], []
    for n in notes:
        for s in n.sentences:
            X.append(prepare(s.text, s.section))
            Y.append([1 if e in s.labels else 0 for e in ELEMENTS])
    return X, np.array(Y, dtype=int).reshape(-1, len(ELEMENTS))


def _scores(pipe: Any, X: list[str]) -> np.ndarray:
    return np.asarray(pipe.predict_proba(X) if hasattr(pipe, "predict_proba") else pipe.decision_function(X))


def _tune(note_sc: np.ndarray, gold: np.ndarray, default: float = 0.5) -> dict[str, float]:
    """Per-label threshold maximising mean of present-F1 and absent-F1 over dev notes.

    A label whose dev notes are all present (or all absent) gives nothing to tune on; it keeps the
    classifier's own decision boundary (``default``) rather than an arbitrary extreme score.
    """
    th = {}
    for j, e in enumerate(ELEMENTS):
        if gold[:, j].min() == gold[:, j].max():
            th[e] = default
            continue
        cands = np.unique(np.round(note_sc[:, j], 4))
        best, best_t = -1.0, 0.5
        for t in cands:
            pred = note_sc[:, j] >= t
            f = (f1_score(gold[:, j], pred, zero_division=0) + f1_score(1 - gold[:, j], ~pred, zero_division=0)) / 2
            if f > best + 1e-9:
                best, best_t = f, float(t)
        # Put the threshold midway to the next lower candidate so tiny shifts do not flip decisions.
        lower = cands[cands < best_t]
        th[e] = float((best_t + lower.max()) / 2) if len(lower) else best_t
    return th


def note_metrics(pred: np.ndarray, gold: np.ndarray) -> dict[str, Any]:
    """Per-element note-level precision/recall/F1 for presence and for absence (the gaps), with macros."""
    per: dict[str, Any] = {}
    for j, e in enumerate(ELEMENTS):
        p, r, f, _ = precision_recall_fscore_support(gold[:, j], pred[:, j], average="binary", zero_division=0)
        pa, ra, fa, _ = precision_recall_fscore_support(1 - gold[:, j], 1 - pred[:, j], average="binary", zero_division=0)
        per[e] = {
            "present": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": int(gold[:, j].sum())},
            "absent": {"precision": round(pa, 4), "recall": round(ra, 4), "f1": round(fa, 4), "support": int((1 - gold[:, j]).sum())},
        }
    return {
        "notes": len(gold),
        "macro_f1_present": round(float(np.mean([per[e]["present"]["f1"] for e in ELEMENTS])), 4),
        "macro_f1_absent": round(float(np.mean([per[e]["absent"]["f1"] for e in ELEMENTS])), 4),
        "per_element": per,
    }


def sentence_metrics(pred: np.ndarray, gold: np.ndarray) -> dict[str, Any]:
    per = {}
    for j, e in enumerate(ELEMENTS):
        p, r, f, _ = precision_recall_fscore_support(gold[:, j], pred[:, j], average="binary", zero_division=0)
        per[e] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": int(gold[:, j].sum())}
    return {"sentences": len(gold), "macro_f1": round(float(np.mean([per[e]["f1"] for e in ELEMENTS])), 4), "per_element": per}


def pipeline_note_predictions(model: EvidenceModel, notes: list[CorpusNote]) -> np.ndarray:
    """End to end: the note text through the real spaCy pipeline (our sentencizer and sections), then the model."""
    from ..engine import Checker

    checker = Checker(model=model)
    rows = []
    for n in notes:
        doc = checker.nlp(n.text)
        els = doc._.cptnlp["elements"]
        rows.append([1 if els.get(e) else 0 for e in ELEMENTS])
    return np.array(rows, dtype=int).reshape(-1, len(ELEMENTS))


def pipeline_records(notes: list[CorpusNote]) -> list[list[tuple[int, int, str, str | None]]]:
    """Each note's sentences as the real pipeline splits them (our sentencizer and sections)."""
    from ..engine import Checker
    from ..nlp.evidence import sentence_records

    nlp = Checker(use_model=False).nlp
    out = []
    for n in notes:
        doc = nlp(n.text)
        out.append(sentence_records(doc, doc._.cptnlp["sections"]))
    return out


def _note_scores(pipe: Any, records: list[list[tuple[int, int, str, str | None]]]) -> np.ndarray:
    flat = [prepare(r[2], r[3]) for recs in records for r in recs]
    sc = _scores(pipe, flat) if flat else np.zeros((0, len(ELEMENTS)))
    out, i = [], 0
    for recs in records:
        k = len(recs)
        out.append(sc[i : i + k].max(axis=0) if k else np.full(len(ELEMENTS), -1e9))
        i += k
    return np.array(out).reshape(-1, len(ELEMENTS))


def _gold(notes: list[CorpusNote]) -> np.ndarray:
    return np.array([[1 if e in n.present else 0 for e in ELEMENTS] for n in notes], dtype=int).reshape(-1, len(ELEMENTS))


def _predict(sc: np.ndarray, th: dict[str, float]) -> np.ndarray:
    return np.stack([sc[:, j] >= th[e] for j, e in enumerate(ELEMENTS)], axis=1).astype(int)


def _folds(notes: list[CorpusNote], k: int) -> list[int]:
    from .corpus import _bucket

    return [min(int(_bucket(n.note_id, SEED + 1) * k), k - 1) for n in notes]


def train(data_dir: str | Path, out_dir: str | Path | None, *, log: Any = None, folds: int = 5) -> dict[str, Any]:
    """Model selection and thresholds by grouped cross-validation on train+dev notes; test is held out.

    For each candidate, out-of-fold scores are computed on every train+dev note as the real
    pipeline splits it; per-label thresholds are tuned on those note-level scores; the best
    candidate is refit on all train+dev notes. The test split is scored once, at the end.
    """
    log = log or (lambda s: sys.stderr.write(s + "\n"))
    random.seed(SEED)
    np.random.seed(SEED)
    t0 = time.perf_counter()
    notes = load_corpus(data_dir)
    split = split_notes(notes, seed=SEED)
    dev_notes = split["train"] + split["dev"]
    log(f"corpus: {len(notes)} notes ({sum(len(n.sentences) for n in notes)} sentences); model selection on {len(dev_notes)} train+dev notes ({folds}-fold, grouped by note); test {len(split['test'])} notes held out")
    recs = pipeline_records(dev_notes)
    fold_of = _folds(dev_notes, folds)
    gold = _gold(dev_notes)
    comparison: dict[str, Any] = {}
    best_name, best_val, best_th, best_cv = None, -1.0, None, None
    for name, make in _candidates().items():
        oof = np.zeros((len(dev_notes), len(ELEMENTS)))
        for f in range(folds):
            tr = [n for n, k in zip(dev_notes, fold_of, strict=True) if k != f]
            idx = [i for i, k in enumerate(fold_of) if k == f]
            X, Y = _xy(tr)
            pipe = make().fit(X, Y)
            oof[idx] = _note_scores(pipe, [recs[i] for i in idx])
        th = _tune(oof, gold, default=0.5 if hasattr(pipe, "predict_proba") else 0.0)
        m = note_metrics(_predict(oof, th), gold)
        comparison[name] = {"cv_macro_f1_present": m["macro_f1_present"], "cv_macro_f1_absent": m["macro_f1_absent"]}
        log(f"  {name}: {folds}-fold note-level macro F1 present {m['macro_f1_present']:.3f} absent {m['macro_f1_absent']:.3f}")
        val = m["macro_f1_present"] + m["macro_f1_absent"]
        if val > best_val + 1e-9:
            best_name, best_val, best_th, best_cv = name, val, th, m
    log(f"CV per element ({best_name}, out-of-fold, thresholds tuned on these scores):")
    for e in ELEMENTS:
        pe = best_cv["per_element"][e]
        log(f"  {e:14s} present F1 {pe['present']['f1']:.2f} | absent F1 {pe['absent']['f1']:.2f} (n={pe['absent']['support']})")
    X, Y = _xy(dev_notes)
    pipe = _candidates()[best_name]().fit(X, Y)
    th = best_th
    model = EvidenceModel(pipe, list(ELEMENTS), th)
    # Held-out test: sentence level on corpus sentences, note level end to end through the pipeline.
    Xte, Yte = _xy(split["test"])
    sent_pred = (_scores(pipe, Xte) >= np.array([th[e] for e in ELEMENTS])).astype(int)
    test_sent = sentence_metrics(sent_pred, Yte)
    test_pred, test_gold = pipeline_note_predictions(model, split["test"]), _gold(split["test"])
    test_note = note_metrics(test_pred, test_gold)
    sources = np.array([n.source for n in split["test"]])
    by_source = {src: note_metrics(test_pred[sources == src], test_gold[sources == src]) for src in sorted(set(sources))}
    chosen = best_name
    metrics = {
        "chosen_family": chosen,
        "comparison_cv": comparison,
        "cv_note_level": best_cv,
        "test_note_level": test_note,
        "test_note_level_by_source": {k: {kk: v[kk] for kk in ("notes", "macro_f1_present", "macro_f1_absent")} for k, v in by_source.items()},
        "test_sentence_level": test_sent,
        "split": {"train_dev": len(dev_notes), "test": len(split["test"])},
        "sentences": {"train_dev": len(X), "test": len(Xte)},
        "seed": SEED,
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    log(f"chosen: {chosen}; TEST note-level macro F1 present {test_note['macro_f1_present']:.3f}, absent {test_note['macro_f1_absent']:.3f}; sentence macro F1 {test_sent['macro_f1']:.3f}")
    for e in ELEMENTS:
        pe = test_note["per_element"][e]
        log(f"  {e:14s} present P {pe['present']['precision']:.2f} R {pe['present']['recall']:.2f} F1 {pe['present']['f1']:.2f} | absent F1 {pe['absent']['f1']:.2f} (n={pe['absent']['support']})")
    if out_dir is not None:
        meta = {
            "training_data_sha256": corpus_sha256(data_dir),
            "chosen_family": chosen,
            "metrics": {k: metrics[k] for k in ("comparison_cv", "cv_note_level", "test_note_level", "test_note_level_by_source", "test_sentence_level", "split", "sentences")},
            "seed": SEED,
        }
        model.save(out_dir, meta)
        log(f"saved model to {out_dir}")
    return metrics


def train_cli(data_dir: str, out_dir: str) -> int:
    from ..errors import InputError

    if not Path(data_dir).is_dir():
        raise InputError("training data folder not found", record=data_dir)
    metrics = train(data_dir, out_dir, log=lambda s: print(s, flush=True))
    Path(out_dir, "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0
