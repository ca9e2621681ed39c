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
    "clone_findings_many",
    "frequency_findings",
    "frequency_findings_many",
    "list_profiles",
    "load_clone_settings",
    "load_profile",
    "minhash",
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
    # Lower-cased words; every number hashes as '0' (_WordHashes), so copy-forward notes that differ only in
    # dates and times match.
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
    """word -> CRC-32 + 1 (of "0" for a number), computed on first lookup (a dict hit costs no Python call)."""

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
    return frequency_findings_many([rows], profile, table)[0]


def frequency_findings_many(
    groups: Sequence[Sequence[IndexRow]], profile: Profile, table: CodeTable | None = None
) -> list[dict[int, list[Finding]]]:
    """frequency_findings of each client in ``groups``; whether a (codes, date) counts and a date's ISO week
    are worked out once for all of them."""
    table = table or load_code_table()
    kinds = set(profile.counted_kinds)
    counted: dict[tuple[tuple[str, ...], _dt.date], tuple[int, int] | None] = {}

    def week_of(codes: tuple[str, ...], date: _dt.date) -> tuple[int, int] | None:
        if any((rule := table.get(c)) is not None and rule.kind in kinds and not rule.is_deleted(date) for c in codes):
            iso = date.isocalendar()
            return (iso.year, iso.week)
        return None

    out: list[dict[int, list[Finding]]] = []
    for rows in groups:
        weeks: dict[tuple[int, int], list[IndexRow]] = defaultdict(list)
        for r in rows:
            key = (r.codes, r.date)
            wk = counted[key] if key in counted else counted.setdefault(key, week_of(r.codes, r.date))
            if wk is not None:
                weeks[wk].append(r)
        out.append(_frequency_out(weeks, profile))
    return out


def _frequency_out(weeks: dict[tuple[int, int], list[IndexRow]], profile: Profile) -> dict[int, list[Finding]]:
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
    return clone_findings_many([rows], settings)[0]


def _clone_findings_loop(rows: Sequence[IndexRow], s: CloneSettings) -> dict[int, list[Finding]]:
    """The reference implementation of clone_findings (one client, pair by pair); used for unusual inputs."""
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
    return _clone_out(best, s)


def _clone_out(best: dict[int, tuple[float, IndexRow]], s: CloneSettings) -> dict[int, list[Finding]]:
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


# Odd 64-bit multipliers that fold one band of a signature into a bucket hash (collisions are detected).
_BAND_MUL = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def clone_findings_many(
    groups: Sequence[Sequence[IndexRow]], settings: CloneSettings | None = None
) -> list[dict[int, list[Finding]]]:
    """clone_findings of each client in ``groups`` (one list of rows per client), with the same results.

    The signatures of all clients are decoded into one matrix; LSH buckets are found by sorting band
    hashes, and the similarities of all candidate pairs are computed in one array step. Only pairs over
    the threshold are then replayed in the order of the reference loop, so ties resolve the same way.
    """
    s = settings or load_clone_settings()
    out: list[dict[int, list[Finding]]] = [{} for _ in groups]
    width = s.num_perm * 4
    fast = s.num_perm > 0 and s.bands > 0 and s.num_perm % s.bands == 0 and s.max_neighbours > 0
    sel: list[IndexRow] = []
    gids: list[int] = []
    for g, rows in enumerate(groups):
        with_sig = [r for r in rows if r.sig is not None]
        if len(with_sig) < 2:
            continue
        if (
            not fast
            or any(len(r.sig) != width for r in with_sig)  # type: ignore[arg-type]
            or len({r.index for r in with_sig}) != len(with_sig)
        ):
            out[g] = _clone_findings_loop(rows, s)
            continue
        sel += with_sig
        gids += [g] * len(with_sig)
    if not sel:
        return out
    for g, best in _clone_best(sel, gids, s).items():
        if best is None:  # a band-hash collision: this client takes the reference loop
            out[g] = _clone_findings_loop(groups[g], s)
        else:
            out[g] = _clone_out(best, s)
    return out


def _clone_best(
    sel: list[IndexRow], gids: list[int], s: CloneSettings
) -> dict[int, dict[int, tuple[float, IndexRow]] | None]:
    """Per client (group number): the best match of each note over the threshold, as the reference loop finds
    it; None for a client whose band hashes collided."""
    n, perm, bands = len(sel), s.num_perm, s.bands
    rpb = perm // bands
    sig = np.frombuffer(b"".join(r.sig for r in sel), dtype="<u4").reshape(n, bands, rpb)  # type: ignore[misc]
    gid = np.array(gids, dtype=np.int64)
    day = np.fromiter((r.date.toordinal() for r in sel), dtype=np.int64, count=n)
    idx = np.array([r.index for r in sel], dtype=np.int64)
    # rank: position in (client, date, index) order, the order of the members of a bucket
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((idx, day, gid))] = np.arange(n)
    # bucket hash of every (note, band); entries are numbered note * bands + band
    mul = _BAND_MUL[np.arange(rpb) % len(_BAND_MUL)] + np.uint64(2) * np.arange(rpb, dtype=np.uint64)
    h = (sig.astype(np.uint64) * mul).sum(axis=2, dtype=np.uint64).ravel()
    h ^= h >> np.uint64(29)
    gb = (gid[:, None] * bands + np.arange(bands)).ravel()
    order = np.lexsort((np.repeat(rank, bands), h, gb))
    gb_s, h_s = gb[order], h[order]
    start = np.ones(len(order), dtype=bool)
    start[1:] = (gb_s[1:] != gb_s[:-1]) | (h_s[1:] != h_s[:-1])
    bucket = np.cumsum(start) - 1
    note = order // bands
    band = order % bands
    # a hash collision shows as different band values inside one bucket
    vals = sig[note, band]
    clash = ~start[1:] & (vals[1:] != vals[:-1]).any(axis=1)
    bad = set(gid[note[1:][clash]].tolist())
    starts = np.flatnonzero(start)
    pe: list[np.ndarray] = []
    pd: list[np.ndarray] = []
    for d in range(1, s.max_neighbours + 1):
        if d >= len(order):
            break
        same = bucket[:-d] == bucket[d:]
        if not same.any():
            break
        e = np.flatnonzero(same)
        e = e[day[note[e]] != day[note[e + d]]]
        pe.append(e)
        pd.append(np.full(len(e), d, dtype=np.int64))
    result: dict[int, dict[int, tuple[float, IndexRow]] | None] = {g: None for g in bad}
    if not pe:
        return result
    e = np.concatenate(pe)
    dd = np.concatenate(pd)
    a, b = note[e], note[e + dd]
    flat = sig.reshape(n, perm)
    count = np.count_nonzero(flat[a] == flat[b], axis=1)
    keep = count / perm >= s.threshold
    if not keep.any():
        return result
    e, dd, a, b, count = e[keep], dd[keep], a[keep], b[keep], count[keep]
    bk = bucket[e]
    first = np.minimum.reduceat(note, starts)[bk]  # a bucket's first member in input order
    pos = e - starts[bk]  # the note's place in its bucket
    # the reference loop's order: buckets by (first member, band), then member, then neighbour
    for j in np.lexsort((dd, pos, band[e], first, gid[a])).tolist():
        g = gids[int(a[j])]
        if g in bad:
            continue
        best = result.setdefault(g, {})
        assert best is not None
        r, o = sel[int(a[j])], sel[int(b[j])]
        sim = float(int(count[j])) / perm
        for x, y in ((r, o), (o, r)):
            if x.index not in best or sim > best[x.index][0]:
                best[x.index] = (sim, y)
    return result
