"""National numbers are read as the clinic's country's, taken from its time zone: a London
clinic types "07911 123456"; a clinic in UTC (no country) must give "+44 7911 123456"."""

from __future__ import annotations

import zoneinfo
from importlib import resources

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Patient
from feedback.phones import PhoneCipher, PhoneError, _zone_countries, normalise, region_for_zone

UK_NATIONAL = "07911 123456"
UK_E164 = "+447911123456"


@pytest.mark.parametrize(
    ("zone", "region"),
    [("Europe/London", "GB"), ("Europe/Berlin", "DE"), ("America/New_York", "US"), ("UTC", None),
     ("Etc/GMT+1", None), ("Mars/Olympus", None)],
)
def test_a_zone_names_its_country(zone, region):
    assert region_for_zone(zone) == region


def test_national_numbers_need_a_region_and_international_ones_do_not():
    assert normalise(UK_NATIONAL, "GB") == UK_E164
    assert normalise("+44 7911 123456", "DE") == UK_E164
    assert normalise("+44 7911 123456") == UK_E164
    with pytest.raises(PhoneError, match="international form"):
        normalise(UK_NATIONAL)
    with pytest.raises(PhoneError, match="not a mobile number"):
        normalise(UK_NATIONAL, "DE")  # a Berlin clinic reads it as a German (landline) number


def test_without_a_zone_table_there_is_no_region(monkeypatch):
    def no_package(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    monkeypatch.setattr(resources, "files", no_package)
    _zone_countries.cache_clear()
    try:
        assert region_for_zone("Europe/London") is None
    finally:
        _zone_countries.cache_clear()


@pytest.fixture
def two_clinics(runner, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", "a long enough password")
    for clinic, zone, email in (("London", "Europe/London", "l@example.org"), ("Anywhere", "UTC", "u@example.org")):
        assert runner.invoke(args=["clinics", "add", clinic, "--timezone", zone]).exit_code == 0
        assert runner.invoke(args=["users", "add", email, "--clinic", clinic, "--role", "therapist"]).exit_code == 0


def test_the_cli_reads_a_national_number_for_a_london_clinic(runner, two_clinics, app):
    result = runner.invoke(args=["patients", "add", "LO-1", "--clinic", "London", "--therapist", "l@example.org",
                                 "--phone", UK_NATIONAL, "--sms-consent"])

    assert result.exit_code == 0, result.output
    patient = db.session.scalars(select(Patient)).one()
    assert PhoneCipher(app.config["PHONE_ENCRYPTION_KEY"]).decrypt(patient.phone_encrypted) == UK_E164


def test_the_cli_refuses_a_national_number_for_a_clinic_in_utc(runner, two_clinics):
    result = runner.invoke(args=["patients", "add", "AN-1", "--clinic", "Anywhere", "--therapist", "u@example.org",
                                 "--phone", UK_NATIONAL])

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "give it in international form" in result.output
    assert db.session.scalars(select(Patient)).all() == []
    ok = runner.invoke(args=["patients", "add", "AN-1", "--clinic", "Anywhere", "--therapist", "u@example.org",
                             "--phone", "+44 7911 123456"])
    assert ok.exit_code == 0, ok.output
