"""The norms the engine gets are the shipped patient instrument's, the one source of truth."""

from pathlib import Path

import pytest

from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import s_diff
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


def test_the_norms_say_they_are_provisional(shipped):
    for norms in shipped.values():
        assert norms.source.startswith("Provisional project values pending validation")


def test_the_reliable_change_amount_is_above_ordinary_session_noise():
    # A noisy but stable patient's alliance varies by SD ≈ 0.34 from session to session
    # (tests/flags/test_cohort.py); the reliable-change amount should be well above that.
    alliance = DEFAULT_NORMS["alliance"]
    assert 1.96 * s_diff(alliance.sd, alliance.reliability) > 2 * 0.34
