"""Answer the app's real post-session forms from a latent session state.

The forms are loaded with the app's plain loader from the built-in directory, answers are
checked by the survey's own parser (so only items the form would show are kept) and scored
by the app's own scorer: the engine sees exactly what production would store.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from dashboards.flags import Answers
from dashboards.validity.parameters import Parameters
from feedback.instruments.answers import parse_answers, to_form_values
from feedback.instruments.loader import BUILTIN_DIR, load_directories
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score

PATIENT_FORM = "post-session-patient"
THERAPIST_FORM = "post-session-therapist"
ALLIANCE = ("bond_understood", "bond_trust", "task_useful", "task_fit", "goal_agree", "goal_unclear")
THERAPIST_ALLIANCE = ("t_connected", "t_collab", "t_task", "t_goal")
WITHDRAWAL = ("held_back", "went_along")
CONFRONTATION = "frustrated"
STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Forms:
    patient: Instrument
    therapist: Instrument


def _version_key(version: str) -> tuple[int | str, ...]:
    # As the app's registry orders versions (it imports Flask, so it is not used here).
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def builtin_forms(patient: str = PATIENT_FORM, therapist: str = THERAPIST_FORM) -> Forms:
    """The newest version of each form in the built-in directory, as a new session would use."""
    found = load_directories([BUILTIN_DIR])

    def newest(form_id: str) -> Instrument:
        versions = [i for (iid, _), i in found.items() if iid == form_id]
        if not versions:
            raise LookupError(f"no instrument {form_id} in {BUILTIN_DIR}")
        return max(versions, key=lambda i: _version_key(i.version))

    return Forms(newest(patient), newest(therapist))


@functools.cache  # the same few weight tuples, asked for at every session
def thresholds_for(weights: Sequence[float]) -> tuple[float, ...]:
    """Cut points on a standard normal latent that give categories 1..5 these chances."""
    total, cuts = 0.0, []
    for w in weights[:-1]:
        total += w
        cuts.append(STANDARD_NORMAL.inv_cdf(min(max(total, 1e-12), 1 - 1e-12)))
    return tuple(cuts)


def ordinal(latent: float, cuts: Sequence[float]) -> int:
    return 1 + sum(latent > c for c in cuts)


def mixed(rng: random.Random, shared: float, coupling: float) -> float:
    """A standard normal that correlates `coupling` with `shared` (itself standard normal)."""
    return coupling * shared + math.sqrt(1 - coupling**2) * rng.gauss(0, 1)


@dataclass(frozen=True)
class Person:
    """A patient's stable tendencies."""

    rupture: float  # standard normal: higher = reports tension more often
    withdrawal: float  # standard normal: higher = holds back / goes along more often
    confrontation: float  # standard normal: higher = frustrated more often
    therapist_level: float  # the therapist's usual rating of this patient (1–5 latent units)


def likert(rng: random.Random, level: float, noise: float) -> int:
    return min(5, max(1, round(level + rng.gauss(0, noise))))


def patient_items(rng: random.Random, p: Parameters, person: Person, level: float, strain: float,
                  rupture: tuple[int, int] | None, force_rupture: bool) -> dict[str, Any]:
    """One patient form. `level`: the session's latent alliance; `strain`: how much worse
    than usual the session is, in session SDs (standard normal in a stable treatment);
    `rupture`: a designed (tension, resolution) report, used when `force_rupture`."""
    items: dict[str, Any] = {}
    for item in ALLIANCE:
        value = likert(rng, level, p.item_sd)
        # goal_unclear is reverse-keyed: a good session answers it low (min + max − value).
        items[item] = 6 - value if item == "goal_unclear" else value
    if force_rupture:
        reported = rupture is not None
    else:
        latent = _with_person(rng, p, person.rupture, strain, p.rupture_coupling)
        reported = latent > STANDARD_NORMAL.inv_cdf(1 - p.rupture_rate)
    items["rupture"] = reported
    if reported:
        tension, resolved = rupture or (_pick(rng, p.tension_weights), _pick(rng, p.resolution_weights))
        items["rupture_tension"], items["rupture_resolved"] = tension, resolved
    withdrawal_cuts = thresholds_for(p.withdrawal_weights)
    for item in WITHDRAWAL:
        items[item] = ordinal(_with_person(rng, p, person.withdrawal, strain, p.marker_coupling), withdrawal_cuts)
    latent = _with_person(rng, p, person.confrontation, strain, p.marker_coupling)
    items[CONFRONTATION] = ordinal(latent, thresholds_for(p.confrontation_weights))
    return items


def therapist_items(rng: random.Random, p: Parameters, level: float, patient: Mapping[str, Any] | None,
                    patient_rupture: bool) -> dict[str, Any]:
    """One therapist form; `patient_rupture` is what the patient reported (answered or not)."""
    items: dict[str, Any] = {item: likert(rng, level, p.item_sd) for item in THERAPIST_ALLIANCE}
    noticed = rng.random() < (p.therapist_detects if patient_rupture else p.therapist_only_rupture)
    items["rupture"] = noticed
    if noticed:
        if patient and patient.get("rupture"):  # both felt the same tension
            items["rupture_tension"] = patient["rupture_tension"]
            items["rupture_resolved"] = patient["rupture_resolved"]
        else:
            items["rupture_tension"] = _pick(rng, p.tension_weights)
            items["rupture_resolved"] = _pick(rng, p.resolution_weights)
        markers = _markers(patient or {})
        if markers:
            items["markers"] = markers
        items["strategy"] = [rng.choice(("clarify", "change_task", "metacommunicate", "new_experience"))]
    return items


def answers(instrument: Instrument, items: Mapping[str, Any]) -> Answers:
    """Typed answers as the survey would store them, scored by the app's own scorer."""
    parsed, errors = parse_answers(instrument, to_form_values(items))
    if errors:  # a generator bug, not data: refuse rather than feed the engine a bad form
        raise ValueError(f"{instrument.id} would refuse these answers: {errors}")
    return Answers(answered=True, scores=score(instrument, parsed), items=parsed)


UNANSWERED = Answers(answered=False, scores={}, items={})


def _with_person(rng: random.Random, p: Parameters, trait: float, strain: float, coupling: float) -> float:
    share = p.person_share
    return math.sqrt(share) * trait + math.sqrt(1 - share) * mixed(rng, strain, coupling)


def _pick(rng: random.Random, weights: Sequence[float]) -> int:
    return rng.choices(range(1, len(weights) + 1), weights=weights)[0]


def _markers(patient: Mapping[str, Any]) -> list[str]:
    # What a noticing therapist ticks follows what the patient felt, when they said so.
    found = []
    if any((patient.get(i) or 1) >= 3 for i in WITHDRAWAL):
        found.append("withdrawal_away")
    if (patient.get(CONFRONTATION) or 1) >= 3:
        found.append("confrontation")
    return found
