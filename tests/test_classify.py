"""Evidence classifier: train -> save -> load -> predict on a tiny corpus; version and integrity checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cptnlp import ELEMENTS, Checker, ModelError
from cptnlp.classify.corpus import load_corpus, split_notes
from cptnlp.classify.features import prepare, prepare_tokens
from cptnlp.classify.model import META_FILE, load_model
from cptnlp.classify.train import train

TINY = [
    ("Dx: F33.1 major depressive disorder.", ["diagnosis"]),
    ("Client reports low mood and poor sleep most nights.", ["symptoms"]),
    ("She missed three days of work this week.", ["impairment"]),
    ("Denies SI/HI, no plan or intent.", ["risk"]),
    ("Alert and oriented x3, affect constricted.", ["mental_status"]),
    ("Therapist used cognitive restructuring.", ["intervention"]),
    ("Client identified two balanced thoughts and felt calmer.", ["response"]),
    ("Worked on treatment goal 1: reduce panic attacks.", ["goals"]),
    ("Return in one week; homework thought log.", ["plan"]),
    ("PHQ-9 score 14 today.", ["measures"]),
    ("Continued therapy is needed because symptoms still impair work.", ["necessity"]),
    ("Client arrived five minutes late.", []),
]


def _write_tiny(d: Path, n_notes: int = 40) -> None:
    d.mkdir(parents=True)
    with (d / "tiny.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n_notes):
            for j, (text, labels) in enumerate(TINY):
                rec = {
                    "note_id": f"t-{i:03d}",
                    "sent_id": j,
                    "section": "",
                    "sep": "\n" if j else "",
                    "text": text,
                    "labels": labels,
                    "source": "authored",
                    "style": "test",
                }
                fh.write(json.dumps(rec) + "\n")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny")
    _write_tiny(root / "data")
    train(root / "data", root / "model", log=lambda s: None, folds=2)
    return root / "data", root / "model"


def test_train_save_load_predict(tiny_model: tuple[Path, Path]) -> None:
    _, model_dir = tiny_model
    model = load_model(model_dir)
    pred = model.predict(["PHQ-9 score 14 today.", "Denies SI/HI, no plan or intent."], [None, None])
    assert pred.shape == (2, len(ELEMENTS))
    assert pred[0, ELEMENTS.index("measures")]
    assert pred[1, ELEMENTS.index("risk")]
    meta = json.loads((model_dir / META_FILE).read_text())
    assert set(meta["labels"]) == set(ELEMENTS)
    assert len(meta["training_data_sha256"]) == 64
    assert "test_note_level" in meta["metrics"]


def test_training_is_deterministic(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    data, model_dir = tiny_model
    train(data, tmp_path / "again", log=lambda s: None, folds=2)
    a, b = load_model(model_dir), load_model(tmp_path / "again")
    texts = [t for t, _ in TINY]
    assert (a.scores(texts, [None] * len(texts)) == b.scores(texts, [None] * len(texts))).all()
    assert a.thresholds == b.thresholds


def test_incompatible_library_version_is_refused(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    _, model_dir = tiny_model
    bad = tmp_path / "old"
    shutil.copytree(model_dir, bad)
    meta = json.loads((bad / META_FILE).read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (bad / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2.*cptnlp train"):
        load_model(bad)


@pytest.mark.parametrize("artifact", ["evidence.joblib", "evidence_fast.npz"])
def test_altered_model_file_is_refused(tiny_model: tuple[Path, Path], tmp_path: Path, artifact: str) -> None:
    _, model_dir = tiny_model
    bad = tmp_path / "altered"
    shutil.copytree(model_dir, bad)
    with (bad / artifact).open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="sha256"):
        load_model(bad)


def test_missing_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cptnlp train"):
        load_model(tmp_path)


def test_split_is_by_note_and_disjoint() -> None:
    notes = load_corpus("training/data")
    split = split_notes(notes)
    ids = {k: {n.note_id for n in v} for k, v in split.items()}
    assert not ids["train"] & ids["test"] and not ids["dev"] & ids["test"] and not ids["train"] & ids["dev"]
    assert sum(len(v) for v in ids.values()) == len(notes)


def test_negation_is_marked_for_the_model() -> None:
    assert "neg_impairment" in prepare("No impairment noted.", None).split()
    assert "sec_plan" in prepare("Return in 1 week.", "plan").split()


@pytest.mark.parametrize(
    ("text", "element", "present"),
    [
        ("Denies SI/HI, intent or plan.", "risk", True),
        ("Risk: N/A", "risk", False),
        ("Her sister was fired last month.", "impairment", False),
        ("No functional impairment noted.", "impairment", False),
        ("PHQ-9 = 17 today, up from 12.", "measures", True),
    ],
)
def test_shipped_model_on_clear_sentences(text: str, element: str, present: bool) -> None:
    checker = Checker()
    doc = checker.nlp(text)
    assert bool(doc._.cptnlp["elements"][element]) is present


def test_fast_inference_matches_the_sklearn_pipeline() -> None:
    """The fused fast path gives the fitted pipeline's own scores, hence the same decisions."""
    import numpy as np

    model = load_model()
    assert model._fast is not None
    notes = load_corpus("training/data")
    sentences = [(s.text, s.section) for n in notes[::3] for s in n.sentences]
    X = [prepare(t, sec) for t, sec in sentences]
    assert [prepare_tokens(t, sec) for t, sec in sentences] == [x.lower().split() for x in X]
    ref = model.reference_scores(X)
    # The model's own path reads tokens; strings give the same scores.
    fast = model.scores([t for t, _ in sentences], [sec for _, sec in sentences])
    assert np.allclose(fast, ref, atol=1e-6)
    assert np.allclose(model._fast.scores(X), ref, atol=1e-6)
    assert ((fast >= model._thr) == (ref >= model._thr)).all()


def test_word_table_keys_equal_the_per_block_keys() -> None:
    """The vectorised term keys (word table) are the per-block keys, as a multiset, on corpus sentences,
    odd tokens, repeated words, cache resets and empty sentences."""
    import numpy as np

    from cptnlp.classify import fast

    fl = load_model()._fast
    assert fl is not None and fl._words is not None
    notes = load_corpus("training/data")
    sents = [prepare_tokens(s.text, s.section) for n in notes[::7] for s in n.sentences]
    sents += [[], ["İstanbul", "ﬁx", "straße"], ["no", "no", "no", "denies", "denies"], ["x"]]
    table = fl._words
    for lo in range(0, len(sents), 97):
        chunk = sents[lo : lo + 97]
        old = np.sort(np.concatenate([b.keys(chunk, fl.n_features) for b in fl.blocks]))
        assert np.array_equal(np.sort(table.keys(chunk, fl.n_features)), old)
    table._reset()  # what a full cache does
    chunk = sents[:50]
    old = np.sort(np.concatenate([b.keys(chunk, fl.n_features) for b in fl.blocks]))
    assert np.array_equal(np.sort(table.keys(chunk, fl.n_features)), old)
    assert fast._WordTable.supports(fl.blocks[0])


def test_shipped_model_loads_without_importing_scikit_learn() -> None:
    """Inference runs from the exported arrays; scikit-learn is imported only to rebuild or inspect."""
    import subprocess
    import sys

    code = "import sys; from cptnlp.classify.model import load_model; load_model(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_evidence_pipe_matches_one_note_at_a_time() -> None:
    """check_many scores several notes per model call; every report equals the one-by-one report."""
    from cptnlp import load_checker
    from cptnlp.engine import make_note

    checker = load_checker()
    texts = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "golden" / "notes").glob("*.txt"))][:13]
    notes = [make_note(t, cpt="90834", date="2025-06-01") for t in texts]
    one = [checker.check(n).to_dict() for n in notes]
    assert [r.to_dict() for r in checker.check_many(notes)] == one
    assert sum(len(el["spans"]) for r in one for el in r["elements"].values()) > 100
