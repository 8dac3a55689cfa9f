"""Seeded cohorts of known shapes: 20 weekly sessions per patient, as engine input.

Each patient has a usual (true) alliance level; the group adds a shape to it (a decline, a
drop, a dip) from a known onset session. Each attended session adds a shared session
deviation, then the forms are answered item by item (`forms`). Patients are generated
independently from (seed, group, index), so a small run is the start of a large one.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dashboards.flags import PatientHistory, SessionRecord
from dashboards.risk.norms import norms_of
from dashboards.validity import forms
from dashboards.validity.forms import Forms, Person, mixed
from dashboards.validity.parameters import DEFAULT_PARAMETERS, Parameters

GROUPS = ("stable", "stable_minor_repaired", "slow_decline", "sudden_drop", "unresolved_rupture",
          "repaired_rupture", "disengagement", "low_from_start")
AT_RISK = ("slow_decline", "sudden_drop", "unresolved_rupture", "disengagement", "low_from_start")
START = datetime.date(2026, 1, 5)  # a Monday; the date only orders the weeks
WEEK = datetime.timedelta(weeks=1)


@dataclass
class Plan:
    """What a group puts into one treatment (session numbers are 1-based)."""

    usual: float
    shift: dict[int, float] = field(default_factory=dict)  # session -> change of the true level
    ruptures: dict[int, tuple[int, int]] = field(default_factory=dict)  # designed (tension, resolution)
    no_show: dict[int, float] = field(default_factory=dict)  # session -> chance, else the default
    unanswered: dict[int, float] = field(default_factory=dict)
    last_session: int | None = None  # none recorded after this: the patient has gone
    onset: int | None = None
    decline_end: int | None = None


@dataclass(frozen=True)
class SimulatedPatient:
    group: str
    index: int
    history: PatientHistory
    usual: float  # the true level before any shape
    true_levels: tuple[float, ...]  # true level per scheduled session, 1..sessions (no noise)
    onset: int | None  # first session of the at-risk pattern
    decline_end: int | None  # slow_decline: the last session of the decline

    @property
    def dates(self) -> tuple[datetime.date, ...]:
        """Every scheduled week, recorded or not: the days the caseload is looked at."""
        return tuple(START + WEEK * i for i in range(len(self.true_levels)))


def _usual(rng: random.Random, p: Parameters) -> float:
    # Groups other than low_from_start have a true level that is not low (issue 15): redraw the
    # rare level below the cutoff.
    while True:
        level = rng.gauss(p.alliance_mean, p.between_sd)
        if level >= p.not_low_from:
            return level


def _capped(z: float, p: Parameters) -> float:
    return max(-p.strain_cap, min(p.strain_cap, z))


def _onset(rng: random.Random, p: Parameters, last: int | None = None) -> int:
    return rng.randint(p.first_onset, last or p.last_onset)


def _stable(rng: random.Random, p: Parameters) -> Plan:
    return Plan(_usual(rng, p))


def _minor_repaired(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p))
    candidates = list(range(2, p.sessions + 1))  # after a first session showing the usual level
    while len(plan.ruptures) < p.minor_episodes:
        s = rng.choice(candidates)
        if all(abs(s - other) >= p.minor_spacing for other in plan.ruptures):
            plan.ruptures[s] = (rng.choice(p.minor_tension), rng.choice(p.minor_resolution))
            plan.shift[s] = -p.minor_dip_within_sd * p.within_sd
    return plan


def _slow_decline(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p), onset=_onset(rng, p, p.last_decline_onset))
    onset = plan.onset or 0
    plan.decline_end = onset + p.decline_sessions - 1
    for s in range(onset, p.sessions + 1):
        done = min(s - onset + 1, p.decline_sessions) / p.decline_sessions
        plan.shift[s] = -p.decline_sd * p.between_sd * done
    return plan


def _sudden_drop(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p), onset=_onset(rng, p))
    plan.shift = {s: -p.drop_sd * p.between_sd for s in range(plan.onset or 0, p.sessions + 1)}
    return plan


def _unresolved(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p), onset=_onset(rng, p))
    onset = plan.onset or 0
    plan.ruptures[onset] = (rng.choice(p.unresolved_tension), rng.choice(p.unresolved_resolution))
    plan.shift = {s: -p.unresolved_drop_sd * p.between_sd for s in range(onset, p.sessions + 1)}
    return plan


def _repaired(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p), onset=_onset(rng, p))
    onset = plan.onset or 0
    plan.ruptures[onset] = (rng.choice(p.repair_tension), rng.choice(p.repair_resolution))
    plan.shift = {s: p.repair_gain_sd * p.between_sd for s in range(onset + 1, p.sessions + 1)}
    plan.shift[onset] = -p.repair_dip_sd * p.between_sd
    return plan


def _disengagement(rng: random.Random, p: Parameters) -> Plan:
    plan = Plan(_usual(rng, p), onset=_onset(rng, p))
    onset = plan.onset or 0
    plan.last_session = onset + p.disengage_sessions - 1
    for k, s in enumerate(range(onset, plan.last_session + 1), start=1):
        plan.no_show[s], plan.unanswered[s] = p.disengage_no_show, p.disengage_unanswered
        plan.shift[s] = -p.disengage_drift_sd * p.between_sd * k / p.disengage_sessions
    return plan


def _low_from_start(rng: random.Random, p: Parameters) -> Plan:
    return Plan(rng.uniform(*p.low_range), onset=1)


PLANS: Mapping[str, Callable[[random.Random, Parameters], Plan]] = {
    "stable": _stable, "stable_minor_repaired": _minor_repaired, "slow_decline": _slow_decline,
    "sudden_drop": _sudden_drop, "unresolved_rupture": _unresolved, "repaired_rupture": _repaired,
    "disengagement": _disengagement, "low_from_start": _low_from_start,
}


def generate_patient(group: str, index: int, seed: int, forms_: Forms,
                     p: Parameters = DEFAULT_PARAMETERS) -> SimulatedPatient:
    # A string seed is hashed with SHA-512 by `random`: the same on every run and platform.
    # Simulation, not secrets: the standard generator is what reproducibility needs.
    rng = random.Random(f"{seed}:{group}:{index}")  # noqa: S311
    plan = PLANS[group](rng, p)
    standing = _capped((plan.usual - p.alliance_mean) / p.between_sd, p)  # how the person compares (z)
    person = Person(
        rupture=mixed(rng, -standing, p.rupture_coupling),
        withdrawal=mixed(rng, -standing, p.marker_coupling),
        confrontation=mixed(rng, -standing, p.marker_coupling),
        therapist_level=p.therapist_mean + p.between_sd * mixed(rng, standing, p.therapist_patient_r),
    )
    last = min(plan.last_session or p.sessions, p.sessions)
    records = [_session(rng, p, forms_, plan, person, s) for s in range(1, last + 1)]
    levels = tuple(plan.usual + plan.shift.get(s, 0.0) for s in range(1, p.sessions + 1))
    return SimulatedPatient(
        group=group, index=index, usual=plan.usual, true_levels=levels, onset=plan.onset,
        decline_end=plan.decline_end,
        history=PatientHistory(sessions=tuple(records), norms=norms_of(forms_.patient)),
    )


def _session(rng: random.Random, p: Parameters, forms_: Forms, plan: Plan, person: Person,
             s: int) -> SessionRecord:
    date = START + WEEK * (s - 1)
    designed = s in plan.ruptures  # a designed report needs the session to happen and be answered
    draw = rng.random()
    no_show = plan.no_show.get(s, p.no_show_rate)
    if not designed and draw < no_show + p.clinic_cancel_rate:
        # Missed sessions get no questionnaire (production invites only for attended ones).
        return SessionRecord(s, date, "no_show" if draw < no_show else "clinic_cancelled", None, None)
    deviation = rng.gauss(0, p.session_sd)
    shift = plan.shift.get(s, 0.0)
    strain = _capped(-(shift + deviation) / p.session_sd, p)
    items = forms.patient_items(rng, p, person, plan.usual + shift + deviation, strain,
                                plan.ruptures.get(s), force_rupture=designed)
    answered = designed or rng.random() >= plan.unanswered.get(s, p.unanswered_rate)
    patient = forms.answers(forms_.patient, items) if answered else forms.UNANSWERED
    # The therapist perceives the session's ups and downs only in part (correlation ~ .36).
    t_level = person.therapist_level + p.therapist_patient_r * (shift + deviation)
    therapist = forms.UNANSWERED
    if rng.random() >= p.therapist_unanswered:
        t_items = forms.therapist_items(rng, p, t_level, items if answered else None, bool(items["rupture"]))
        therapist = forms.answers(forms_.therapist, t_items)
    return SessionRecord(s, date, "attended", patient, therapist)


def generate_cohort(patients_per_group: int, seed: int, forms_: Forms | None = None,
                    p: Parameters = DEFAULT_PARAMETERS,
                    groups: tuple[str, ...] = GROUPS) -> dict[str, list[SimulatedPatient]]:
    forms_ = forms_ or forms.builtin_forms()
    return {g: [generate_patient(g, i, seed, forms_, p) for i in range(patients_per_group)] for g in groups}
