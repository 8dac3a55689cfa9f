"""The generative model's numbers, each with where it comes from.

Independent of the flag engine on purpose: nothing here is taken from `dashboards/flags/`
(its thresholds, its norms or its demo cohort, which was tuned to the engine), so the harness
can tell whether the engine's alerts mean something at a realistic level of noise.

Every field carries its source in `metadata["source"]`: a published figure, or a sentence
starting "project assumption" that says why the value was chosen. The latent model works in
the units of the patient form's 1–5 items, before rounding and clipping to the scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

ALLIANCE_ITEMS = 6  # items of the patient form's overall alliance score (post-session-patient.yaml)
ROUNDING_VARIANCE = 1 / 12  # variance of the error of rounding to whole numbers (uniform on ±0.5)


def sourced(value: Any, source: str) -> Any:
    return field(default=value, metadata={"source": source})


@dataclass(frozen=True)
class Parameters:
    # --- the patient's alliance ratings ------------------------------------------------------
    alliance_mean: float = sourced(4.4, (
        "project assumption, because brief session-level alliance ratings crowd at the top of "
        "their range (the SRS's clinical cutoff of 36 of 40 lies below most clients' scores, "
        "Duncan et al. 2003, J Brief Therapy 3(1)); 4.4 of 5 puts the typical item answer "
        "between 4 and 5 while the reverse-keyed item keeps Likert answers off the very top"))
    between_sd: float = sourced(0.45, (
        "project assumption, because no published between-person SD exists for this form: "
        "0.45 item points (about 11% of the range) keeps the true level of nearly every "
        "stable patient above 3.5; the shapes below are expressed in this SD"))
    retest_r: float = sourced(0.64, (
        "Duncan et al. 2003 (J Brief Therapy): SRS session-to-session test-retest r = .64 "
        "averaged over sessions; Campbell & Hemsley 2009 (Clinical Psychologist) report "
        ".54-.70. The target the achieved r of the six-item alliance score is compared with"))
    latent_retest_r: float = sourced(0.67, (
        "project assumption, calibrated by simulation so that the achieved test-retest r of "
        "the six-item alliance score is about retest_r (.64) once answers are rounded and "
        "pressed against the ceiling, which lowers r; every report prints the achieved value"))
    inter_item_r: float = sourced(0.60, (
        "project assumption within the high internal consistency reported for brief session "
        "measures (SRS alpha .88, Duncan et al. 2003): an inter-item r of .60 gives alpha .90 "
        "for six items; it splits the within-person noise into a shared session part and "
        "each answer's own wobble"))
    # --- ruptures the patient reports ------------------------------------------------------------
    rupture_rate: float = sourced(0.19, (
        "Eubanks-Carter, Muran & Safran 2015 (review): patients report ruptures on post-session "
        "questionnaires in about 19-42% of sessions; the lower end, because these are sessions "
        "of stable treatments"))
    rupture_coupling: float = sourced(0.5, (
        "project assumption, because a rupture is by definition a strain in the alliance "
        "(Safran & Muran 2000), so sessions rated lower should report tension more often; the "
        "strength of that link is assumed"))
    strain_cap: float = sourced(2.0, (
        "project assumption, because the links above are meant for ordinary variation: beyond "
        "2 SD (a lasting drop, a patient far below the usual level) report rates stop climbing, "
        "which keeps such patients near the top of the published 19-42% rupture range "
        "(Eubanks-Carter, Muran & Safran 2015) instead of beyond it"))
    person_share: float = sourced(0.4, (
        "project assumption, because some patients report tension or hold back far more often "
        "than others (individual response styles); the share of the latent variance that is "
        "the person's, for the rupture and marker items"))
    tension_weights: tuple[float, ...] = sourced((0.5, 0.35, 0.15, 0.0, 0.0), (
        "project assumption, because ruptures in stable treatments are mostly minor tensions "
        "(Safran & Muran 2000 describe a range from minor tension to breakdown): chances of "
        "strength 1-5 for an everyday rupture"))
    resolution_weights: tuple[float, ...] = sourced((0.0, 0.0, 0.3, 0.4, 0.3), (
        "project assumption, because an everyday rupture in a stable treatment is at least "
        "partly talked through: chances of resolution 1-5"))
    therapist_detects: float = sourced(0.5, (
        "issue 15: therapists notice about half of the ruptures patients report; patients' and "
        "therapists' rupture reports agree poorly (Eubanks, Muran & Safran 2018 meta-analysis; "
        "Muran et al. 2009)"))
    therapist_only_rupture: float = sourced(0.12, (
        "project assumption, chosen so that therapists report tension in more sessions than "
        "patients do (0.5 x 0.19 + 0.12 x 0.81 = 0.192 against 0.19), as Muran et al. 2009 "
        "found (Psychotherapy: patients reported fewer ruptures than therapists)"))
    # --- marker items (held_back, went_along, frustrated) ---------------------------------------
    withdrawal_weights: tuple[float, ...] = sourced((0.70, 0.18, 0.08, 0.03, 0.01), (
        "project assumption, because no published base rates exist for these project-written "
        "items: mostly at the floor ('Not at all') with occasional higher answers"))
    confrontation_weights: tuple[float, ...] = sourced((0.80, 0.12, 0.05, 0.02, 0.01), (
        "project assumption, because openly felt frustration with the therapist should be "
        "rarer than quietly holding back: chances of 'frustrated' answered 1-5"))
    marker_coupling: float = sourced(0.4, (
        "project assumption, because withdrawal and frustration should rise when the session's "
        "alliance is lower than the patient's usual; the strength of that link is assumed"))
    # --- the therapist's form --------------------------------------------------------------------
    therapist_mean: float = sourced(4.1, (
        "project assumption, because therapists rate the alliance somewhat lower than patients "
        "(Tryon, Blackwell & Hammel 2007 meta-analysis); the size of the gap is assumed"))
    therapist_patient_r: float = sourced(0.36, (
        "Tryon, Blackwell & Hammel 2007 (Psychotherapy Research): client and therapist "
        "alliance ratings correlate about .36"))
    therapist_unanswered: float = sourced(0.05, (
        "project assumption, because therapists fill in their own form as part of their "
        "routine and rarely skip it"))
    # --- attendance and unanswered questionnaires -----------------------------------------------
    no_show_rate: float = sourced(0.10, (
        "no-show rates in outpatient mental-health care range from a few % to about 30% across "
        "studies (Psychiatric Quarterly 2022, doi:10.1007/s11126-022-09983-6); 10%, the lower "
        "part, is a project assumption for patients in a stable ongoing treatment"))
    clinic_cancel_rate: float = sourced(0.03, (
        "project assumption, because clinics cancel a few sessions (therapist illness, "
        "holidays), separately from the patient's no-shows"))
    unanswered_rate: float = sourced(0.10, (
        "project assumption, because a post-session questionnaire by link is sometimes not "
        "answered in time even by engaged patients"))
    # --- the treatment and the shapes of the groups ---------------------------------------------
    sessions: int = sourced(20, "issue 15: 20 weekly sessions per patient")
    first_onset: int = sourced(5, (
        "project assumption, because the at-risk patterns should start after a few sessions "
        "that show the patient's usual level"))
    decline_sd: float = sourced(1.5, "issue 15: a slow decline of 1.5 between-person SD")
    decline_sessions: int = sourced(8, "issue 15: the slow decline takes 8 sessions, then stays")
    last_decline_onset: int = sourced(8, (
        "project assumption, because detection is counted up to 4 sessions after the decline "
        "ends, which must fall inside the 20 sessions"))
    drop_sd: float = sourced(2.0, "issue 15: a sudden, lasting drop of 2 between-person SD")
    last_onset: int = sourced(14, (
        "project assumption, because an event late in the 20 sessions leaves too few sessions "
        "to see what follows"))
    unresolved_tension: tuple[int, ...] = sourced((4, 5), (
        "project assumption (scenario definition): 'high tension' is 4-5 of 5 on the form's "
        "anchors (3 = Moderate, 5 = Very strong)"))
    unresolved_resolution: tuple[int, ...] = sourced((1, 2), (
        "project assumption (scenario definition): 'not resolved' is below the form's "
        "'Partly' (3)"))
    unresolved_drop_sd: float = sourced(1.0, (
        "project assumption, because an unrepaired rupture leaves the alliance strained "
        "afterwards; its size is assumed"))
    repair_dip_sd: float = sourced(1.5, (
        "project assumption, because a rupture the patient reports lowers that session's "
        "ratings; its size is assumed"))
    repair_tension: tuple[int, ...] = sourced((2, 3, 4), (
        "project assumption (scenario definition): a noticeable but not extreme tension"))
    repair_resolution: tuple[int, ...] = sourced((4, 5), (
        "project assumption (scenario definition): 'repaired' is talked through 4-5 of 5"))
    repair_gain_sd: float = sourced(0.5, (
        "project assumption after the V-shaped pattern of repaired ruptures, in which the "
        "alliance ends above its earlier level (Stiles et al. 2004, J Counseling Psychology; "
        "Strauss et al. 2006); the size of the gain is assumed"))
    minor_episodes: int = sourced(3, (
        "project assumption, because 'occasional' small repaired ruptures over 20 sessions"))
    minor_spacing: int = sourced(3, (
        "project assumption, because 'occasional' means separate episodes, at least three "
        "sessions apart"))
    minor_tension: tuple[int, ...] = sourced((1, 2), (
        "project assumption (scenario definition): 'small' is 'Very slight' (1) or 2 of 5"))
    minor_resolution: tuple[int, ...] = sourced((4, 5), (
        "project assumption (scenario definition): 'rated resolved' is 4-5 of 5"))
    minor_dip_within_sd: float = sourced(1.0, (
        "project assumption, because a small rupture dips the session by about one ordinary "
        "session-to-session wobble (one within-person SD)"))
    disengage_sessions: int = sourced(4, (
        "project assumption, because withdrawal from treatment shows for a few weeks (missed "
        "sessions, unanswered forms) before the patient is gone"))
    disengage_no_show: float = sourced(0.5, (
        "project assumption, because a withdrawing patient misses about every other session"))
    disengage_unanswered: float = sourced(0.6, (
        "project assumption, because a withdrawing patient leaves most forms unanswered"))
    disengage_drift_sd: float = sourced(0.5, (
        "project assumption, because the alliance weakens somewhat before a dropout; its size "
        "is assumed"))
    not_low_from: float = sourced(3.0, (
        "issue 15: the stable groups' true level is 'not low', i.e. at or above the patient "
        "form's low cutoff of 3.0 (post-session-patient.yaml)"))
    low_range: tuple[float, float] = sourced((2.3, 2.9), (
        "project assumption (scenario definition): true levels spread over the band just "
        "below the form's low cutoff of 3.0, where a flag must tell low from usual"))

    # Derived once from the sourced values above (plain algebra, no further assumptions).
    @property
    def within_sd(self) -> float:
        """Latent within-person SD of the six-item alliance score: between SD · √((1 − r) / r)."""
        return self.between_sd * math.sqrt((1 - self.latent_retest_r) / self.latent_retest_r)

    @property
    def session_sd(self) -> float:
        """SD of the session's shared deviation (moves all six items together)."""
        return math.sqrt(max(self._total_shared() - self.between_sd**2, 0.0))

    @property
    def item_sd(self) -> float:
        """Each answer's own wobble before rounding (rounding adds its own 1/12 variance)."""
        unique = self._total_shared() * (1 - self.inter_item_r) / self.inter_item_r
        return math.sqrt(max(unique - ROUNDING_VARIANCE, 0.0))

    def _total_shared(self) -> float:
        # Six items with inter-item r ρ: var(mean) = T (1 + (1 − ρ) / (6ρ)) where T is the
        # variance the items share (person + session); test-retest r = between² / var(mean).
        rho = self.inter_item_r
        return self.between_sd**2 / (self.latent_retest_r * (1 + (1 - rho) / (ALLIANCE_ITEMS * rho)))


DEFAULT_PARAMETERS = Parameters()


def sources(parameters: Parameters = DEFAULT_PARAMETERS) -> list[tuple[str, Any, str]]:
    """(name, value, source) for every parameter, in declaration order."""
    return [(f.name, getattr(parameters, f.name), f.metadata.get("source", "")) for f in fields(parameters)]
