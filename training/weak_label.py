"""Weakly label MTSamples notes for the evidence classifier.

Reads the MTSamples psychiatry/psychology notes (and a hand-picked-by-rule set of
~40 clearly non-mental-health general-medicine notes as hard-negative-ish
material), splits each note into sections by its inline uppercase headers
("HISTORY OF PRESENT ILLNESS:", "PLAN:", "AXIS I:" ...), splits section text into
sentences, and assigns weak labels:

1. a header -> labels table (``HEADER_LABELS``, first matching pattern wins);
   a ``Label: value`` line inside a section (e.g. ``AXIS V: GAF 25``) is looked up
   first in ``SUBLABEL_LABELS`` and overrides the section's labels;
2. a few keyword rules (``KEYWORD_RULES``) that add labels anywhere, unless the
   section is one where they do not apply (family history etc.).

Hand corrections from ``data/mtsamples_corrections.jsonl`` are applied last.
That file holds two kinds of line:

* ``{"note_id", "reviewed": true, "n_sentences", "by"}``: the whole note was read
  sentence by sentence, so all its records get ``"checked": true``;
* ``{"note_id", "sent_id", "text", "labels", "was"}``: corrected labels for one
  sentence (``text`` must match, so a changed splitter fails loudly).

Output: ``data/mtsamples_weak.jsonl`` in the CORPUS_SPEC.md record format with
``source: "mtsamples"`` plus ``mtsamples_id`` and ``checked``.
Text is from mtsamples.com (see data/MTSAMPLES_CHECKED.md for the credit line).

Usage: ``python training/weak_label.py [--out PATH]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTERNAL = Path("/work/shared/data/external")
PSYCH_IN = EXTERNAL / "mtsamples_psych.jsonl"
GENERAL_IN = EXTERNAL / "mtsamples_general.jsonl"
OUT = HERE / "data" / "mtsamples_weak.jsonl"
CORRECTIONS = HERE / "data" / "mtsamples_corrections.jsonl"

ELEMENTS = (
    "diagnosis",
    "symptoms",
    "impairment",
    "risk",
    "mental_status",
    "intervention",
    "response",
    "goals",
    "plan",
    "measures",
    "necessity",
)

# --------------------------------------------------------------------------- #
# Data tables
# --------------------------------------------------------------------------- #
# (regex searched in the normalised header, labels, keyword rules allowed?)
# Order matters: the first matching row wins.  Unknown headers get no labels.
HEADER_LABELS: list[tuple[str, tuple[str, ...], bool]] = [
    # someone else's history, or sections about the donor / logistics
    (r"FAMILY|PARENT/SIBLING|MOTHER|FATHER|SIBLINGS|SPOUSE|RECIPIENT|DONOR", (), False),
    (r"TRANSPORTATION|HOUSING|INCOME|INSURANCE|FINANCIAL|EMPLOYMENT|OCCUPATION", (), True),
    # multiaxial diagnosis
    (r"^AXIS\s*V\b|\bGAF\b", ("measures",), True),
    (r"^AXIS\s*IV\b", (), True),
    (r"^AXIS\s*(I{1,3})\b", ("diagnosis",), True),
    (r"MINI[- ]?MENTAL|BECK TESTING|BENDER", ("measures",), True),
    # mental status exam and its parts
    (r"MENTAL STATUS|\bMSE\b|^MOOD$|^AFFECT$|THOUGHT|^SPEECH$|^INSIGHT$|JUDG", ("mental_status",), True),
    (r"ORIENTATION|SENSORIUM|PERCEPTION|ATTITUDE|APPEARANCE|MOTOR ACTIVITY", ("mental_status",), True),
    (r"BEHAVIOU?R(AL)? OBSERVATIONS|GENERAL OBSERVATIONS|^BEHAVIOR$|^PSYCHIATRY$", ("mental_status",), True),
    # plan before diagnosis so "ASSESSMENT AND PLAN" / "IMPRESSION AND PLAN" -> plan
    (r"PLAN|RECOMMEND|FOLLOW[- ]?UP|LENGTH OF STAY|INSTRUCTIONS|RETURN TO", ("plan",), True),
    (r"DIAGNOS[EI]S\b|DIAGNOSTIC (IMPRESSION|SUMMARY)|IMPRESSION|^ASSESSMENT$", ("diagnosis",), True),
    # presenting problem
    (r"CHIEF COMPL|PRESENT(ING)? (ILLNESS|PROBLEM)|\bHPI\b|PRESENT PROBLEMS", ("symptoms",), True),
    (r"REASON FOR ADMISSION|^SUBJECTIVE$|EMOTIONAL FUNCTION|PROBLEMS AND ISSUES", ("symptoms",), True),
    (r"DAILY ACTIVITIES|IMPACT OF DISEASE", ("impairment",), True),
    (r"^INTERVENTIONS?$", ("intervention",), True),
    (r"GOALS?\b|OUTCOMES", ("goals",), True),
    # neuropsychological test domains report test results
    (r"ATTENTION|LANGUAGE|MEMORY|EXECUTIVE|VISUOSPATIAL|VISUAL-SPATIAL|MOTOR", ("measures",), True),
    (r"PROCESSING SPEED|COGNITIVE ABILITY|ACADEMIC FUNCTION|ASSESSMENT RESULTS", ("measures",), True),
    (r"EVALUATION FINDINGS|TESTS? ADMINISTERED|TASKS ADMINISTERED", ("measures",), True),
]

# ``Label: value`` lines inside a section that override the section's labels:
# (label pattern, parent-section pattern or None for any, labels).
SUBLABEL_LABELS: list[tuple[str, str | None, tuple[str, ...]]] = [
    (r"^AXIS\s*V\b|\bGAF\b", None, ("measures",)),
    (r"^AXIS\s*IV\b", None, ()),
    (r"^AXIS\s*(I{1,3})\b", None, ("diagnosis",)),
    (r"^PSYCH|^MOOD|^AFFECT|^MENTAL|^NEURO.*PSYCH", r"EXAM|OBJECTIVE", ("mental_status",)),
]

# A line whose value is template boilerplate gets no header labels
# ("AXIS II: Deferred.", "ALLERGIES: None.").
BOILERPLATE = re.compile(
    r"^([A-Za-z][A-Za-z0-9 ,/&'()\-]{0,40}:\s*)?(deferred|none|n/?a|not applicable|"
    r"unknown|none known|noncontributory|non-contributory|see (above|below|HPI|history[^.]*)|reviewed)\.?$",
    re.IGNORECASE,
)
NEGATION = r"\b(den(y|ies|ied)|no|not|never|without|negative for)\b"

FAMILY = r"\b(mother|father|mom|dad|sister|brother|aunt|uncle|grand\w*|cousin|sons?|daughters?|siblings?|parents?)\b"

# (label, pattern, pattern that vetoes the rule)
KEYWORD_RULES: list[tuple[str, str, str | None]] = [
    (
        "risk",
        r"suicid|homicid|self[- ]?harm|self[- ]?injur|\bS/?I\b|\bH/?I\b|safety plan|"
        r"danger(ous)? to (self|others|him|her)|(hurt|harm|kill) (him|her|them)sel(f|ves)",
        FAMILY,
    ),
    (
        "measures",
        r"PHQ|GAD-?7|MMSE|mini[- ]?mental|Folstein|MoCA|\bBeck\b|\bBDI|\bBAI\b|\bGAF\b|"
        r"(?<!pain )\bscor(e|es|ed)\b|percentile|WAIS|WISC|WIAT|WRAT|Woodcock|Wechsler|Conners|CPT-?II|"
        r"MMPI|Trail ?Making|Boston Naming|CIWA|\bCOWS\b|C-SSRS|PCL-?5|HAM-[AD]|Hamilton|"
        r"Y-?BOCS|Vineland|T-score|\bIQ\b",
        None,
    ),
    (
        "plan",
        r"\bwill (be )?(follow|return|see|start|continue|increase|decrease|discontinue|taper|"
        r"titrate|refer|obtain|check|recheck|monitor|schedul)|\bfollow[- ]?up\b|\brecommend|"
        r"\breferr(ed|al) to\b|\breturn (to (the )?clinic|in \w+)|\bRTC\b",
        None,
    ),
    (
        "response",
        r"\b(improved|improving|improvement|responded|response to|tolerat(ed|ing)|stabilized|"
        r"doing (very |fairly )?(well|better)|feels better|feeling better|worsened)\b",
        FAMILY,
    ),
    (
        "mental_status",
        r"alert and oriented|oriented (x|times|to)|\bA&O\s*x?\s*\d|\b(mood|affect) (is|was|appears?)\b|"
        r"\b(flat|blunted|restricted|constricted|labile|euthymic|congruent|appropriate|full) affect|"
        r"thought (process|content)|goal[- ]directed|tangential|circumstantial|loose associations|"
        r"\binsight (is|was)|judg(e)?ment (is|was)|psychomotor|eye contact",
        None,
    ),
    ("goals", r"\bgoals?\b(?![- ]directed)|treatment objectives?", None),
    ("diagnosis", r"\b(meets?|met) (the )?(DSM[- ]?(IV|5)? )?criteria|\bdiagnos(is|ed) (of|with|as)\b", FAMILY),
    (
        "impairment",
        r"unable to (work|function|care for|drive|attend|go to)|(can't|cannot|could not|couldn't) "
        r"(work|function|keep up)|missed (work|school|\d+ days)|lost (his|her|the) job|laid off|"
        r"\bfired\b|(on|receiving|applied for) disability|\bADLs?\b|activities of daily living|"
        r"(failing|poor) grades|suspended|expelled|dropped out|difficult(y|ies) (at|with) "
        r"(work|school|functioning)|not (going|attending) (to )?(work|school)",
        r"\bintact\b|\bindependent\b|no (functional )?impairment|without (difficulty|impairment)",
    ),
    (
        "symptoms",
        r"\b(depressed mood|anxious|panic attacks?|insomnia|trouble sleeping|crying|tearful|"
        r"irritab\w+|hopeless\w*|anhedonia|auditory hallucinations|visual hallucinations|"
        r"paranoi\w+|poor concentration|racing thoughts|mood swings|nightmares|flashbacks)\b",
        f"{FAMILY}|{NEGATION}",
    ),
]

# --------------------------------------------------------------------------- #
# Sentence splitting
# --------------------------------------------------------------------------- #
# Words after which a period never ends a sentence.  Units such as "mg." or
# "p.o." need no entry: they end a sentence only when an uppercase word follows,
# which is the normal split condition anyway.
ABBREVIATIONS = frozenset(
    {
        "dr",
        "drs",
        "mr",
        "mrs",
        "ms",
        "st",
        "jr",
        "sr",
        "prof",
        "vs",
        "e.g",
        "i.e",
        "approx",
        "fig",
        "dept",
        "inc",
        "u.s",
        "a.k.a",
    }
)
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_LIST_MARKER = re.compile(r"^\s*(\d{1,2}|[a-zA-Z])[.)]\s+")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


def split_sentences(line: str) -> list[str]:
    """Split one line of prose into sentences.

    A boundary is ``.``/``!``/``?`` (plus closing quotes/brackets), whitespace,
    then an uppercase letter, digit or opening quote.  No split after known
    abbreviations ("Dr."), single initials ("J."), or a leading list marker
    ("1.").  Decimals ("2.5 mg") never match because no whitespace follows.
    """
    line = line.strip()
    if not line:
        return []
    start_search = 0
    marker = _LIST_MARKER.match(line)
    if marker:
        start_search = marker.end()
    sentences: list[str] = []
    begin = 0
    for m in _BOUNDARY.finditer(line, start_search):
        token_match = _TOKEN_BEFORE.search(line[begin : m.start()])
        token = token_match.group(1) if token_match else ""
        bare = token.lstrip("(\"'").lower()
        if line[m.start()] == "." and (bare in ABBREVIATIONS or re.fullmatch(r"[a-z]", bare)):
            continue
        piece = line[begin : m.end()].strip()
        if piece:
            sentences.append(piece)
        begin = m.end()
    tail = line[begin:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# --------------------------------------------------------------------------- #
# Sections
# --------------------------------------------------------------------------- #
# An uppercase header at the start of a line, optionally followed by text.
_HEADER = re.compile(r"^([A-Z][A-Z0-9 ,/&'()\-.]*[A-Z)])\s*:\s*(.*)$")
# A "Label: value" line of any case (short label), e.g. "Axis I: ...", "Mood: ...".
_LABEL_LINE = re.compile(r"^([A-Z][A-Za-z0-9 ,/&'()\-]{0,40}?)\s*:\s*\S")
# "AXIS I 296.32 Major depression" (no colon)
_AXIS_LINE = re.compile(r"^(AXIS\s+[IV]+)\b", re.IGNORECASE)
# A standalone all-caps title line without a colon.
_TITLE = re.compile(r"^[A-Z][A-Z0-9 ,/&'()\-]{3,80}$")


@dataclass
class Sentence:
    """One sentence with the section context needed to label it."""

    section: str
    sublabel: str
    sep: str
    text: str


def normalise_header(header: str) -> str:
    """Upper-case a header, drop the colon and collapse whitespace."""
    return re.sub(r"\s+", " ", header.rstrip(":").strip()).upper()


def iter_sentences(text: str) -> Iterator[Sentence]:
    """Yield the sentences of a note with their section header and line label.

    A header line that starts a paragraph, or an uppercase header alone on its
    line, opens a new section; a ``HEADER: text`` or ``Label: value`` line
    inside a paragraph is a sub-label of the current section and keeps its
    label in the sentence text.
    """
    section = ""
    prev_blank = True
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            prev_blank = True
            continue
        header = _HEADER.match(line)
        if header and (prev_blank or not header.group(2).strip()):
            section = header.group(1).strip() + ":"
            line = header.group(2).strip()
        elif _TITLE.match(line) and prev_blank:
            section = line
            line = ""
        prev_blank = False
        if not line:
            continue
        label = _LABEL_LINE.match(line) or _AXIS_LINE.match(line)
        sublabel = label.group(1) if label else ""
        for i, sent in enumerate(split_sentences(line)):
            yield Sentence(section, sublabel, "\n" if i == 0 else " ", sent)


# --------------------------------------------------------------------------- #
# Labelling
# --------------------------------------------------------------------------- #
def header_labels(section: str) -> tuple[tuple[str, ...], bool]:
    """Labels for a section header and whether keyword rules apply in it."""
    norm = normalise_header(section)
    for pattern, labels, keywords_ok in HEADER_LABELS:
        if re.search(pattern, norm):
            return labels, keywords_ok
    return (), True


def weak_labels(sent: Sentence) -> list[str]:
    """Header/sub-label labels plus keyword-rule labels, in ELEMENTS order."""
    labels, keywords_ok = header_labels(sent.section)
    if sent.sublabel:
        norm = normalise_header(sent.sublabel)
        parent = normalise_header(sent.section)
        for pattern, parent_pattern, sub in SUBLABEL_LABELS:
            if re.search(pattern, norm) and (parent_pattern is None or re.search(parent_pattern, parent)):
                labels = sub
                break
    if BOILERPLATE.match(sent.text):
        labels = ()
    found = set(labels)
    if keywords_ok:
        for label, pattern, veto in KEYWORD_RULES:
            if re.search(pattern, sent.text, re.IGNORECASE) and not (
                veto and re.search(veto, sent.text, re.IGNORECASE)
            ):
                found.add(label)
    return [e for e in ELEMENTS if e in found]


def guess_population(note: dict[str, object]) -> str:
    """Guess the population from the patient's stated age and the note title."""
    text = str(note.get("text", ""))
    if re.search(r"\b\d{1,2}[- ]month[- ]old\b", text[:600]):
        return "child"
    age = re.search(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", text)
    if age:
        years = int(age.group(1))
        if years < 13:
            return "child"
        if years < 18:
            return "adolescent"
        if years >= 65:
            return "geriatric"
    if not age and re.search(r"\badolescent\b|\bteen(age|ager)?\b", text, re.IGNORECASE):
        return "adolescent"
    for field in ("sample_name", "description"):
        title = str(note.get(field, ""))
        if re.search(r"schizo|psychosis|psychotic|bipolar", title, re.IGNORECASE):
            return "smi"
        if re.search(r"substance|alcohol|heroin|detox|opioid|cocaine", title, re.IGNORECASE):
            return "sud"
    return "adult"


# --------------------------------------------------------------------------- #
# Note selection
# --------------------------------------------------------------------------- #
MENTAL_HEALTH = re.compile(
    r"psych|depress|anxi|suicid|bipolar|schizo|mental|dementia|alzheimer|substance|"
    r"alcohol(ism| abuse| dependence)|ADHD|attention deficit|PTSD|panic|insomnia|\bmood|"
    r"cognitive|confus|delirium|agitat|counsel|stress|Zoloft|Prozac|Lexapro|Celexa|Paxil|"
    r"Wellbutrin|Cymbalta|Effexor|Xanax|Ativan|Klonopin|Seroquel|Abilify|Risperdal|"
    r"trazodone|citalopram|sertraline|fluoxetine|overdose|heroin|cocaine|marijuana|detox",
    re.IGNORECASE,
)
N_GENERAL_SOAP = 30
N_GENERAL_OTHER = 10
MAX_GENERAL_WORDS = 700


def select_general(notes: Iterable[dict[str, object]]) -> list[dict[str, object]]:
    """Pick ~40 general notes with no mental-health content, deterministically.

    30 "SOAP / Chart / Progress Notes" and 10 of the other sample types, the
    lowest ids first, each at most MAX_GENERAL_WORDS words.
    """

    def key(note: dict[str, object]) -> int:
        return int(str(note["id"]).split("-")[-1])

    eligible = sorted(
        (
            n
            for n in notes
            if not MENTAL_HEALTH.search(str(n["text"])) and int(str(n.get("word_count", 0))) <= MAX_GENERAL_WORDS
        ),
        key=key,
    )
    soap = [n for n in eligible if n["specialty"] == "SOAP / Chart / Progress Notes"]
    other = [n for n in eligible if n["specialty"] != "SOAP / Chart / Progress Notes"]
    return soap[:N_GENERAL_SOAP] + other[:N_GENERAL_OTHER]


# --------------------------------------------------------------------------- #
# Records
# --------------------------------------------------------------------------- #
def note_records(note: dict[str, object], style: str) -> list[dict[str, object]]:
    """All sentence records of one note."""
    mts_id = str(note["id"])
    note_id = "mts-" + mts_id.removeprefix("mtsamples-")
    population = guess_population(note)
    return [
        {
            "note_id": note_id,
            "sent_id": i,
            "section": sent.section,
            "sep": sent.sep,
            "text": sent.text,
            "labels": weak_labels(sent),
            "source": "mtsamples",
            "style": style,
            "population": population,
            "mtsamples_id": mts_id,
            "checked": False,
        }
        for i, sent in enumerate(iter_sentences(str(note["text"])))
    ]


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Read a JSONL file (missing file -> empty list)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def apply_corrections(records: list[dict[str, object]], corrections: list[dict[str, object]]) -> int:
    """Apply hand corrections and 'reviewed' marks in place; return labels changed."""
    by_key = {(r["note_id"], r["sent_id"]): r for r in records}
    per_note = Counter(str(r["note_id"]) for r in records)
    changed = 0
    for corr in corrections:
        note_id = str(corr["note_id"])
        if corr.get("reviewed"):
            if per_note[note_id] != corr.get("n_sentences"):
                sys.exit(
                    f"{note_id}: reviewed with {corr.get('n_sentences')} sentences, "
                    f"now {per_note[note_id]}; re-check the note"
                )
            for rec in records:
                if rec["note_id"] == note_id:
                    rec["checked"] = True
            continue
        rec = by_key.get((note_id, corr["sent_id"]))
        if rec is None or rec["text"] != corr["text"]:
            sys.exit(f"correction does not match a record: {note_id} #{corr['sent_id']}")
        labels = list(corr["labels"])  # type: ignore[call-overload]
        unknown = set(labels) - set(ELEMENTS)
        if unknown:
            sys.exit(f"{note_id} #{corr['sent_id']}: unknown labels {sorted(unknown)}")
        new = [e for e in ELEMENTS if e in labels]
        if new != rec["labels"]:
            changed += 1
        rec["labels"] = new
    return changed


def build() -> tuple[list[dict[str, object]], int]:
    """Build all records (psych notes, then selected general notes)."""
    records: list[dict[str, object]] = []
    for note in read_jsonl(PSYCH_IN):
        records += note_records(note, f"mtsamples_{note['note_type']}")
    for note in select_general(read_jsonl(GENERAL_IN)):
        records += note_records(note, "mtsamples_general")
    changed = apply_corrections(records, read_jsonl(CORRECTIONS))
    return records, changed


def main() -> None:
    """Write the weakly labelled JSONL and print label counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    records, changed = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    counts = Counter(label for r in records for label in r["labels"])  # type: ignore[attr-defined]
    notes = {r["note_id"] for r in records}
    styles = Counter(r["style"] == "mtsamples_general" for r in records)
    print(
        f"wrote {args.out} ({len(records)} sentences, {len(notes)} notes; "
        f"{styles[False]} psych, {styles[True]} general sentences)"
    )
    for label in ELEMENTS:
        print(f"  {label:14s} {counts[label]}")
    print(f"  {'(none)':14s} {sum(1 for r in records if not r['labels'])}")
    print(
        f"checked: {sum(1 for r in records if r['checked'])} sentences in "
        f"{len({r['note_id'] for r in records if r['checked']})} notes; "
        f"corrections changed {changed} labels"
    )


if __name__ == "__main__":
    main()
