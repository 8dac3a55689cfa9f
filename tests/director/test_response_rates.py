"""The director's response rates, precomputed by the worker: the stored figures agree with the direct
count, are recomputed when missing or too old, and the page says how old they are."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select, update

from dashboards import response_rates
from dashboards.clinic_stats import clinic_overview
from dashboards.response_rates import ResponseRates, count_responses, current_counts, refresh_all
from dashboards.therapist.wording import clinic_time
from feedback.extensions import db
from feedback.models import utcnow
from tests.dashboards.builders import CALM, UNANSWERED, add_session


def stored(clinic_id: int) -> ResponseRates | None:
    db.session.expire_all()
    return db.session.scalar(select(ResponseRates).where(ResponseRates.clinic_id == clinic_id))


def test_the_workers_figures_are_the_direct_count_for_every_clinic(clinics):
    now = utcnow()
    assert refresh_all(now) == 2
    for clinic in (clinics.north, clinics.south):
        counts, as_of = current_counts(clinic.id, now + timedelta(minutes=1))
        assert as_of == now and counts == count_responses(clinic.id, now)
    overview = clinic_overview(clinics.north.id, now)
    by_name = {t.name: (t.response.count, t.response.total) for t in overview.therapists}
    direct = count_responses(clinics.north.id, now)
    assert by_name["Alex Moreau"] == direct[clinics.alex.id] == (6, 6)
    assert by_name["Blake Okafor"] == direct[clinics.blake.id] == (2, 5)
    assert (overview.response.count, overview.response.total) == (8, 11)


def test_an_answer_counts_from_the_next_refresh_and_no_sooner(clinics):
    now = utcnow()
    refresh_all(now)
    patient = clinics.patients["B-WATCH"]
    add_session(patient, 5, starts_at=now - timedelta(days=2), patient_form=CALM, now=now)
    add_session(patient, 6, starts_at=now - timedelta(days=6), patient_form=UNANSWERED, now=now)
    db.session.commit()
    later = now + response_rates.interval()  # the next run
    assert current_counts(clinics.north.id, later)[0][clinics.blake.id] == (2, 5)  # the stored figures
    refresh_all(later)
    assert current_counts(clinics.north.id, later) == (count_responses(clinics.north.id, later), later)
    assert count_responses(clinics.north.id, later)[clinics.blake.id] == (3, 7)


def test_each_clinic_is_counted_once_an_interval_however_many_workers_run(app, clinics, make_clinic):
    """Every worker runs the job (review finding: N workers counted every clinic N times)."""
    app.config["RESPONSE_RATES_SECONDS"] = 600
    now = utcnow()
    assert refresh_all(now) == 2  # no rows yet
    assert refresh_all(now + timedelta(minutes=1)) == 0  # another worker's run in the same interval
    assert stored(clinics.north.id).computed_at == now

    db.session.execute(update(ResponseRates).where(ResponseRates.clinic_id == clinics.north.id)
                       .values(computed_at=now - timedelta(minutes=7)))  # 8 min old at the next run
    db.session.commit()
    opened = make_clinic()  # and one without a row yet
    db.session.commit()
    later = now + timedelta(minutes=1)
    assert refresh_all(later) == 2
    assert stored(clinics.north.id).computed_at == later and stored(opened.id).computed_at == later
    assert stored(clinics.south.id).computed_at == now  # still fresh: left alone


def test_a_clinic_another_worker_is_counting_is_skipped(app, clinics):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: the other worker holds the write lock, and this one waits for it")
    north, south, now = clinics.north.id, clinics.south.id, utcnow()
    refresh_all(now)
    db.session.remove()
    later = now + response_rates.interval()
    with db.engine.connect() as other_worker:
        other_worker.execute(select(ResponseRates).where(ResponseRates.clinic_id == north).with_for_update())
        assert refresh_all(later) == 1
        db.session.remove()
    assert stored(north).computed_at == now and stored(south).computed_at == later


def test_missing_figures_are_computed_in_the_request_and_stored(clinics):
    now = utcnow()
    assert stored(clinics.north.id) is None
    counts, as_of = current_counts(clinics.north.id, now)
    assert (counts, as_of) == (count_responses(clinics.north.id, now), now)
    row = stored(clinics.north.id)
    assert row is not None and row.computed_at == now  # committed: the next page reads it
    assert stored(clinics.south.id) is None  # only the clinic asked for


def test_figures_older_than_two_intervals_are_recomputed_on_reading(app, clinics):
    app.config["RESPONSE_RATES_SECONDS"] = 600
    then = utcnow() - timedelta(hours=1)
    refresh_all(then)
    add_session(clinics.patients["A-CALM"], 3, starts_at=utcnow() - timedelta(days=1), patient_form=CALM)
    db.session.commit()
    assert current_counts(clinics.north.id, then + timedelta(minutes=20))[1] == then  # two intervals: kept
    now = then + timedelta(minutes=21)
    counts, as_of = current_counts(clinics.north.id, now)
    assert as_of == now and counts[clinics.alex.id] == (7, 7)
    assert stored(clinics.north.id).computed_at == now


@pytest.mark.parametrize("age_minutes", [8, 40])
def test_the_page_says_when_the_rates_were_computed_and_how_often(app, client, clinics, sign_in_as, age_minutes):
    """Eight minutes old: shown as stored, with their time in the clinic's zone. Forty (more than two
    intervals of 15): recomputed by the page, which shows the direct count and now."""
    app.config["RESPONSE_RATES_SECONDS"] = 900
    now = utcnow().replace(second=0, microsecond=0)
    computed = now - timedelta(minutes=age_minutes)
    response_rates.store_counts(clinics.north.id, {clinics.alex.id: (1, 4)}, computed)
    db.session.commit()
    with time_machine.travel(now, tick=False):
        sign_in_as(client, clinics.director)
        page = client.get("/clinic").text
    shown = computed if age_minutes == 8 else now
    assert "Patients answered 1 of 4" in page if age_minutes == 8 else "Patients answered 8 of 11" in page
    with app.test_request_context():
        when = clinic_time(shown, ZoneInfo(clinics.north.timezone))
    assert f"as of {when} and recomputed every 15 minutes" in html.unescape(page)


def test_every_worker_runs_the_refresh(app):
    response_rates.register(app)
    assert app.extensions["worker_jobs"]["response_rates"] == (response_rates.JOB, response_rates.refresh_all)
