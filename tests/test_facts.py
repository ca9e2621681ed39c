"""Session facts from facts.toml: attendees, modality, consent, complexity, E/M work, crisis, signature."""

from __future__ import annotations

import pytest

from cptnlp.errors import DataFileError
from cptnlp.nlp.facts import facts_summary, find_facts, parse_fact_rules


def summary(text: str) -> dict:
    return facts_summary(find_facts(text))


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("Client and mother attended.", True),
        ("Identified client: Olivia S., 15\nPresent: Olivia, mother (Karen S.)", True),
        ("Client: Darius M., 23\nAttendees: Mother and sister. Darius did not attend today.", False),
        ("Family session held without him.", False),
        ("Family reviewed the plan.", None),
    ],
)
def test_facts_client_present(text: str, present: bool | None) -> None:
    assert summary(text)["client_present"] is present


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Session conducted via Zoom video.", "video"),
        ("Audio-only (phone) session.", "audio_only"),
        ("Seen in person in the office.", "in_person"),
        ("Problem-solved a video-call schedule with the children.", None),
        ("He plays video games at night.", None),
    ],
)
def test_facts_modality(text: str, modality: str | None) -> None:
    assert summary(text)["modality"] == modality


def test_facts_telehealth_location_and_consent() -> None:
    s = summary("Video session. Client located at home in Dayton, OH. Verbal consent for telehealth obtained.")
    assert (s["telehealth"], s["client_location"], s["telehealth_consent"]) == (True, True, True)


def test_facts_interpreter_is_not_a_complexity_factor() -> None:
    s = summary("Spanish interpreter present for the whole session due to a language barrier.")
    assert s["interpreter"] is True
    assert s["complexity_factors"] == []


def test_facts_em_work() -> None:
    assert summary("MDM moderate; continue sertraline 100 mg.")["em_work"] is True
    assert summary("Used CBT for worry.")["em_work"] is False


def test_facts_signature_credentials() -> None:
    assert summary("Electronically signed: Jane Doe, LCSW 05/01/2025")["signature"] == "LCSW"
    assert summary("No signature here.")["signature"] is None


def test_facts_crisis_routine_ignores_next_scheduled_session() -> None:
    assert not find_facts("Next scheduled session 07/21/2025.").get("crisis_routine")
    assert find_facts("Client arrived for her regularly scheduled weekly session.").get("crisis_routine")


def test_facts_hit_spans_index_text() -> None:
    text = "Identified client: Olivia S.\nPresent: Olivia, mother"
    (hit,) = find_facts(text)["client_present"]
    assert text[hit.start : hit.end] == "Present: Olivia"


@pytest.mark.parametrize(
    ("toml", "expect"),
    [
        ('[[rule]]\nfact = "nope"\nvalue = "true"\npattern = "x"\n', "not one of"),
        ('[[rule]]\nfact = "risk"\nvalue = "true"\npattern = "(unclosed"\n', "invalid regular expression"),
        ('[[rule]]\nfact = "risk"\nvalue = "true"\n', "pattern"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_facts_bad_rules_raise_data_file_error(toml: str, expect: str) -> None:
    with pytest.raises(DataFileError, match=expect) as exc:
        parse_fact_rules(toml, "facts.toml")
    assert "facts.toml" in str(exc.value)


def test_case_insensitive_fact_patterns_must_be_lower_case() -> None:
    from cptnlp.errors import DataFileError
    from cptnlp.nlp.facts import parse_fact_rules

    bad = "[[rule]]\nfact = 'risk'\nvalue = 'true'\npattern = 'Suicid\\w*'\n"
    with pytest.raises(DataFileError, match=r"row 1.*lower case"):
        parse_fact_rules(bad, "facts.toml")


def test_facts_found_on_text_whose_lower_case_changes_length() -> None:
    """'İ' lower-cases to two characters: the rules fall back to IGNORECASE on the original text."""
    from cptnlp.nlp.facts import find_facts

    text = "İlknur denies SI/HI today."
    hits = find_facts(text)["risk"]
    assert hits and all(text[h.start : h.end].strip() for h in hits)
    assert any(text[h.start : h.end] == "SI/HI" for h in hits)


@pytest.mark.parametrize(
    "text",
    ["Identified patient (Tyler, 15) not present - at school.", "The client (age 9) was not present today."],
)
def test_client_absent_with_a_parenthetical_after_the_noun(text: str) -> None:
    from cptnlp.nlp.facts import find_facts

    assert find_facts(text).get("client_absent")


@pytest.mark.parametrize(("text", "cred"), [("M. Okafor, MD (Psychiatry)", "MD"), ("J. Smith-Lee, PhD", "PhD")])
def test_signature_with_an_initial_first(text: str, cred: str) -> None:
    from cptnlp.nlp.facts import facts_summary, find_facts

    assert facts_summary(find_facts(text))["signature"] == cred
