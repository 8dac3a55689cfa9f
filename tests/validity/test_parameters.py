import dataclasses
import math
import re

from dashboards.validity.parameters import DEFAULT_PARAMETERS, Parameters, sources

# A published source names a year (e.g. "Duncan et al. 2003"); issue 15 defines the scenarios.
CITED = re.compile(r"\b(19|20)\d\d\b|\bissue 15\b")


def test_every_parameter_cites_a_source_or_says_it_is_an_assumption():
    fields = dataclasses.fields(Parameters)
    assert fields, "no parameters found"
    missing = [f.name for f in fields
               if not (CITED.search(f.metadata.get("source", ""))
                       or "project assumption" in f.metadata.get("source", ""))]
    assert missing == []


def test_assumptions_say_why():
    for name, _, source in sources():
        if "project assumption" in source:
            assert len(source) > len("project assumption") + 20, name


def test_parameters_are_frozen():
    try:
        DEFAULT_PARAMETERS.rupture_rate = 0.5  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        return
    raise AssertionError("Parameters must be immutable")


def test_latent_noise_split_reproduces_the_target_correlations_without_a_ceiling():
    # Before rounding and the ceiling, the six-item mean's test-retest r and the inter-item r
    # follow from the derived SDs by plain algebra.
    p = DEFAULT_PARAMETERS
    shared = p.between_sd**2 + p.session_sd**2
    unique = p.item_sd**2 + 1 / 12
    assert math.isclose(p.between_sd**2 / (shared + unique / 6), p.latent_retest_r, rel_tol=1e-9)
    assert math.isclose(shared / (shared + unique), p.inter_item_r, rel_tol=1e-9)


def test_weights_are_distributions_over_the_five_answers():
    p = DEFAULT_PARAMETERS
    for weights in (p.tension_weights, p.resolution_weights, p.withdrawal_weights, p.confrontation_weights):
        assert len(weights) == 5 and math.isclose(sum(weights), 1.0)
