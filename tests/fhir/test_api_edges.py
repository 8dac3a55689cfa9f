"""The edges of the FHIR API and the download: dates at the ends of the calendar and paths that
match no route get a FHIR answer (or a clear 422), never a 500 or a half-written download."""

from __future__ import annotations

import pytest

from dashboards.fhir.bundle import MEDIA_TYPE


@pytest.mark.parametrize("authored", ["9999-12-31", "le9999-12-31", "ge0001-01-01T00:00:00%2B01:00", "0001-01-01"])
def test_a_date_at_the_ends_of_the_calendar_is_a_bad_search(client, world, sign_in_as, authored):
    sign_in_as(client, world.director)
    answer = client.get(f"/fhir/QuestionnaireResponse?authored={authored}")
    assert answer.status_code == 400 and answer.mimetype == MEDIA_TYPE
    assert answer.json["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01"])
def test_the_download_refuses_such_a_date_before_it_starts(client, world, sign_in_as, query):
    sign_in_as(client, world.director)
    answer = client.get(f"/clinic/fhir-export?{query}")
    assert answer.status_code == 422 and "choose a date in the years" in answer.text


def test_the_command_refuses_such_a_date(runner, world):
    result = runner.invoke(args=["export-fhir", "--clinic", world.clinic_a.name, "--until", "9999-12-31"])
    assert result.exit_code != 0 and "choose a date in the years" in result.output


@pytest.mark.parametrize("path", ["/fhir/Patient", "/fhir/Questionnaire/a/b", "/fhir/metadata/x"])
def test_a_path_under_fhir_that_matches_nothing_is_an_operation_outcome(client, world, sign_in_as, path):
    sign_in_as(client, world.director)
    answer = client.get(path)
    assert answer.status_code == 404 and answer.mimetype == MEDIA_TYPE
    assert answer.json["issue"][0]["code"] == "not-found"


def test_other_unknown_paths_keep_the_apps_page(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
