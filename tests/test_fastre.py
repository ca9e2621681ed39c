"""The RE2 paths of cptnlp.nlp.fastre give exactly the matches of Python's re."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptnlp.nlp import fastre
from cptnlp.nlp.facts import _prefilter, find_facts, load_fact_rules

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").rglob("*.txt"))]
    for path in sorted((ROOT / "training" / "data" / "authored").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text")
            if isinstance(text, str) and text:
                texts.append(text)
    return texts


def test_shadow_keeps_offsets_and_marks_what_re2_reads_differently() -> None:
    assert fastre.shadow("Seen 10:00-10:50.") == (b"Seen 10:00-10:50.", False)
    assert fastre.shadow("10:00\u201310:50 caf\u00e9 \U0001f600") == (b"10:00\x0110:50 caf\x01 \x01", True)
    assert fastre.shadow("a\x0bb\x1fc\x01") == (b"a\x01b\x01c\x01", True)


def test_every_fact_rule_has_a_fast_form() -> None:
    rules = load_fact_rules()
    assert all(r.fast is not None for r in rules)
    assert any(isinstance(r.fast, fastre.Exact) for r in rules)
    assert any(isinstance(r.fast, fastre.Hybrid) for r in rules)  # look-around rules keep re for the match


def test_fast_and_re_paths_agree_on_the_corpus() -> None:
    rules = load_fact_rules()
    texts = corpus_texts()
    assert len(texts) > 500
    wild = [t for t in texts if fastre.shadow(t)[1]]
    assert len(wild) >= 20  # notes with non-ASCII text take the wildcard path: it is compared too
    hits = 0
    for text in texts:
        got = find_facts(text, rules)
        assert got == find_facts(text, rules, use_fast=False)
        hits += sum(map(len, got.values()))
    assert hits > 2000  # and the rules do fire on it


_PATTERNS = [
    re.compile(r"\b(?:ab|b)\b(?!a)", re.MULTILINE),
    re.compile(r"(?<!a )b+\s", re.MULTILINE),
    re.compile(r"^(?P<w>[ab]{2,})\b[\s\S]{0,12}?\b(?P=w)$", re.MULTILINE),
    re.compile(r"\bab?\b|(?<=b)a\s", re.MULTILINE),
    re.compile(r"(?i)\bA[^\n.]{0,3}?\d\b"),
    re.compile(r"[\u00e9\u2013-]+b$"),
]
# Characters on which re and RE2 disagree (non-ASCII letters, digits and spaces, VT, 0x1C-0x1F).
_ALPHABET = "ab AB.\n-19\u00e9\u0661\u00a0\u2013\x0b\x1c\x01"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40), st.sampled_from(range(len(_PATTERNS))))
def test_fast_forms_match_re_on_random_text(text: str, k: int) -> None:
    rx = _PATTERNS[k]
    data, wild = fastre.shadow(text)
    want = [(m.span(), [m.span(g) for g in range(1, rx.groups + 1)]) for m in rx.finditer(text) if m.end() > m.start()]
    for fast in (fastre.compile_fast(rx), fastre.Hybrid.build(rx)):
        if fast is None:  # compile_fast takes case-sensitive patterns only
            continue
        got = [(m.span(), [m.span(g) for g in range(1, rx.groups + 1)]) for m in fast.finditer(text, data, wild)]
        assert got == want


@pytest.mark.parametrize(
    ("pattern", "flags", "kwargs", "wide"),
    [
        (r"\bgad\b(?!-\d)", 0, {}, r"\bgad\b"),
        (r"(?<!\bnext\s)scheduled", 0, {}, "scheduled"),
        (r"(?P<w>[a-z]+):(?P=w)", 0, {}, r"(?:(?:[a-z])+)\:[\s\S]*?"),
        (r"^\bmeets?\b$", 0, {"drop_anchors": True}, "meet(?:s){0,1}"),
        (r"x$", 0, {}, "x(?m:$)"),
        (r"(?-i:A)b", re.IGNORECASE, {}, "(?i)(?-i:A)b"),
        (r"\bab", 0, {"wild": True}, r"(?:a|\x01)(?:b|\x01)"),
    ],
)
def test_superset_form(pattern: str, flags: int, kwargs: dict, wide: str) -> None:
    assert fastre.superset(pattern, flags, **kwargs) == wide


def test_evidence_rule_filter_keeps_every_sentence_a_rule_matches() -> None:
    from cptnlp import Checker
    from cptnlp.nlp.evidence import add_rule_evidence, load_evidence_rules, sentence_records

    nlp = Checker(use_model=False).nlp
    rules = load_evidence_rules()
    assert all(f is not None for _, _, f in rules)
    hits = 0
    for text in corpus_texts():
        doc = nlp.make_doc(text)
        for _, proc in nlp.pipeline[:2]:  # sentences and session facts (sections)
            doc = proc(doc)
        records = sentence_records(doc, doc._.cptnlp["sections"])
        slow = add_rule_evidence(defaultdict(list), records, rules)
        assert add_rule_evidence(defaultdict(list), records, rules, text) == slow
        hits += sum(map(len, slow.values()))
    assert hits > 500


def test_shipped_fact_rules_are_prefiltered_by_one_pattern_set() -> None:
    rules = load_fact_rules()
    pf = _prefilter(rules)
    assert pf is not None
    text = "Client present via Zoom video. Signed: Ana Cruz, LMFT"
    possible = pf.possible(text.lower().encode(), text.encode(), False)
    matched = {k for k, r in enumerate(rules) if (r.lower or r.regex).search(text.lower() if r.lower else text)}
    assert matched and matched <= possible < set(range(len(rules)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30))
def test_pattern_set_flags_every_pattern_that_matches(text: str) -> None:
    ps = fastre.PatternSet.build(_PATTERNS)
    assert ps is not None
    data, wild = fastre.shadow(text)
    assert {k for k, rx in enumerate(_PATTERNS) if rx.search(text)} <= ps.possible(data, wild)


_CI_PATTERNS = [
    re.compile(r"(?<![\w:])(?P<h>\d{1,2}):(?P<m>\d\d)\s*(?:am|pm)?\b", re.IGNORECASE),
    re.compile(r"\bstart(?:ed)?\s*:?\s*(?P<t>\d{1,2})(?!\d)", re.IGNORECASE | re.MULTILINE),
    re.compile(r"[.;\n]|(?<!\w)but\b", re.IGNORECASE),
]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="Startedbu 019:.;\nAPM\u00e9\u0663\u2013", max_size=50),
    st.sampled_from(range(len(_CI_PATTERNS))),
    st.integers(0, 50),
)
def test_fast_pattern_search_and_finditer_match_re(text: str, k: int, pos: int) -> None:
    rx = _CI_PATTERNS[k]
    fp = fastre.FastPattern(rx)
    assert fp._hybrid is not None
    with patch.object(fastre, "_MIN_CHARS", 0):  # short texts too take the RE2 path here
        assert [m.span() for m in fp.finditer(text)] == [m.span() for m in rx.finditer(text)]
        got, want = fp.search(text, pos), rx.search(text, pos)
        assert (got and got.span()) == (want and want.span())
        assert [m.span() for m in fp.finditer(text, 1, 9)] == [m.span() for m in rx.finditer(text, 1, 9)]


def test_fast_pattern_keeps_re_for_patterns_that_match_empty() -> None:
    empty = fastre.FastPattern(re.compile(r"x*"))
    assert empty._hybrid is None
    assert [m.span() for m in empty.finditer("axx")] == [m.span() for m in re.finditer(r"x*", "axx")]
