"""Outcomes of treatment (PHQ-9, GAD-7, ...) as plain Python: no Flask, no database.

- `series`: one treatment's outcome answers per scale, with the instrument file's rules;
- `classify`: caseness, recovery, reliable improvement, deterioration and recovery by the NHS
  Talking Therapies definitions, from the first (intake) and latest scores;
- `tally`: ended treatments counted as the national statistics count them;
- `reference`: England's published national rates, for a reference line;
- `plain`: a treatment's outcome and alliance in plain words, for reviewing progress with the patient.

The outcome flags are rules of the flag engine (`dashboards/flags/outcome.py`); the database side
loads the series (`dashboards/risk/outcome_series.py`) and counts a clinic's ended treatments
(`dashboards/outcome_stats.py`). See docs/outcomes.md.
"""

from dashboards.outcomes.classify import Change, Outcome, classify
from dashboards.outcomes.series import Measure, Measures, Score, build_measures

__all__ = ["Change", "Measure", "Measures", "Outcome", "Score", "build_measures", "classify"]
