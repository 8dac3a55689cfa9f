"""The outcome part of the generative model: PHQ-9 and GAD-7 totals over a treatment, each number with
where it comes from (a published figure, or "project assumption" / "scenario" and why).

Independent of the engine and of the instrument files' rules: nothing here is taken from the
caseness or reliable-change values the flags read, so the harness shows how often a flag fires
for patients whose true course is known. Classical test theory: an answer is the patient's true
level plus an error whose variance is (1 − r) of the observed variance, r the test–retest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from dashboards.validity.parameters import sourced

INTAKE_SOURCE = ("UK primary-care psychological therapy services, patients depressed at entry to treatment: "
                 "pre-treatment PHQ-9 M 15.47, SD 4.29 (Europe PMC author manuscript EMS82827, Table 3, "
                 "https://pmc.ncbi.nlm.nih.gov/articles/mid/EMS82827/)")


@dataclass(frozen=True)
class OutcomeParameters:
    phq9_intake_mean: float = sourced(15.47, INTAKE_SOURCE)
    phq9_intake_sd: float = sourced(4.29, INTAKE_SOURCE)
    phq9_retest_r: float = sourced(0.84, (
        "Kroenke, Spitzer & Williams 2001 (J Gen Intern Med 16:606-613): 48-hour test-retest reliability of "
        "the PHQ-9 .84"))
    gad7_retest_r: float = sourced(0.83, (
        "Spitzer, Kroenke, Williams & Löwe 2006 (Arch Intern Med 166:1092-1097): GAD-7 test-retest "
        "intraclass correlation .83"))
    gad7_scale: float = sourced(21 / 27, (
        "project assumption, because no GAD-7 intake distribution from the same services was found: the "
        "GAD-7's intake mean and SD are the PHQ-9's scaled by the ratio of the ranges (0-21 to 0-27)"))
    measures_r: float = sourced(0.7, (
        "project assumption, because depression and anxiety symptoms mostly come and go together "
        "(comorbidity is the rule in primary-care psychological therapy): the correlation of a patient's "
        "true PHQ-9 and GAD-7 levels at intake, assumed; in the improving and deteriorating groups both "
        "measures move"))
    change_sd: float = sourced(1.5, (
        "scenario, as issue 15's slow decline: the improving and deteriorating groups' true level moves by "
        "1.5 intake SDs (PHQ-9 about 6.4 points), larger than the average pre-post change of 0.86 SD in "
        "the same services (EMS82827, Table 3), which mixes patients who improve with those who do not"))
    change_sessions: int = sourced(10, (
        "scenario: the change builds up evenly over sessions 2-11, then stays (the issue's 20 sessions)"))

    def measure(self, scale: str) -> tuple[float, float, float]:
        """(intake mean, true between-person SD, error SD) of one measure, "phq9" or "gad7"."""
        mean, sd, r = self.phq9_intake_mean, self.phq9_intake_sd, self.phq9_retest_r
        if scale == "gad7":
            mean, sd, r = mean * self.gad7_scale, sd * self.gad7_scale, self.gad7_retest_r
        return mean, sd * math.sqrt(r), sd * math.sqrt(1 - r)


DEFAULT_OUTCOME_PARAMETERS = OutcomeParameters()


def outcome_sources(p: OutcomeParameters = DEFAULT_OUTCOME_PARAMETERS) -> list[tuple[str, Any, str]]:
    return [(f.name, getattr(p, f.name), f.metadata.get("source", "")) for f in fields(p)]
