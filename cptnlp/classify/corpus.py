"""The evidence corpus: JSONL sentence records -> notes, sections and a deterministic split by note."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataFileError
from ..nlp.sections import find_sections
from ..types import ELEMENTS

__all__ = ["CorpusNote", "Sentence", "corpus_sha256", "load_corpus", "split_notes"]

_REQUIRED = ("note_id", "sent_id", "section", "sep", "text", "labels", "source", "style")


@dataclass
class Sentence:
    text: str
    labels: list[str]
    section: str | None  # canonical section label
    start: int
    end: int


@dataclass
class CorpusNote:
    note_id: str
    source: str
    style: str
    text: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    checked: bool = True

    @property
    def present(self) -> set[str]:
        return {lab for s in self.sentences for lab in s.labels}


def corpus_files(data_dir: str | Path) -> list[Path]:
    d = Path(data_dir)
    files = sorted(p for p in d.rglob("*.jsonl") if "corrections" not in p.name and "out_of_style" not in str(p))
    if not files:
        raise DataFileError(str(d), "no .jsonl corpus files found")
    return files


def corpus_sha256(data_dir: str | Path) -> str:
    h = hashlib.sha256()
    for p in corpus_files(data_dir):
        h.update(p.relative_to(Path(data_dir)).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def load_corpus(data_dir: str | Path, *, include_unchecked: bool = False) -> list[CorpusNote]:
    """Notes rebuilt from the corpus records, each sentence located in the note and given its section."""
    rows: dict[str, list[dict]] = {}
    for p in corpus_files(data_dir):
        with p.open(encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(str(p), f"invalid JSON ({exc.msg})", row=ln) from None
                missing = [k for k in _REQUIRED if k not in r]
                if missing:
                    raise DataFileError(str(p), f"missing field(s) {missing}", row=ln)
                bad = [lab for lab in r["labels"] if lab not in ELEMENTS]
                if bad:
                    raise DataFileError(str(p), f"unknown label(s) {bad}; allowed: {list(ELEMENTS)}", row=ln)
                rows.setdefault(r["note_id"], []).append(r)
    notes: list[CorpusNote] = []
    for nid in sorted(rows):
        recs = sorted(rows[nid], key=lambda r: r["sent_id"])
        checked = all(r.get("checked", True) for r in recs)
        if not checked and not include_unchecked:
            continue
        note = CorpusNote(nid, recs[0]["source"], recs[0]["style"], checked=checked)
        parts: list[str] = []
        pos = 0
        cur_section = None
        spans = []
        for r in recs:
            if r["section"] != cur_section:
                cur_section = r["section"]
                if cur_section:
                    chunk = ("\n\n" if parts else "") + cur_section + "\n"
                    parts.append(chunk)
                    pos += len(chunk)
            sep = r["sep"] if parts else ""
            parts.append(sep)
            pos += len(sep)
            spans.append((pos, pos + len(r["text"]), r))
            parts.append(r["text"])
            pos += len(r["text"])
        note.text = "".join(parts)
        secs = find_sections(note.text)
        for s, e, r in spans:
            label = None
            for sec in secs:
                if sec.header_start <= s < sec.end:
                    label = sec.label
            note.sentences.append(Sentence(r["text"], list(r["labels"]), label, s, e))
        notes.append(note)
    return notes


def _bucket(note_id: str, seed: int) -> float:
    h = hashlib.sha256(f"{seed}:{note_id}".encode()).hexdigest()
    return int(h[:8], 16) / 0xFFFFFFFF


def split_notes(notes: list[CorpusNote], *, seed: int = 13, dev: float = 0.15, test: float = 0.2) -> dict[str, list[CorpusNote]]:
    """Deterministic split by note id (never by sentence): train / dev / test."""
    out: dict[str, list[CorpusNote]] = {"train": [], "dev": [], "test": []}
    for n in notes:
        b = _bucket(n.note_id, seed)
        out["test" if b < test else "dev" if b < test + dev else "train"].append(n)
    return out
