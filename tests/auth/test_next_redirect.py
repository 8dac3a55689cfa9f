"""After sign-in, `next` may only lead to a page of this site."""

from __future__ import annotations

import pytest

from dashboards.auth.redirects import safe_next
from tests.auth.conftest import post_form
from tests.factories import TEST_PASSWORD


@pytest.mark.parametrize("target", ["/", "/patients/P-1", "/clinic/audit?patient=P-1&before=9", "/a//b"])
def test_local_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
        "https:evil.example",
    ],
)
def test_other_sites_and_tricks_are_refused(target):
    assert safe_next(target) is None


def test_anonymous_visitor_comes_back_to_the_page_asked_for(client, make_user, make_patient, enrol):
    user = make_user("director")
    authenticator = enrol(user)
    make_patient(code="P-77", therapist=user)
    first = client.get("/patients/P-77?tab=answers")
    assert first.status_code == 302 and first.location == "/login?next=/patients/P-77?tab%3Danswers"
    password = post_form(client, first.location, "/login", email=user.email, password=TEST_PASSWORD,
                         next="/patients/P-77?tab=answers")
    assert password.location == "/login/2fa"
    done = post_form(client, "/login/2fa", code=authenticator.now())
    assert done.location == "/patients/P-77?tab=answers"


@pytest.mark.parametrize("app_config", [{"APP_ENV": "development", "DEV_SKIP_2FA": "1"}], indirect=True)
@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/patients/P-77?tab=answers", "/patients/P-77?tab=answers"), ("https://evil.example/", "/"), ("//evil.example", "/")],
)
def test_sign_in_follows_only_a_safe_next(client, make_user, make_patient, next_url, lands_on):
    user = make_user("director")
    make_patient(code="P-77", therapist=user)
    page_url = f"/login?next={next_url}"
    response = post_form(client, page_url, "/login", email=user.email, password=TEST_PASSWORD, next=next_url)
    assert response.status_code == 303 and response.location == lands_on


@pytest.fixture
def app_config(request) -> dict[str, object]:
    return getattr(request, "param", {})
