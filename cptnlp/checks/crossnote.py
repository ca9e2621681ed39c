"""Batch cross-note checks on one client's notes: frequency.multiple_per_week (F-01) and clone.near_duplicate."""

from __future__ import annotations

import datetime as _dt
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ..errors import DataFileError
from ..rules import CodeTable, load_code_table, load_toml_data
from ..types import Finding

__all__ = [
    "CloneSettings",
    "IndexRow",
    "Profile",
    "clone_findings",
    "frequency_findings",
    "list_profiles",
    "load_clone_settings",
    "load_profile",
    "minhash",
    "normalize_text",
    "signature_similarity",
]

_PROFILE_KEYS = {"name", "description", "max_sessions_per_week", "counted_kinds", "source"}
_CLONE_KEYS = {"threshold", "shingle_words", "num_perm", "bands", "seed", "max_neighbours", "min_words", "source"}


@dataclass(frozen=True, slots=True)
class Profile:
    """A payer's weekly session limit (cptnlp/data/profiles/<name>.toml)."""

    name: str
    description: str
    max_sessions_per_week: int
    counted_kinds: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class CloneSettings:
    """MinHash/LSH settings and the similarity threshold (cptnlp/data/crossnote.toml)."""

    threshold: float
    shingle_words: int
    num_perm: int
    bands: int
    seed: int
    max_neighbours: int
    min_words: int
    source: str


@dataclass(frozen=True, slots=True)
class IndexRow:
    """The compact per-note record the cross-note pass works on (no note text)."""

    index: int
    id: str
    date: _dt.date
    codes: tuple[str, ...]
    sig: bytes | None


def list_profiles() -> list[str]:
    return sorted(
        p.name[:-5] for p in (resources.files("cptnlp") / "data" / "profiles").iterdir() if p.name.endswith(".toml")
    )


@cache
def load_profile(name: str | None = None) -> Profile:
    """The payer profile ``name`` (default: 'default'); DataFileError names the allowed profiles."""
    name = name or "default"
    if name not in list_profiles():
        raise DataFileError("cptnlp/data/profiles", f"no profile {name!r}; available: {', '.join(list_profiles())}")
    path, data = load_toml_data(f"profiles/{name}.toml")
    unknown = set(data) - _PROFILE_KEYS
    if unknown:
        raise DataFileError(path, f"unknown keys {sorted(unknown)}; allowed: {sorted(_PROFILE_KEYS)}")
    limit = data.get("max_sessions_per_week")
    if not isinstance(limit, int) or limit < 1:
        raise DataFileError(path, "max_sessions_per_week must be a positive integer")
    kinds = data.get("counted_kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise DataFileError(path, "counted_kinds must be a non-empty list of code kinds")
    if not isinstance(data.get("source"), str) or not data["source"]:
        raise DataFileError(path, "source is required")
    return Profile(name, str(data.get("description", "")), limit, tuple(kinds), data["source"])


@cache
def load_clone_settings() -> CloneSettings:
    path, data = load_toml_data("crossnote.toml")
    clone = data.get("clone")
    if not isinstance(clone, dict):
        raise DataFileError(path, "missing [clone] table")
    unknown = set(clone) - _CLONE_KEYS
    if unknown or _CLONE_KEYS - set(clone):
        raise DataFileError(path, f"[clone] must have exactly the keys {sorted(_CLONE_KEYS)}")
    s = CloneSettings(**clone)
    if not 0 < s.threshold <= 1 or s.num_perm % s.bands:
        raise DataFileError(path, "threshold must be in (0, 1] and num_perm a multiple of bands")
    return s


# -- signatures -----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+|[0-9]+")


_NUMBER = re.compile(r"[0-9]+")


def normalize_text(text: str) -> list[str]:
    """Lower-cased words with every number folded to '0', so copy-forward notes that differ only in dates/times match."""
    return _WORD.findall(_NUMBER.sub("0", text.lower()))


@cache
def _perms(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def minhash(text: str, settings: CloneSettings | None = None) -> bytes | None:
    """MinHash signature (num_perm uint32, little-endian bytes) of the note's word shingles; None for short notes.

    A shingle of k words hashes to a polynomial of its words' CRC-32s (mod 2**64), so the
    shingles of a note are hashed with k array operations instead of a string each.
    """
    s = settings or load_clone_settings()
    # The words of normalize_text: numbers are folded to '0' by the word hashes (the same words, one regex pass).
    words = _WORD.findall(text.lower())
    if len(words) < s.min_words:
        return None
    k = s.shingle_words
    if len(_WORD_HASH) > _WORD_HASH_LIMIT:
        _WORD_HASH.clear()
    hw = np.fromiter(map(_WORD_HASH.__getitem__, words), dtype=np.uint64, count=len(words))
    m = len(words) - k + 1
    x = hw[:m].copy()
    for j in range(1, k):  # numpy's uint64 array arithmetic wraps mod 2**64, which the hashing relies on
        x *= _SHINGLE_MUL
        x += hw[j : j + m]
    a, b = _perms(s.num_perm, s.seed)
    # Multiply-shift hashing mod 2**64, keeping the high 32 bits; in place. Repeated shingles need no
    # de-duplication: they do not change a minimum.
    h = np.multiply.outer(a, x)
    h += b[:, None]
    h >>= np.uint64(32)
    return h.min(axis=1).astype("<u4").tobytes()


_SHINGLE_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio), so word order matters


class _WordHashes(dict[str, int]):
    """word -> CRC-32 + 1, computed on first lookup (a dict hit costs no Python call)."""

    def __missing__(self, word: str) -> int:
        h = self[word] = zlib.crc32(b"0" if word[0].isdigit() else word.encode()) + 1
        return h


_WORD_HASH = _WordHashes()
_WORD_HASH_LIMIT = 100_000


def signature_similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    x = np.frombuffer(a, dtype="<u4")
    y = np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(x == y)) / len(x) if len(x) == len(y) and len(x) else 0.0


# -- checks ---------------------------------------------------------------------------------------


def _label(row: IndexRow) -> str:
    return f"{row.id} ({row.date.isoformat()})"


def frequency_findings(
    rows: Sequence[IndexRow], profile: Profile, table: CodeTable | None = None
) -> dict[int, list[Finding]]:
    """Findings for notes of one client with more counted sessions in an ISO week than the profile allows."""
    table = table or load_code_table()
    kinds = set(profile.counted_kinds)
    weeks: dict[tuple[int, int], list[IndexRow]] = defaultdict(list)
    for r in rows:
        if any(
            (rule := table.get(c)) is not None and rule.kind in kinds and not rule.is_deleted(r.date) for c in r.codes
        ):
            iso = r.date.isocalendar()
            weeks[(iso.year, iso.week)].append(r)
    out: dict[int, list[Finding]] = defaultdict(list)
    for (year, week), group in weeks.items():
        if len(group) <= profile.max_sessions_per_week:
            continue
        group = sorted(group, key=lambda r: (r.date, r.index))
        for r in group:
            others = [o for o in group if o.index != r.index]
            named = ", ".join(_label(o) for o in others[:5]) + (
                f" and {len(others) - 5} more" if len(others) > 5 else ""
            )
            out[r.index].append(
                Finding(
                    "frequency.multiple_per_week",
                    "warning",
                    f"The client has {len(group)} psychotherapy sessions in ISO week {year}-W{week:02d} "
                    f"(profile {profile.name!r} allows {profile.max_sessions_per_week}); other sessions: {named}. "
                    "Document why more frequent sessions are needed (e.g. an acute crisis).",
                    (),
                    profile.source,
                )
            )
    return dict(out)


def clone_findings(rows: Sequence[IndexRow], settings: CloneSettings | None = None) -> dict[int, list[Finding]]:
    """One finding per note of one client that is nearly identical to a note of another date.

    LSH banding finds candidate pairs without comparing every pair; inside a bucket each note is compared
    only with its ``max_neighbours`` nearest notes by date, so even a client with thousands of identical
    notes costs O(n) comparisons.
    """
    s = settings or load_clone_settings()
    with_sig = [r for r in rows if r.sig is not None]
    rows_per_band = s.num_perm // s.bands
    buckets: dict[tuple[int, bytes], list[IndexRow]] = defaultdict(list)
    for r in with_sig:
        assert r.sig is not None
        for band in range(s.bands):
            lo = band * rows_per_band * 4
            buckets[(band, r.sig[lo : lo + rows_per_band * 4])].append(r)
    best: dict[int, tuple[float, IndexRow]] = {}
    seen: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda r: (r.date, r.index))
        for i, r in enumerate(members):
            for o in members[i + 1 : i + 1 + s.max_neighbours]:
                if o.date == r.date or (r.index, o.index) in seen:
                    continue
                seen.add((r.index, o.index))
                assert r.sig is not None and o.sig is not None
                sim = signature_similarity(r.sig, o.sig)
                if sim < s.threshold:
                    continue
                for a, b in ((r, o), (o, r)):
                    if a.index not in best or sim > best[a.index][0]:
                        best[a.index] = (sim, b)
    out: dict[int, list[Finding]] = {}
    for idx, (sim, other) in best.items():
        out[idx] = [
            Finding(
                "clone.near_duplicate",
                "warning",
                f"This note is nearly identical to note {_label(other)} of the same client (similarity {sim:.2f}, "
                f"threshold {s.threshold:.2f}). Cloned or copy-forward notes are an audit finding; document what "
                "was specific to this session.",
                (),
                s.source,
            )
        ]
    return out
