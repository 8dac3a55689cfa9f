"""The harness replays what production does: simulated treatments stored in the database and
re-evaluated by the flag store day by day give the same risk levels and the same notified
events as the harness's in-memory replay."""

from __future__ import annotations

import pytest

from dashboards.validity.forms import builtin_forms
from dashboards.validity.simulate import GROUPS, generate_patient
from tests.validity.store_replay import assert_store_notifies_what_the_replay_notifies

FORMS = builtin_forms()


@pytest.mark.parametrize("group", GROUPS)
def test_the_store_notifies_what_the_replay_notifies(app, make_patient, group):
    simulated = generate_patient(group, index=3, seed=7, forms_=FORMS)
    patient = make_patient()
    assert_store_notifies_what_the_replay_notifies(patient, simulated, FORMS)
