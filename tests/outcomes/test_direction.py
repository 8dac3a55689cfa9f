"""A clinic's own outcome measure whose higher scores are better (`higher_is: better`, which the
instrument schema allows): every sentence, caption, flag reason and chart shading reads its
direction and caseness from the instrument's rules, never assuming that higher is worse."""

from __future__ import annotations

import dataclasses
import datetime

import yaml

from dashboards.charts.outcome import outcome_chart
from dashboards.flags import evaluate
from dashboards.flags.briefs import brief
from dashboards.outcomes import build_measures, plain
from feedback.instruments.loader import parse_instrument
from tests.flags.builders import day, find, history, patient, session

from .measures import gad7, phq9

#: A made-up five-item wellbeing scale (0 to 20): at or below 7 is a clinical case, 4 points a reliable change.
WELLBEING = parse_instrument(yaml.safe_load("""
id: wb-5
version: 1
purpose: outcome
title: "Wellbeing (a test measure)"
respondent: patient
languages: [en]
items:
""" + "".join(f"""
  - {{id: wb_{n}, type: likert, text: "Wellbeing question {n}", min: 0, max: 4,
      anchors: {{0: "None of the time", 4: "All of the time"}}}}""" for n in range(1, 6)) + """
scales:
  wb:
    items: [wb_1, wb_2, wb_3, wb_4, wb_5]
    scoring: sum
    outcome:
      higher_is: better
      bands:
        - {from: 0, label: "Low"}
        - {from: 8, label: "Average"}
        - {from: 14, label: "High"}
      caseness: 7
      reliable_change: 4
      source: "A made-up measure for tests."
"""), "wb-5.yaml")


def wellbeing(totals: list[float]):
    start = datetime.date(2024, 1, 1)  # as tests/flags/builders.py: session n is held weekly from here
    rows = [(n, start + datetime.timedelta(weeks=n - 1), WELLBEING, {"wb": t}) for n, t in enumerate(totals, 1)]
    return build_measures(rows)["wb"]


def treatment(measures, sessions: int):
    h = history(*(session(n, patient()) for n in range(1, sessions + 1)))
    return dataclasses.replace(h, outcomes=measures)


def test_the_test_measure_is_read_as_higher_is_better():
    m = wellbeing([5, 12])
    assert (m.name, m.top, m.rules.higher_is, m.rules.caseness) == ("WB-5", 20.0, "better", 7)


def test_the_review_says_a_rise_is_an_improvement_and_a_high_score_is_out_of_the_clinical_range():
    said = review_measure(wellbeing([5, 12])).sentences
    assert "That is a clear improvement: a change of 4 points or more" in " ".join(said)
    assert ("Scores of 7 or less are in the range where services usually offer treatment for this; your latest "
            "score is above it.") in said


def test_the_review_says_a_fall_is_a_worsening_and_a_low_score_is_in_the_clinical_range():
    said = review_measure(wellbeing([12, 6])).sentences
    assert ("Your score has gone down by 4 points or more, more than ordinary ups and downs explain. This is worth "
            "talking about together.") in said
    assert not any("gone up" in s for s in said)
    assert ("Scores of 7 or less are in the range where services usually offer treatment for this; your latest "
            "score is in that range.") in said


def test_the_phq9_review_keeps_its_words():
    said = review_measure(phq9([9, 16])).sentences
    assert "Your score has gone up by 6 points or more, more than ordinary ups and downs explain. This is worth " \
           "talking about together." in said
    assert ("Scores of 10 or more are in the range where services usually offer treatment for this; your latest "
            "score is in that range.") in said
    assert review_measure(phq9([15, 8])).sentences[-1].endswith("your latest score is below it.")


def review_measure(measure):
    """The review's sentences in English, as an English page says them."""
    found = plain.review_measure(measure)
    return dataclasses.replace(found, sentences=tuple(map(str, found.sentences)))


def chart_caption(measures):
    return str(plain.chart_caption(measures))


def test_the_review_chart_caption_says_which_way_is_better_for_each_questionnaire():
    assert chart_caption([phq9([9]), gad7([6])]) == (
        "Your scores by session; a lower questionnaire score means fewer difficulties")
    assert chart_caption([wellbeing([5])]) == (
        "Your scores by session; a higher questionnaire score means things are going better")
    assert chart_caption([phq9([9]), gad7([6]), wellbeing([5])]) == (
        "Your scores by session; on the PHQ-9 and GAD-7 a lower score means fewer difficulties, on the WB-5 a "
        "higher score means things are going better")


def test_a_reliable_fall_is_the_deterioration_flag_and_says_it_fell():
    (event,) = find(evaluate(treatment({"wb": wellbeing([12, 8, 6])}, 3), day(3)), "reliable_deterioration")
    assert event.reason.startswith("WB-5 fell from 12 at session 1 to 6 at session 3: 6 points, at least the 4")


def test_the_other_measures_change_is_named_by_which_way_it_went():
    measures = {"phq9": phq9([9, 16, 16]), "wb": wellbeing([12, 8, 8])}  # both reliably worse
    (event,) = find(evaluate(treatment(measures, 3), day(3)), "reliable_deterioration")
    assert event.reason.startswith("PHQ-9 rose from 9") and "(WB-5 12 → 8, a reliable fall)" in event.reason


def test_still_a_case_means_at_or_below_the_cut_off_and_the_deepest_case_leads():
    measures = {"phq9": phq9([12] * 9), "wb": wellbeing([2] * 9)}  # PHQ-9 just past 10; WB-5 far below 7
    (event,) = find(evaluate(treatment(measures, 9), day(9)), "no_reliable_improvement")
    assert event.reason.startswith("After 9 attended sessions WB-5 is 2 (it was 2 at session 1), still at or below "
                                   "the clinical cut-off of 7, with no reliable improvement")


def test_recovery_names_the_side_of_each_cut_off():
    measures = {"phq9": phq9([12, 5, 5]), "wb": wellbeing([5, 12, 12])}
    (event,) = find(evaluate(treatment(measures, 3), day(3)), "recovery")
    assert "out of the clinical range on every measure (PHQ-9 below 10 and WB-5 above 7)" in event.reason
    assert event.reason.startswith("At a clinical level at the start (WB-5 5 at session 1)")  # the deeper case
    assert str(brief(event.code, None, 3, event.numbers, event.reason)) == "Out of the clinical range: WB-5 12, was 5"


def test_the_chart_shades_the_low_bands_darkest_when_higher_is_better():
    stripes = {s["y0"]: s["fillcolor"] for s in outcome_chart(treatment({"wb": wellbeing([5, 9])}, 2))["layout"]["shapes"]
               if s["type"] == "rect"}
    alpha = {start: float(colour.rsplit(",", 1)[1].rstrip(")")) for start, colour in stripes.items()}
    assert alpha[0] > alpha[8] > alpha[14]  # "Low" wellbeing is the most severe band
    phq = {s["y0"]: s["fillcolor"] for s in outcome_chart(treatment({"phq9": phq9([5, 9])}, 2))["layout"]["shapes"]
           if s["type"] == "rect"}
    assert phq[0] < phq[20]  # PHQ-9: "Severe" darkest, as before
