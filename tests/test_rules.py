"""Code table: loading, bands, crisis units, and DataFileError naming file, row and expectation."""

from __future__ import annotations

import datetime as dt

import pytest

from cptnlp.errors import DataFileError
from cptnlp.rules import load_code_table, parse_code_table, parse_codes

HEAD = """
[sources]
apa = "APA"
[crisis]
first_code = "90839"
addon_code = "90840"
first_min = 30
addon_from = 75
addon_step = 30
source = "x"
[[code]]
code = "90839"
summary = "crisis"
kind = "crisis"
time_based = true
min_minutes = 30
source = "apa"
[[code]]
code = "90840"
summary = "crisis add-on"
kind = "crisis_addon"
time_based = true
min_minutes = 75
addon = true
primaries = ["90839"]
source = "apa"
"""


def test_rules_table_bands() -> None:
    t = load_code_table()
    assert (t.codes["90834"].min_minutes, t.codes["90834"].max_minutes) == (38, 52)
    assert t.codes["90837"].in_band(53) and not t.codes["90837"].in_band(52)
    assert t.codes["90806"].is_deleted(dt.date(2025, 6, 1))
    assert t.codes["90806"].successor_kind == "psychotherapy"


@pytest.mark.parametrize(("minutes", "codes"), [(29, []), (30, ["90839"]), (74, ["90839"]), (95, ["90839", "90840"])])
def test_rules_crisis_units(minutes: int, codes: list[str]) -> None:
    assert load_code_table().crisis.codes_for(minutes) == codes


def test_rules_parse_minimal_table() -> None:
    t = parse_code_table(cpt_text=HEAD)
    assert set(t.codes) == {"90839", "90840"}


@pytest.mark.parametrize(
    ("row", "expect"),
    [
        ('code = "9083"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"', "five characters"),
        ('code = "90834"\nsummary = "s"\nkind = "nonsense"\nsource = "apa"', "kind 'nonsense' not one of"),
        ('code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "nobody"', "not defined in \\[sources\\]"),
        (
            'code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\nmin_minutes = 50\nmax_minutes = 40',
            "low <= high",
        ),
        ('code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\ncolour = "red"', "colour"),
        ('code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\nmin_minutes = "38"', "min_minutes"),
        ('code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\ndeleted = "yesterday"', "YYYY-MM-DD"),
        (
            'code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\nsuccessor_kind = "psychotherapy"',
            "only allowed on deleted",
        ),
        ('code = "90834"\nsummary = "s"\nkind = "psychotherapy"\nsource = "apa"\naddon = true', "need primaries"),
    ],
)
def test_rules_bad_row_names_file_row_and_expectation(row: str, expect: str) -> None:
    with pytest.raises(DataFileError, match=expect) as exc:
        parse_code_table(cpt_text=HEAD + "[[code]]\n" + row + "\n")
    assert "cpt_codes.toml" in str(exc.value)
    assert exc.value.row is not None and str(exc.value.row).startswith("3")


def test_rules_duplicate_code() -> None:
    with pytest.raises(DataFileError, match="duplicate code 90839"):
        parse_code_table(cpt_text=HEAD + '[[code]]\ncode = "90839"\nsummary = "s"\nkind = "crisis"\nsource = "apa"\n')


def test_rules_not_toml() -> None:
    with pytest.raises(DataFileError, match=r"cpt_codes\.toml"):
        parse_code_table(cpt_text="[[code]\n")


def test_rules_bad_pairs_group() -> None:
    with pytest.raises(DataFileError, match=r"pairs\.toml"):
        parse_code_table(
            pairs_text='[[pair]]\na = "@nogroup"\nb = "90834"\nindicator = 0\nreason = "x"\nsource = "x"\n'
        )


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("90834 90785", ("90834", "90785")),
        ("90834,90785", ("90834", "90785")),
        (["90834", "+90785"], ("90834", "90785")),
        (None, ()),
    ],
)
def test_rules_parse_codes(value, codes) -> None:
    assert parse_codes(value) == codes
