"""The norms the engine gets are the shipped patient instrument's, the one source of truth."""

from pathlib import Path

import pytest

from dashboards.demo.cohort import DEFAULT_NORMS
from feedback.instruments.loader import load_file

PATIENT_FORM = (Path(__file__).resolve().parents[2]
                / "feedback" / "instruments" / "data" / "post-session-patient.yaml")


@pytest.fixture(scope="module")
def shipped():
    return {scale_id: scale.norms for scale_id, scale in load_file(PATIENT_FORM).scales.items()}


def test_the_engine_norms_are_the_shipped_instruments_norms(shipped):
    assert set(shipped) == set(DEFAULT_NORMS)
    for scale_id, norm in DEFAULT_NORMS.items():
        theirs = shipped[scale_id]
        assert (norm.sd, norm.reliability, norm.low_cutoff, norm.source) == (
            theirs.sd, theirs.reliability, theirs.low_cutoff, theirs.source), scale_id


def test_the_norms_say_they_are_provisional_and_name_their_source(shipped):
    for norms in shipped.values():
        assert norms.source.startswith("Provisional pending validation")
        assert "Duncan et al. 2003" in norms.source and "project assumption" in norms.source


def test_the_reliabilities_are_session_to_session_figures_from_the_literature(shipped):
    # Published session-to-session test-retest for brief session-level alliance ratings: .54-.70
    # (Duncan et al. 2003; Campbell & Hemsley 2009). Internal consistency (about .9) would make
    # ordinary week-to-week wobble look like change.
    assert all(0.54 <= norms.reliability <= 0.70 for norms in shipped.values())
