"""Who may use which route: runs the table in `tests/auth/matrix.py` for every route and visitor.

A route added without an entry there (or in EXEMPT, with a reason) fails
`test_every_route_is_in_the_table`."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from feedback.extensions import db
from tests.auth.matrix import ACTORS, DONE, EXEMPT, FORBIDDEN, HIDDEN, INVALID, LOGIN, MATRIX, NEVER_SHOWN, OK, REFUSED


def app_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint not in EXEMPT
    }


def test_every_route_is_in_the_table(app):
    routes = app_routes(app)
    assert routes - MATRIX.keys() == set(), "routes without an authorization entry: add them to MATRIX"
    assert MATRIX.keys() - routes == set(), "entries for routes that no longer exist"
    assert all(endpoint in {r.endpoint for r in app.url_map.iter_rules()} for endpoint in EXEMPT)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": False}


def classify(response) -> str:
    status = response.status_code
    if status in (302, 303):
        return LOGIN if urlsplit(response.location).path == "/login" else DONE
    if status == 401:
        return LOGIN if response.is_json else REFUSED
    return {200: OK, 404: HIDDEN, 403: FORBIDDEN, 422: INVALID}.get(status, str(status))


@pytest.fixture
def actor_client(app, world, sign_in_as, make_session):
    def client_for(actor: str):
        client = app.test_client()
        if actor == "survey":
            token = make_session(world.patient).links["patient"].token
            assert client.get(f"/s/{token}").status_code == 200
        elif actor != "anonymous":
            sign_in_as(client, getattr(world, actor))
        return client

    return client_for


@pytest.mark.parametrize(
    ("route", "actor"),
    [(route, actor) for route in MATRIX for actor in ACTORS],
    ids=[f"{endpoint}:{method}:{actor}" for (endpoint, method) in MATRIX for actor in ACTORS],
)
def test_route_answers_each_actor_as_the_table_says(route, actor, world, actor_client):
    endpoint, method = route
    case = MATRIX[route]
    client = actor_client(actor)
    path, data = case.path(world), case.data(world)
    db.session.commit()
    response = client.open(path, method=method, data=data if method == "POST" else None)
    assert classify(response) == case.expect[actor], f"{method} {path} as {actor}: {response.status_code}"
    if response.status_code in (302, 303):
        return  # a redirect's body only repeats the address asked for
    body = response.get_data(as_text=True)
    leaked = [marker for marker in NEVER_SHOWN[actor] if marker in body]
    assert leaked == [], f"{method} {path} showed {actor} {leaked}"
