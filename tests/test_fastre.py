"""The RE2 fast path gives exactly the matches of Python's re (cptnlp.nlp.fastre)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptnlp.nlp import fastre
from cptnlp.nlp.facts import find_facts, load_fact_rules

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "golden" / "notes").glob("*.txt"))]
    for path in sorted((ROOT / "training" / "data" / "authored").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text")
            if isinstance(text, str) and text:
                texts.append(text)
    return texts


def test_every_fact_rule_has_a_fast_form() -> None:
    rules = load_fact_rules()
    assert all(r.fast is not None for r in rules)
    assert any(isinstance(r.fast, fastre.Hybrid) for r in rules)  # look-around rules take the hybrid path


def test_fast_and_re_paths_agree_on_the_corpus() -> None:
    rules = load_fact_rules()
    texts = corpus_texts()
    assert len(texts) > 500
    fast = [t for t in texts if fastre.ascii_safe(t)]
    assert len(fast) > 0.9 * len(texts)  # the comparison exercises the RE2 path, not only the fallback
    hits = 0
    for text in fast:
        got = find_facts(text, rules)
        assert got == find_facts(text, rules, use_fast=False)
        hits += sum(map(len, got.values()))
    assert hits > 2000  # and the rules do fire on it


@pytest.mark.parametrize(
    ("pattern", "wide"),
    [
        (r"\bgad\b(?!-\d)", r"\bgad\b"),
        (r"(?<!\bnext\s)scheduled\s+(?:session|visit)", r"scheduled\s+(?:session|visit)"),
        (r"(?P<who>[a-z]+):[\s\S]{0,9}?(?P=who)\b", r"(?P<who>[a-z]+):[\s\S]{0,9}?[\s\S]*?\b"),
        (r"[(?!]x(?=y)", r"[(?!]x"),
        (r"\(?!x", r"\(?!x"),
    ],
)
def test_superset_drops_lookarounds_and_widens_backreferences(pattern: str, wide: str) -> None:
    assert fastre.superset(pattern) == wide


def test_non_ascii_and_separator_text_stays_on_re() -> None:
    assert fastre.ascii_safe("Client seen 10:00-10:50.")
    assert not fastre.ascii_safe("Client seen 10:00\u201310:50.")
    assert not fastre.ascii_safe("Client\x0bseen")
    # A note with an en dash gives the same facts either way (it never reaches RE2).
    text = "Family session via Zoom \u2013 mother present. GAD-7 12; GAD."
    assert find_facts(text) == find_facts(text, use_fast=False)


_PATTERNS = [
    re.compile(r"\b(?:ab|b)\b(?!a)", re.MULTILINE),
    re.compile(r"(?<!a )b+\s", re.MULTILINE),
    re.compile(r"^(?P<w>[ab]{2,})\b[\s\S]{0,12}?\b(?P=w)$", re.MULTILINE),
    re.compile(r"\bab?\b|(?<=b)a\s", re.MULTILINE),
]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n.", max_size=40), st.sampled_from(range(len(_PATTERNS))))
def test_fast_forms_match_re_on_random_text(text: str, k: int) -> None:
    rx = _PATTERNS[k]
    fast = fastre.compile_fast(rx)
    assert fast is not None
    want = [(m.span(), m.groups()) for m in rx.finditer(text) if m.end() > m.start()]
    got = [
        (
            m.span(),
            tuple(None if m.span(g)[0] < 0 else text[m.span(g)[0] : m.span(g)[1]] for g in range(1, rx.groups + 1)),
        )
        for m in fast.finditer(text, text.encode("ascii"))
    ]
    assert got == want


def test_superset_can_drop_anchors_for_slices() -> None:
    assert fastre.superset(r"^\bmeets?\s+criteria\b[\b]$", drop_anchors=True) == r"meets?\s+criteria[\b]"


def test_evidence_rule_filter_keeps_every_sentence_a_rule_matches() -> None:
    from collections import defaultdict

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
    from cptnlp.nlp.facts import _prefilter

    rules = load_fact_rules()
    pf = _prefilter(rules)
    assert pf is not None
    text = "Client present via Zoom video. Signed: Ana Cruz, LMFT"
    possible = pf.possible(text.lower().encode(), text.encode())
    matched = {k for k, r in enumerate(rules) if (r.lower or r.regex).search(text.lower() if r.lower else text)}
    assert matched and matched <= possible < set(range(len(rules)))


def test_pattern_set_flags_every_pattern_that_matches() -> None:
    pats = [re.compile(p, re.MULTILINE) for p in (r"\bab\b(?!a)", r"^b+$", r"(?P<w>a+)-(?P=w)", r"zz")]
    ps = fastre.PatternSet.build(pats)
    assert ps is not None
    for text in ("ab b", "aa-aa\nbbb", "aba", "zz", ""):
        want = {k for k, rx in enumerate(pats) if rx.search(text)}
        assert want <= ps.possible(text.encode())
    assert ps.possible(b"q") == set()


_CI_PATTERNS = [
    re.compile(r"(?<![\w:])(?P<h>\d{1,2}):(?P<m>\d\d)\s*(?:am|pm)?\b", re.IGNORECASE),
    re.compile(r"\bstart(?:ed)?\s*:?\s*(?P<t>\d{1,2})(?!\d)", re.IGNORECASE | re.MULTILINE),
    re.compile(r"[.;\n]|(?<!\w)but\b", re.IGNORECASE),
]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="Startedbu 019:.;\nAPM", max_size=50),
    st.sampled_from(range(len(_CI_PATTERNS))),
    st.integers(0, 50),
)
def test_fast_pattern_search_and_finditer_match_re(text: str, k: int, pos: int) -> None:
    rx = _CI_PATTERNS[k]
    fp = fastre.FastPattern(rx)
    assert fp._hybrid is not None
    assert [m.span() for m in fp.finditer(text)] == [m.span() for m in rx.finditer(text)]
    got, want = fp.search(text, pos), rx.search(text, pos)
    assert (got and got.span()) == (want and want.span())
    assert [m.span() for m in fp.finditer(text, 1, 9)] == [m.span() for m in rx.finditer(text, 1, 9)]


def test_fast_pattern_keeps_re_for_non_ascii_text_and_empty_matches() -> None:
    fp = fastre.FastPattern(_CI_PATTERNS[0])
    text = "Session 10:02\u201310:55 pm"
    assert [m.group(0) for m in fp.finditer(text)] == ["10:02", "10:55 pm"]
    empty = fastre.FastPattern(re.compile(r"x*"))
    assert empty._hybrid is None  # can match the empty string: re's own finditer
    assert [m.span() for m in empty.finditer("axx")] == [m.span() for m in re.finditer(r"x*", "axx")]
