"""PHQ-9 and GAD-7 as shipped: exact published wording, scored by their own rules (worked
examples from the published scoring), and the rules expressed in the files, not in code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from feedback.instruments.loader import BUILTIN_DIR, InstrumentError, load_file, parse_instrument
from feedback.instruments.outcomes import (
    DETERIORATION,
    IMPROVEMENT,
    ErrorRange,
    band,
    is_case,
    reliable_change,
    within_error,
)
from feedback.instruments.scoring import score

PHQ9 = load_file(BUILTIN_DIR / "phq-9.yaml")
GAD7 = load_file(BUILTIN_DIR / "gad-7.yaml")


def answers(instrument, values):
    items = [item.id for item in instrument.items if item.type == "likert"]
    return dict(zip(items, values, strict=True))


def test_the_published_wording_and_response_options():
    assert PHQ9.intro["en"] == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert PHQ9.item("phq9_9").text["en"] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert GAD7.item("gad7_7").text["en"] == "Feeling afraid, as if something awful might happen"
    for instrument in (PHQ9, GAD7):
        likert = [item for item in instrument.items if item.type == "likert"]
        assert {tuple(sorted(item.anchors)) for item in likert} == {(0, 1, 2, 3)}
        assert [likert[0].anchors[i]["en"] for i in range(4)] == [
            "Not at all", "Several days", "More than half the days", "Nearly every day"]
        assert "No permission required to reproduce, translate, display or distribute" in instrument.licence
        assert instrument.purpose == "outcome" and instrument.respondent == "patient"
    assert [item.id for item in PHQ9.risk_items] == ["phq9_9"] and GAD7.risk_items == ()


@pytest.mark.parametrize(("instrument", "values", "total", "severity", "case"), [
    (PHQ9, [0] * 9, 0, "None to minimal", False),
    (PHQ9, [1] * 9, 9, "Mild", False),           # 9 × "several days"
    (PHQ9, [2, 2, 2, 1, 1, 1, 1, 0, 0], 10, "Moderate", True),
    (PHQ9, [2] * 7 + [1, 0], 15, "Moderately severe", True),
    (PHQ9, [3] * 9, 27, "Severe", True),
    (GAD7, [1] * 7, 7, "Mild", False),           # one below GAD-7 caseness
    (GAD7, [2, 1, 1, 1, 1, 1, 1], 8, "Mild", True),
    (GAD7, [2] * 5 + [0, 0], 10, "Moderate", True),
    (GAD7, [3] * 7, 21, "Severe", True),
])
def test_totals_bands_and_caseness(instrument, values, total, severity, case):
    scale_id, rules = next((sid, s.outcome) for sid, s in instrument.scales.items())
    assert score(instrument, answers(instrument, values))[scale_id] == total
    assert band(rules, total).label["en"] == severity
    assert is_case(rules, total) is case


def test_the_difficulty_question_is_asked_but_not_scored():
    assert "phq9_difficulty" not in PHQ9.scales["phq9"].items
    assert score(PHQ9, {**answers(PHQ9, [1] * 9), "phq9_difficulty": "very"})["phq9"] == 9


def test_no_total_from_a_missing_item():
    partial = answers(PHQ9, [1] * 9)
    del partial["phq9_4"]
    assert score(PHQ9, partial)["phq9"] is None  # never prorated


@pytest.mark.parametrize(("rules", "before", "after", "change"), [
    (PHQ9.scales["phq9"].outcome, 18, 12, IMPROVEMENT),    # 6 points: reliable
    (PHQ9.scales["phq9"].outcome, 18, 13, None),           # 5 points: within measurement error
    (PHQ9.scales["phq9"].outcome, 8, 14, DETERIORATION),
    (GAD7.scales["gad7"].outcome, 15, 11, IMPROVEMENT),
    (GAD7.scales["gad7"].outcome, 15, 12, None),
    (GAD7.scales["gad7"].outcome, 5, 9, DETERIORATION),
])
def test_reliable_change_by_the_talking_therapies_sizes(rules, before, after, change):
    assert reliable_change(rules, before, after) == change


def test_within_error_is_exactly_what_reliable_change_calls_no_change():
    rules = PHQ9.scales["phq9"].outcome
    # 15 → 9 and 15 → 21 are reliable changes (6 points); 10 to 20 are not.
    assert within_error(rules, 15, 0, 27) == ErrorRange(low=10, high=20, below=9, above=21)
    assert within_error(rules, 3, 0, 27) == ErrorRange(low=0, high=8, below=None, above=9)  # no reliable fall
    assert within_error(rules, 24, 0, 27) == ErrorRange(low=19, high=27, below=18, above=None)
    odd = dataclasses.replace(rules, reliable_change=5.5)  # the schema allows any positive size
    for size_rules in (rules, odd, GAD7.scales["gad7"].outcome):
        for before in range(28):
            found = within_error(size_rules, before, 0, 27)
            for after in range(28):
                assert (found.low <= after <= found.high) == (reliable_change(size_rules, before, after) is None)
            assert found.below is None or reliable_change(size_rules, before, found.below) is not None
            assert found.above is None or reliable_change(size_rules, before, found.above) is not None
    assert within_error(dataclasses.replace(rules, reliable_change=None), 15) is None


def test_every_number_names_its_source():
    for instrument in (PHQ9, GAD7):
        (scale,) = instrument.scales.values()
        assert "Kroenke" in scale.outcome.source or "Spitzer" in scale.outcome.source
        assert "NHS Talking Therapies" in scale.outcome.source


def test_the_rules_are_data_a_clinic_can_write(tmp_path: Path):
    raw = yaml.safe_load((BUILTIN_DIR / "gad-7.yaml").read_text())
    raw["scales"]["gad7"]["outcome"]["bands"].reverse()
    with pytest.raises(InstrumentError, match="lowest total up"):
        parse_instrument(raw, "reversed.yaml")
    raw = yaml.safe_load((BUILTIN_DIR / "gad-7.yaml").read_text())
    raw["items"][-1]["risk"] = True
    with pytest.raises(InstrumentError, match="only a likert item can be a risk item"):
        parse_instrument(raw, "risky.yaml")
