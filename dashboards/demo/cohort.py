"""Synthetic treatments of known kinds, for tests, the benchmark and the demo.

Each patient is built session by session from a plan (the patient's latent alliance level,
attendance, any rupture) plus seeded noise, then answered item by item on the real forms'
1–5 items. Scale scores come from a tiny local scorer that follows the shipped instrument
files (mean of items, reverse-keyed item = 6 − value, min_answered), so a cohort is made
without an app; `seeding.py` re-scores stored answers with the app's own scorer.
"""

import datetime
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from dashboards.flags.history import Answers, PatientHistory, ScaleNorm, SessionRecord
from dashboards.risk.norms import builtin_patient_norms

KINDS = ("stable_high", "slow_bond_decline", "sudden_loss", "unresolved_rupture",
         "rupture_then_repair", "repeated_ruptures", "disengagement", "noisy_stable")
MIN_SESSIONS, MAX_SESSIONS = 10, 30
DEFAULT_START = datetime.date(2024, 1, 8)  # a Monday; sessions are weekly from here

#: Norms of the patient instrument, read from the shipped instrument file (where their sources are).
DEFAULT_NORMS: Mapping[str, ScaleNorm] = MappingProxyType(builtin_patient_norms())

# scale -> (items, fewest answered items that still give a score), as in the instrument files.
Scales = Mapping[str, tuple[tuple[str, ...], int]]
BOND_ITEMS = ("bond_understood", "bond_trust")
PATIENT_ITEMS = (*BOND_ITEMS, "task_useful", "task_fit", "goal_agree", "goal_unclear")
PATIENT_SCALES: Scales = {
    "bond": (BOND_ITEMS, 1), "task": (("task_useful", "task_fit"), 1),
    "goal": (("goal_agree", "goal_unclear"), 1), "alliance": (PATIENT_ITEMS, 4)}
THERAPIST_BOND = ("t_connected", "t_collab")
THERAPIST_ITEMS = (*THERAPIST_BOND, "t_task", "t_goal")
THERAPIST_SCALES: Scales = {
    "bond": (THERAPIST_BOND, 1), "task": (("t_task",), 1), "goal": (("t_goal",), 1),
    "alliance": (THERAPIST_ITEMS, 3)}
REVERSED = frozenset({"goal_unclear"})
MARKERS = {"withdrawal": ("withdrawal_away", "withdrawal_toward"),
           "confrontation": ("confrontation",)}
STRATEGIES = ("clarify", "change_task", "metacommunicate", "new_experience", "not_yet")
COMMENTS = ("Thanks, helpful today.", "Hard session but useful.", "I was tired today.",
            "Not sure where we are going.")
THERAPIST_UNANSWERED = 0.04
THERAPIST_FALSE_ALARM = 0.03  # notices tension the patient did not report


@dataclass(frozen=True)
class Style:
    """How a kind of patient's sessions vary around their usual level."""

    mean: tuple[float, float]  # range of the patient's usual alliance level (1–5)
    session_sd: float  # shared by all items of a session: the session's overall feel
    item_sd: float  # each answer's own wobble around it (before rounding to 1–5)
    cancel: float  # per-session chances of a cancellation, a no-show, an unanswered form,
    no_show: float  # and a minor rupture (slight tension, talked through)
    unanswered: float
    minor_rupture: float


STABLE_HIGH = Style((4.2, 4.5), 0.08, 0.25, 0.02, 0.01, 0.02, 0.01)
ENGAGED = Style((4.1, 4.5), 0.12, 0.35, 0.03, 0.01, 0.03, 0.02)
NOISY = Style((3.8, 4.2), 0.25, 0.5, 0.04, 0.02, 0.05, 0.05)
STYLES = {"stable_high": STABLE_HIGH, "noisy_stable": NOISY}


@dataclass(frozen=True)
class Rupture:
    tension: int  # 1–5
    resolved: int  # 1–5
    kind: str  # "withdrawal" | "confrontation"
    noticed: bool  # the therapist reports it too


@dataclass(frozen=True)
class Plan:
    """What the generator intends for one session, before noise."""

    level: float
    bond_shift: float = 0.0  # moves the bond items only
    attendance: str = "attended"
    answered: bool = True
    rupture: Rupture | None = None
    withdrawn: bool = False  # quiet withdrawal: indicator items raised, no rupture reported


def generate_patient(kind: str, seed: int, n_sessions: int | None = None,
                     start: datetime.date = DEFAULT_START) -> PatientHistory:
    """One synthetic treatment of `kind`; n_sessions None draws 10–30. Same seed, same patient."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    rng = random.Random(seed)  # noqa: S311 - seeded noise for synthetic data, not security
    n = rng.randint(MIN_SESSIONS, MAX_SESSIONS) if n_sessions is None else n_sessions
    if n < MIN_SESSIONS:
        raise ValueError(f"n_sessions must be at least {MIN_SESSIONS}, got {n}")
    style = STYLES.get(kind, ENGAGED)
    plans = _SHAPES.get(kind, _unchanged)(rng, _usual_plans(rng, n, style))
    sessions = [
        SessionRecord(
            number=i + 1, date=start + datetime.timedelta(weeks=i), attendance=p.attendance,
            patient=_patient_answers(rng, p, style), therapist=_therapist_answers(rng, p))
        for i, p in enumerate(plans)]
    return PatientHistory(sessions=sessions, norms=DEFAULT_NORMS)


def generate_cohort(counts: Mapping[str, int], seed: int, n_sessions: int | None = None,
                    start: datetime.date = DEFAULT_START) -> list[tuple[str, PatientHistory]]:
    """counts: kind -> number of patients. Returns (kind, history) pairs, kinds in given order."""
    master = random.Random(seed)  # noqa: S311 - seeded noise for synthetic data, not security
    return [(kind, generate_patient(kind, master.getrandbits(64), n_sessions, start))
            for kind, k in counts.items() for _ in range(k)]


def score(items: Mapping[str, object], scales: Scales) -> dict[str, float | None]:
    """Mean of the answered items (reverse-keyed: 6 − value); None when too few answered."""
    scores: dict[str, float | None] = {}
    for scale, (ids, min_answered) in scales.items():
        values = [6 - v if i in REVERSED else v for i in ids
                  if isinstance(v := items.get(i), int) and not isinstance(v, bool)]
        scores[scale] = sum(values) / len(values) if len(values) >= min_answered else None
    return scores


# --- plans: the usual course, then each kind's shape -------------------------------------


def _usual_plans(rng: random.Random, n: int, style: Style) -> list[Plan]:
    level = rng.uniform(*style.mean)
    plans = []
    for _ in range(n):
        roll = rng.random()
        attendance = ("cancelled" if roll < style.cancel
                      else "no_show" if roll < style.cancel + style.no_show else "attended")
        rupture = None
        if rng.random() < style.minor_rupture:
            rupture = Rupture(rng.randint(1, 2), rng.randint(4, 5),
                              rng.choice(("withdrawal", "confrontation")), rng.random() < 0.5)
        plans.append(Plan(level=level - (0.2 if rupture else 0.0), attendance=attendance,
                          answered=rng.random() >= style.unanswered, rupture=rupture))
    return plans


def _present(plan: Plan, **changes: object) -> Plan:
    """A session that must happen and be answered, because the kind's signal is in it."""
    return replace(plan, attendance="attended", answered=True, **changes)


def _unchanged(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    return plans


def _slow_bond_decline(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    onset = rng.randint(4, 6)  # index of the first weaker session, after the baseline
    rate = max(0.08, 2.0 / (len(plans) - onset))  # points per session, about 2 points in all
    # The bond falls most; agreement on tasks and goals slips with it, a little.
    out = [p if i < onset else replace(p, bond_shift=-min(2.5, rate * (i - onset + 1)),
                                       level=p.level - min(0.5, rate * (i - onset + 1) / 4))
           for i, p in enumerate(plans)]
    out[-2:] = [_present(p) for p in out[-2:]]
    return out


def _sudden_loss(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    n = len(plans)
    at = rng.randint(max(4, n - 6), n - 3)
    drop = rng.uniform(1.3, 1.8)
    out = [p if i < at else replace(p, level=p.level - drop) for i, p in enumerate(plans)]
    # A quiet withdrawal: the indicators rise, no rupture is reported.
    out[at - 1] = _present(out[at - 1])
    out[at] = _present(out[at], withdrawn=True, rupture=None)
    out[-1] = _present(out[-1])
    return out


def _unresolved_rupture(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    at = len(plans) - rng.randint(1, 2)
    rupture = Rupture(rng.randint(4, 5), rng.randint(1, 2),
                      rng.choice(("withdrawal", "confrontation")), rng.random() < 0.4)
    out = list(plans)
    out[at] = _present(out[at], level=out[at].level - 0.6, rupture=rupture)
    return out


def _rupture_then_repair(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    at = rng.randint(4, len(plans) - 5)
    usual = plans[at - 1].level
    rupture = Rupture(rng.randint(3, 4), rng.randint(4, 5),
                      rng.choice(("withdrawal", "confrontation")), rng.random() < 0.7)
    out = list(plans)
    out[at - 1] = _present(out[at - 1])
    out[at] = _present(out[at], level=usual - rng.uniform(1.2, 1.6), rupture=rupture)
    # Repaired: the next sessions are back at (or, often, a little above) the usual level.
    out[at + 1:at + 3] = [_present(p, level=usual + 0.2, rupture=None) for p in out[at + 1:at + 3]]
    return out


def _repeated_ruptures(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    n = len(plans)
    out = [p if i < n - 4 else replace(p, level=p.level - 0.3) for i, p in enumerate(plans)]
    # Strong tension that keeps coming back and is at most partly talked through (resolution
    # 2–3): repaired ruptures (4–5) go with good outcomes and are the rupture_then_repair kind.
    for i in rng.sample(range(n - 3, n), rng.randint(2, 3)):
        rupture = Rupture(rng.randint(4, 5), rng.randint(2, 3),
                          rng.choice(("withdrawal", "confrontation")), rng.random() < 0.5)
        out[i] = _present(out[i], rupture=rupture)
    return out


def _disengagement(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    # Three forms left unanswered, then three of the last four sessions missed.
    out = [replace(p, level=p.level - 0.3) for p in plans]
    out[-6:] = [replace(out[-6], attendance="attended", answered=False),
                replace(out[-5], attendance="attended", answered=False),
                replace(out[-4], attendance="attended", answered=False),
                replace(out[-3], attendance="no_show"), replace(out[-2], attendance="cancelled"),
                replace(out[-1], attendance="no_show")]
    return out


_SHAPES: dict[str, Callable[[random.Random, list[Plan]], list[Plan]]] = {
    "slow_bond_decline": _slow_bond_decline, "sudden_loss": _sudden_loss,
    "unresolved_rupture": _unresolved_rupture, "rupture_then_repair": _rupture_then_repair,
    "repeated_ruptures": _repeated_ruptures, "disengagement": _disengagement,
}


# --- answers ------------------------------------------------------------------------------


def _likert(x: float) -> int:
    return min(5, max(1, round(x)))


def _indicator(rng: random.Random, strength: int) -> int:
    """A 'not at all'..'very much' indicator; strength 0 = nothing going on, up to 5."""
    return _likert(rng.gauss(1.4 + 0.6 * strength, 0.7))


def _patient_answers(rng: random.Random, plan: Plan, style: Style) -> Answers | None:
    if plan.attendance != "attended":
        return None  # no session, no invitation
    if not plan.answered:
        return Answers(answered=False, scores={}, items={})
    feel = plan.level + rng.gauss(0, style.session_sd)
    items: dict[str, object] = {}
    for item in PATIENT_ITEMS:
        agreement = _likert(feel + (plan.bond_shift if item in BOND_ITEMS else 0.0)
                            + rng.gauss(0, style.item_sd))
        items[item] = 6 - agreement if item in REVERSED else agreement
    r = plan.rupture
    items["rupture"] = r is not None
    if r is not None:
        items["rupture_tension"], items["rupture_resolved"] = r.tension, r.resolved
    quiet = 4 if plan.withdrawn else 0
    # A rupture talked through leaves less held back or gone along with than one that was not.
    felt = 0 if r is None else (r.tension if r.resolved < 4 else max(0, r.tension - 2))
    withdrawal = felt if r is not None and r.kind == "withdrawal" else quiet
    confrontation = felt if r is not None and r.kind == "confrontation" else 0
    items["held_back"] = _indicator(rng, withdrawal)
    items["went_along"] = _indicator(rng, withdrawal)
    items["frustrated"] = _indicator(rng, confrontation)
    if rng.random() < 0.1:
        items["comment"] = rng.choice(COMMENTS)
    return Answers(answered=True, scores=score(items, PATIENT_SCALES), items=items)


def _therapist_answers(rng: random.Random, plan: Plan) -> Answers | None:
    if plan.attendance != "attended":
        return None
    if rng.random() < THERAPIST_UNANSWERED:
        return Answers(answered=False, scores={}, items={})
    # Therapists track the patient's experience loosely and see sessions a little rosier.
    feel = plan.level + 0.1 + rng.gauss(0, 0.2)
    items: dict[str, object] = {
        item: _likert(feel + (plan.bond_shift / 2 if item in THERAPIST_BOND else 0.0)
                      + rng.gauss(0, 0.4))
        for item in THERAPIST_ITEMS}
    r = plan.rupture
    if r is None and rng.random() < THERAPIST_FALSE_ALARM:
        r = Rupture(rng.randint(1, 2), rng.randint(3, 5),
                    rng.choice(("withdrawal", "confrontation")), True)
    items["rupture"] = r is not None and r.noticed
    if r is not None and r.noticed:
        items["rupture_tension"] = _likert(r.tension + rng.choice((-1, 0, 0, 1)))
        items["rupture_resolved"] = _likert(r.resolved + rng.choice((-1, 0, 0, 1)))
        items["markers"] = [rng.choice(MARKERS[r.kind])]
        items["strategy"] = [rng.choice(STRATEGIES)]
    return Answers(answered=True, scores=score(items, THERAPIST_SCALES), items=items)
