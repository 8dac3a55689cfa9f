"""The home page leads with what needs attention, each with one designed line of why, and a good
sign beside a flagged treatment says that the flag still stands (issue 18)."""

from __future__ import annotations

from datetime import date

from dashboards.risk.models import PatientRisk, RiskEvent
from feedback.extensions import db
from tests.therapist.conftest import text

RUPTURE_REASON = ("The patient reported tension with the therapist (strength 5 of 5) that was not resolved by the end "
                  "(resolution 1 of 5); it may be worth raising early in the next session.")


def store(patient, level: str, *events: tuple[str, str, str | None, int, dict]) -> None:
    db.session.add(PatientRisk(patient_id=patient.id, level=level, as_of=date(2026, 3, 2),
                               main_reason=RUPTURE_REASON))
    for code, severity, subject, number, numbers in events:
        db.session.add(RiskEvent(patient_id=patient.id, key=f"{code}:{number}", code=code, subject=subject,
                                 severity=severity, session_number=number, current=True,
                                 reason=RUPTURE_REASON if code == "unresolved_rupture" else "A good sign.",
                                 numbers=numbers))
    db.session.commit()


def test_a_high_treatment_leads_with_one_line_of_why_and_its_good_sign_comes_second(world, as_user, make_patient):
    store(world.patient, "high",
          ("unresolved_rupture", "high", None, 9, {"tension": 5, "resolved": 1, "kind": "confrontation"}),
          ("rupture_repair_episode", "positive", "alliance", 6, {"dip_session": 5, "return_session": 6}))
    store(make_patient(world.own, "CALM-1"), "none")
    page = as_user(world.own).get("/").text

    attention = page[page.index('id="attention-heading"'):page.index("</section>")]
    assert "P-A1" in attention and "CALM-1" not in attention
    assert "Tension 5 of 5, unresolved (1 of 5) · session 9" in text(attention)
    assert page.index('id="attention-heading"') < page.index('class="caseload-table')

    row = page[page.index('class="caseload-table'):]
    row = row[row.index("/patients/P-A1"):row.index("</tr>", row.index("/patients/P-A1"))]
    badges = row[:row.index('class="also-good"')]
    assert "Good sign ·" not in badges  # not a badge beside "High risk"
    assert ("Good sign Alliance dipped with a rupture, back by session 6, but this does not lift the high risk "
            "flag for unresolved rupture.") in text(row)


def test_an_unflagged_treatments_good_sign_is_an_ordinary_badge(world, as_user):
    store(world.patient, "none",
          ("rupture_repair_episode", "positive", "alliance", 6, {"dip_session": 5, "return_session": 6}))
    page = as_user(world.own).get("/").text
    assert 'id="attention-heading"' not in page
    assert "Good sign · Dip and recovery" in page and "does not lift" not in page
