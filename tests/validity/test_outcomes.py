"""The outcome part of the harness: sourced parameters, a generator that reproduces them, the
answers scored by the app's scorer, and the outcome flags' table. Never that the flags meet a target."""

import dataclasses
import json
import random
import re
import statistics

import pytest
from click.testing import CliRunner

from dashboards.validity.cli import validate_flags_command
from dashboards.validity.forms import builtin_forms
from dashboards.validity.outcome_parameters import DEFAULT_OUTCOME_PARAMETERS, OutcomeParameters
from dashboards.validity.outcomes import (
    OUTCOME_CODES,
    OUTCOME_GROUPS,
    SCALES,
    generate_outcome_patient,
    outcome_forms,
    run_outcomes,
    spread,
)
from dashboards.validity.report import run, to_json, to_markdown
from tests.validity.store_replay import assert_store_notifies_what_the_replay_notifies

FORMS = builtin_forms()
CITED = re.compile(r"\b(19|20)\d\d\b|\bissue 1[57]\b|https://")  # a year, the issue, or a link


def test_every_outcome_parameter_cites_a_source_or_says_why_it_is_assumed():
    for f in dataclasses.fields(OutcomeParameters):
        source = f.metadata.get("source", "")
        assumed = source.startswith(("project assumption, because", "scenario"))
        assert CITED.search(source) or (assumed and len(source) > 60), f.name


def test_the_published_figures_are_the_ones_used():
    p = DEFAULT_OUTCOME_PARAMETERS
    assert (p.phq9_intake_mean, p.phq9_intake_sd, p.phq9_retest_r, p.gad7_retest_r) == (15.47, 4.29, 0.84, 0.83)
    mean, true_sd, error_sd = p.measure("phq9")
    assert abs((true_sd**2 + error_sd**2) ** 0.5 - 4.29) < 1e-9 and abs(true_sd**2 / 4.29**2 - 0.84) < 1e-9


def cohort(group: str, n: int = 150, seed: int = 11):
    return [generate_outcome_patient(group, i, seed, FORMS) for i in range(n)]


def totals(patient, scale="phq9"):
    return [s.total for s in patient.history.outcomes[scale].scores]


def test_the_generator_reproduces_the_intake_distribution_and_the_test_retest():
    result = run_outcomes(150, 11, groups=("stable_outcome",))
    mean, sd = result.intake["phq9"]
    assert abs(mean - 15.47) < 1.0 and abs(sd - 4.29) < 0.7
    assert abs(result.retest["phq9"] - 0.84) < 0.05 and abs(result.retest["gad7"] - 0.83) < 0.05


def test_answers_are_whole_scored_totals_within_the_scale_on_answered_sessions_only():
    for patient in cohort("deteriorating", 20):
        answered = {s.number for s in patient.history.sessions if s.patient is not None and s.patient.answered}
        for scale, top in (("phq9", 27), ("gad7", 21)):
            scores = patient.history.outcomes[scale].scores
            assert {s.session_number for s in scores} == answered
            assert all(s.total == int(s.total) and 0 <= s.total <= top for s in scores)


def test_the_groups_move_as_designed():
    def change(group):
        return statistics.fmean(totals(p)[-1] - totals(p)[0] for p in cohort(group))
    assert change("improving") < -5 and abs(change("stable_outcome")) < 1 and change("deteriorating") > 5


def test_a_seed_gives_the_same_patients():
    assert totals(generate_outcome_patient("improving", 3, 7, FORMS)) == totals(
        generate_outcome_patient("improving", 3, 7, FORMS))


def test_the_report_has_the_outcome_table_and_json():
    result = run(patients_per_group=6, seed=3, groups=("stable",))
    text = to_markdown(result)
    assert "### Outcome flags" in text
    header = next(line for line in text.splitlines() if line.startswith("| code | improving"))
    assert header == "| code | " + " | ".join(OUTCOME_GROUPS) + " |"
    assert all(f"| `{code}` |" in text for code in OUTCOME_CODES)
    assert "Kroenke, Spitzer & Williams 2001" in text
    data = json.loads(to_json(result))
    assert [g["group"] for g in data["outcomes"]["groups"]] == list(OUTCOME_GROUPS)


def test_the_command_takes_outcome_groups_and_refuses_unknown_ones():
    found = CliRunner().invoke(validate_flags_command, ["--patients-per-group", "4", "--groups", "deteriorating"])
    assert found.exit_code == 0, found.output
    assert "### Outcome flags" in found.output and "| group | n |" not in found.output
    refused = CliRunner().invoke(validate_flags_command, ["--groups", "getting_better"])
    assert refused.exit_code != 0 and "unknown group(s) getting_better" in refused.output


@pytest.mark.parametrize("group", OUTCOME_GROUPS)
def test_the_store_notifies_the_outcome_flags_the_replay_notifies(app, make_patient, group):
    """As test_production_path for the alliance: the outcome answers stored as the survey stores them,
    re-evaluated by the flag store day by day, notify what the in-memory replay notifies."""
    simulated = generate_outcome_patient(group, index=3, seed=7, forms_=FORMS)
    rng = random.Random(0)  # noqa: S311
    answers: dict[int, list] = {}
    for form, instrument in outcome_forms().items():
        scale = SCALES[form]
        for s in simulated.history.outcomes[scale].scores:
            answers.setdefault(s.session_number, []).append(
                (instrument, spread(rng, instrument.scales[scale].items, int(s.total))))
    patient = make_patient()
    days = assert_store_notifies_what_the_replay_notifies(patient, simulated, FORMS, outcomes=answers)
    seen = set()
    for day in days:
        seen.update(code for code in day.positives + tuple(c for c, _ in day.current) if code in OUTCOME_CODES)
    assert seen  # each group's patient shows at least one outcome flag along the way
