"""The NHS Talking Therapies outcome definitions, on worked examples with the real instrument rules
(PHQ-9: caseness ≥ 10, reliable change 6; GAD-7: caseness ≥ 8, reliable change 4)."""

import datetime

import pytest

from dashboards.outcomes import build_measures, classify
from dashboards.outcomes.tally import Ended, tally

from .measures import both, gad7, instrument, phq9


def kinds(outcome) -> dict[str, bool]:
    return {"case": outcome.case_at_start, "recovered": outcome.recovered,
            "improved": outcome.reliably_improved, "deteriorated": outcome.reliably_deteriorated,
            "reliably_recovered": outcome.reliably_recovered}


@pytest.mark.parametrize(("phq", "gad", "expected"), [
    # Both fall reliably to below the cut-offs: recovered, reliably improved, reliably recovered.
    ([15, 8], [10, 5], dict(case=True, recovered=True, improved=True, deteriorated=False, reliably_recovered=True)),
    # Below the cut-offs at the end, but by less than a reliable change: recovery without reliable recovery.
    ([12, 9], [9, 7], dict(case=True, recovered=True, improved=False, deteriorated=False, reliably_recovered=False)),
    # Not a case at the start; a reliable rise on one measure, none on the other: deterioration.
    ([8, 15], [6, 5], dict(case=False, recovered=False, improved=False, deteriorated=True, reliably_recovered=False)),
    # A reliable fall on one and a reliable rise on the other: neither improved nor deteriorated.
    ([16, 9], [10, 15], dict(case=True, recovered=False, improved=False, deteriorated=False,
                             reliably_recovered=False)),
    # Reliable improvement on one measure while still a case on the other: improved, not recovered.
    ([18, 11], [12, 11], dict(case=True, recovered=False, improved=True, deteriorated=False,
                              reliably_recovered=False)),
])
def test_worked_examples(phq, gad, expected):
    assert kinds(classify(both(phq, gad).values())) == expected


def test_the_cut_offs_and_the_reliable_change_are_inclusive():
    # PHQ-9 10 is a case, 9 is not; a change of exactly 6 is reliable, 5 is not.
    assert classify([phq9([10, 4])]).reliably_recovered
    assert not classify([phq9([9, 3])]).case_at_start
    assert not classify([phq9([15, 10])]).reliably_improved
    assert classify([gad7([8, 4])]).reliably_recovered  # GAD-7: 8 a case, 4 points reliable


def test_first_and_latest_scores_count_not_the_ones_between():
    assert classify([phq9([15, 25, 3, 14])]).reliably_improved is False  # 15 -> 14
    assert classify([phq9([15, 14, 14, 8])]).reliably_improved is True


def test_through_a_session_reads_the_scores_up_to_it():
    measure = phq9([15, 12, 8, 16])
    assert classify([measure], through=3).reliably_improved
    assert not classify([measure], through=4).reliably_improved
    assert classify([measure], through=4).last_session == 4


def test_a_measure_without_paired_scores_is_left_out_and_none_means_no_outcome():
    one = phq9([15])
    assert not classify([one]).paired
    assert kinds(classify([one])) == dict(case=False, recovered=False, improved=False, deteriorated=False,
                                          reliably_recovered=False)
    only_gad = classify([one, gad7([12, 6])])
    assert [c.measure.scale for c in only_gad.changes] == ["gad7"] and only_gad.reliably_recovered


def test_measures_are_built_from_stored_scores_and_an_unscored_total_is_never_zero():
    phq, gad = instrument("phq-9"), instrument("gad-7")
    day = datetime.date(2024, 1, 1)
    rows = [(2, day, phq, {"phq9": 9}), (1, day, phq, {"phq9": 14}), (1, day, gad, {"gad7": None}),
            (3, day, gad, {"gad7": 7.0}), (3, day, phq, {"phq9": True})]
    measures = build_measures(rows)
    assert [(s.session_number, s.total) for s in measures["phq9"].scores] == [(1, 14.0), (2, 9.0)]
    assert [(s.session_number, s.total) for s in measures["gad7"].scores] == [(3, 7.0)]
    assert (measures["phq9"].name, measures["gad7"].name) == ("PHQ-9", "GAD-7")
    assert (measures["phq9"].top, measures["gad7"].top) == (27.0, 21.0)  # the sums of the items' maxima


def test_the_tally_counts_recovery_among_cases_and_improvement_among_all_paired():
    ended = [
        Ended(classify(both([15, 8], [10, 5]).values()), dropped_out=False),  # reliably recovered
        Ended(classify(both([8, 15], [6, 5]).values()), dropped_out=True),  # deteriorated, not a case at start
        Ended(classify(both([12, 9], [9, 7]).values()), dropped_out=False),  # recovered, not reliably
        Ended(classify([phq9([14])]), dropped_out=True),  # no paired scores: counted apart
    ]
    found = tally(ended)
    assert (found.ended, found.unpaired, found.paired, found.at_caseness) == (4, 1, 3, 2)
    assert found.of("reliable_improvement") == (1, 3)
    assert found.of("reliable_deterioration") == (1, 3)
    assert found.of("recovery") == (2, 2)
    assert found.of("reliable_recovery") == (1, 2)
    assert (found.deteriorated, found.not_deteriorated) == ((1, 1), (0, 2))
